import { describe, expect, it } from 'vitest';
import {
  parseGroup,
  parsePasswd,
  resolveUser,
  type UserDatabase,
  type UserIdentity,
  userSwitchProblem,
  wrapArgvForUser,
} from '../../../src/runtime/user-identity.js';

const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
appuser:x:1000:1000:App:/home/appuser:/bin/sh
nohome:x:1001:1001::
+nisuser::::::
broken:x:abc:1:::
`;

const GROUP = `root:x:0:
appuser:x:1000:
docker:x:999:appuser,other
video:x:44: appuser
www:x:33:
nohome:x:1001:
`;

const db: UserDatabase = { passwd: parsePasswd(PASSWD), groups: parseGroup(GROUP) };

function identity(spec: string): UserIdentity {
  const result = resolveUser(spec, db);
  if (!result.ok) throw new Error(result.problem.what);
  return result.identity;
}

describe('parsePasswd / parseGroup', () => {
  it('keeps well-formed entries and skips NIS and malformed lines', () => {
    expect(db.passwd.map((entry) => entry.name)).toEqual(['root', 'daemon', 'appuser', 'nohome']);
    expect(db.passwd.find((entry) => entry.name === 'nohome')?.home).toBe('/');
    expect(db.groups.find((group) => group.name === 'video')?.members).toEqual(['appuser']);
  });
});

describe('resolveUser', () => {
  it.each([
    ['appuser', { uid: 1000, gid: 1000, name: 'appuser', home: '/home/appuser', groups: [999, 44] }],
    ['1000', { uid: 1000, gid: 1000, name: 'appuser', home: '/home/appuser', groups: [999, 44] }],
    // An explicit group: no supplementary groups, as gosu and `docker run --user u:g`.
    ['appuser:www', { uid: 1000, gid: 33, name: 'appuser', home: '/home/appuser', groups: [] }],
    ['appuser:33', { uid: 1000, gid: 33, name: 'appuser', home: '/home/appuser', groups: [] }],
    ['1000:1000', { uid: 1000, gid: 1000, name: 'appuser', home: '/home/appuser', groups: [] }],
    ['appuser:', { uid: 1000, gid: 1000, name: 'appuser', home: '/home/appuser', groups: [999, 44] }],
    // A uid without a passwd entry: group 0 and home / (Docker, gosu), or the group given.
    ['4242', { uid: 4242, gid: 0, name: '4242', home: '/', groups: [] }],
    ['4242:4242', { uid: 4242, gid: 4242, name: '4242', home: '/', groups: [] }],
  ])('%s', (spec, expected) => {
    expect(identity(spec)).toEqual({ spec, ...expected });
  });

  it.each([
    ['ghost', 'user.unknown', 'user "ghost" does not exist in /etc/passwd'],
    [
      'appuser:ghosts',
      'user.unknown-group',
      'group "ghosts" (from "appuser:ghosts") does not exist in /etc/group',
    ],
    [':www', 'user.empty', 'user ":www" names no user'],
  ])('%s is an error that names it', (spec, code, what) => {
    const result = resolveUser(spec, db);
    expect(result).toMatchObject({ ok: false, problem: { code, what } });
  });

  it('reads an empty database when the files are missing (a scratch image)', () => {
    expect(resolveUser('appuser', { passwd: [], groups: [] }).ok).toBe(false);
    expect(resolveUser('1000:1000', { passwd: [], groups: [] }).ok).toBe(true);
  });
});

describe('userSwitchProblem', () => {
  const app = identity('appuser');
  it('root may switch to anyone', () => {
    expect(userSwitchProblem(app, { uid: 0, gid: 0 })).toBeUndefined();
  });
  it('a non-root procinit already running as that user needs no switch', () => {
    expect(userSwitchProblem(app, { uid: 1000, gid: 1000 })).toBeUndefined();
  });
  it('a non-root procinit cannot switch to another user: it says so and how to fix it', () => {
    expect(userSwitchProblem(app, { uid: 1001, gid: 1001 })).toMatchObject({
      code: 'user.not-root',
      what: 'procinit runs as uid 1001, not root, so it cannot run processes as "appuser"',
      fix: expect.stringContaining('start the container as root'),
    });
  });
});

describe('wrapArgvForUser', () => {
  const argv = ['/bin/sh', '-c', 'exec gunicorn app'];
  const env = { HOME: '/home/appuser', USER: 'appuser', LOGNAME: 'appuser' };

  it('puts setpriv in front with uid, gid and the supplementary groups', () => {
    expect(
      wrapArgvForUser(argv, identity('appuser'), {
        setprivPath: '/usr/bin/setpriv',
        current: { uid: 0, gid: 0 },
      }),
    ).toEqual({
      argv: ['/usr/bin/setpriv', '--reuid=1000', '--regid=1000', '--groups=999,44', '--', ...argv],
      env,
    });
  });

  it('clears the groups when there are none (root keeps its own otherwise)', () => {
    const launch = wrapArgvForUser(argv, identity('appuser:www'), {
      setprivPath: '/usr/bin/setpriv',
      current: { uid: 0, gid: 0 },
    });
    expect(launch.argv.slice(0, 5)).toEqual([
      '/usr/bin/setpriv',
      '--reuid=1000',
      '--regid=33',
      '--clear-groups',
      '--',
    ]);
  });

  it('without setpriv: spawn ids and a warning naming the groups that are lost', () => {
    const launch = wrapArgvForUser(argv, identity('appuser'), {
      setprivPath: undefined,
      current: { uid: 0, gid: 0 },
    });
    expect(launch.argv).toEqual(argv);
    expect(launch.spawnIds).toEqual({ uid: 1000, gid: 1000 });
    expect(launch.warning).toContain('without their supplementary groups (999,44)');
  });

  it('not root (already that user): the argv is unchanged, the environment still set', () => {
    expect(
      wrapArgvForUser(argv, identity('appuser'), {
        setprivPath: '/usr/bin/setpriv',
        current: { uid: 1000, gid: 1000 },
      }),
    ).toEqual({
      argv,
      env,
    });
  });
});
