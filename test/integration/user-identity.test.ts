import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellArgv } from '../../src/config/shell-command.js';
import {
  locateSetpriv,
  resolveUser,
  type UserIdentity,
  wrapArgvForUser,
} from '../../src/runtime/user-identity.js';
import { createThrowawayUser, type ThrowawayUser } from '../fixtures/preflight/throwaway-user.js';
import { requireRoot } from '../helpers/capabilities.js';

const { skip } = requireRoot();

/** Runs argv to its end; resolves with its pid, stdout and exit code. */
function run(
  argv: string[],
  options: { env?: Record<string, string>; uid?: number; gid?: number } = {},
): Promise<{ pid: number; stdout: string; code: number | null }> {
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ pid: child.pid ?? -1, stdout, code }));
  });
}

/** `Uid:`, `Gid:` and `Groups:` of /proc/self/status as printed by the process itself. */
function statusField(status: string, field: string): string {
  return (status.split('\n').find((line) => line.startsWith(`${field}:`)) ?? '')
    .slice(field.length + 1)
    .trim();
}

describe.skipIf(skip)('running a process as a user (real users, real setpriv)', () => {
  let user: ThrowawayUser;
  let identity: UserIdentity;
  const setprivPath = locateSetpriv();

  beforeAll(() => {
    user = createThrowawayUser();
    const resolved = resolveUser(user.name);
    if (!resolved.ok) throw new Error(resolved.problem.what);
    identity = resolved.identity;
  });
  afterAll(() => user?.remove());

  it('resolves the user from the real /etc/passwd and /etc/group, with its supplementary group', () => {
    expect(identity).toEqual({
      spec: user.name,
      uid: user.uid,
      gid: user.gid,
      name: user.name,
      home: `/home/${user.name}`,
      groups: [user.extraGid],
    });
  });

  it('the process sees its uid, its gid, its supplementary group, HOME, USER and LOGNAME', async () => {
    expect(setprivPath).toBeDefined();
    const launch = wrapArgvForUser(
      shellArgv('cat /proc/self/status; echo "env $HOME $USER $LOGNAME"'),
      identity,
      {
        setprivPath,
      },
    );
    const { stdout, code } = await run(launch.argv, { env: launch.env });
    expect(code).toBe(0);
    expect(statusField(stdout, 'Uid').split(/\s+/)).toEqual(Array(4).fill(String(user.uid)));
    expect(statusField(stdout, 'Gid').split(/\s+/)).toEqual(Array(4).fill(String(user.gid)));
    expect(statusField(stdout, 'Groups').split(/\s+/)).toEqual([String(user.extraGid)]);
    expect(stdout).toContain(`env /home/${user.name} ${user.name} ${user.name}`);
  });

  it('`id -G` agrees: the primary group and the supplementary one, and none of root’s', async () => {
    const launch = wrapArgvForUser(['id', '-G'], identity, { setprivPath });
    const { stdout } = await run(launch.argv, { env: launch.env });
    expect(stdout.trim().split(' ').map(Number).sort()).toEqual([user.gid, user.extraGid].sort());
  });

  it('control: Node’s spawn({ uid, gid }) alone drops the supplementary group (why setpriv is used)', async () => {
    const { stdout } = await run(['id', '-G'], { uid: identity.uid, gid: identity.gid });
    expect(stdout.trim().split(' ').map(Number)).toEqual([user.gid]);
  });

  it('the pid spawned is the program itself: setpriv and the shell both exec', async () => {
    const launch = wrapArgvForUser(shellArgv('cat /proc/self/stat'), identity, { setprivPath });
    const { pid, stdout } = await run(launch.argv, { env: launch.env });
    const [ownPid, comm] = stdout.split(' ');
    expect(Number(ownPid)).toBe(pid);
    expect(comm).toBe('(cat)');
  });

  it('user:group drops the supplementary groups, as gosu and docker --user u:g do', async () => {
    const resolved = resolveUser(`${user.name}:${user.extraGroup}`);
    if (!resolved.ok) throw new Error(resolved.problem.what);
    const launch = wrapArgvForUser(['id', '-G'], resolved.identity, { setprivPath });
    const { stdout } = await run(launch.argv, { env: launch.env });
    expect(stdout.trim()).toBe(String(user.extraGid));
  });
});
