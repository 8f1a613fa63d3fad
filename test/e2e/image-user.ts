/**
 * The image's user (Dockerfile.example's USER) on this machine, made with useradd for the test
 * and removed after it, as the Dockerfile's useradd makes it: a system user with its own group.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { shadow } from '../fixtures/preflight/throwaway-user.js';

/** Marks the users made here, so a leftover of a killed run is known as one and removed. */
const MARKER = 'procinit image test (temporary)';

/** The image's user on this machine: made with useradd unless it exists; `remove` undoes that. */
export interface ImageUser {
  name: string;
  uid: number;
  gid: number;
  remove(): void;
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
