/**
 * The image's user (Dockerfile.example's USER) on this machine, made with useradd for the test
 * and removed after it, as the Dockerfile's useradd makes it: a system user with its own group.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Marks the users made here, so a leftover of a killed run is known as one and removed. */
const MARKER = 'procinit image test (temporary)';

/** The image's user on this machine: made with useradd unless it exists; `remove` undoes that. */
export interface ImageUser {
  name: string;
  uid: number;
  gid: number;
  remove(): void;
}

/** Runs a shadow-suite command, retrying while another test holds the /etc/passwd lock (exit 10). */
function shadow(argv: string[]): void {
  for (let attempt = 1; ; attempt++) {
    const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
    if (result.status === 0) return;
    if (result.status !== 10 || attempt >= 50) {
      throw new Error(`${argv.join(' ')} failed with ${result.status}: ${result.stderr || result.error}`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

function passwdEntry(name: string): string[] | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  return line?.split(':');
}

/**
 * The user `name` (a system user with its own group, as the Dockerfile's useradd makes it).
 * One that exists already is used as it is and kept, unless an earlier run of this test made it.
 */
export function ensureImageUser(name: string): ImageUser {
  let entry = passwdEntry(name);
  const ours = entry === undefined || entry[4] === MARKER;
  if (entry === undefined) {
    const shell = '/usr/sbin/nologin';
    shadow([
      'useradd',
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      shell,
      '--comment',
      MARKER,
      name,
    ]);
    entry = passwdEntry(name);
  }
  const [uid, gid] = [Number(entry?.[2]), Number(entry?.[3])];
  if (!(uid > 0)) throw new Error(`user ${name} has uid ${uid}: the image's user must not be root`);
  return {
    name,
    uid,
    gid,
    remove: () => {
      if (!ours) return;
      shadow(['userdel', name]);
      // useradd --user-group made the group (it fails if one exists); userdel may keep it.
      if (spawnSync('getent', ['group', name]).status === 0) shadow(['groupdel', name]);
    },
  };
}
