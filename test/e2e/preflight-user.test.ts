import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayUser, type ThrowawayUser } from '../fixtures/preflight/throwaway-user.js';
import { requireRoot } from '../helpers/capabilities.js';
import { killAll } from '../helpers/procinit.js';
import { childLines, project, removeTempDirs, reportLine, runProcinit } from './preflight-helpers.js';

// SPEC §2.2 and §4: with `user:`, procinit (root) runs the process as that user and its group,
// with its supplementary groups (as gosu does; a bare setuid would drop them), and with HOME,
// USER and LOGNAME of that user. The user and its groups are made for this file (useradd,
// groupadd) and removed after it.

const { skip } = requireRoot();

const SHOW_IDS = 'echo "uid $(id -u) gid $(id -g) groups $(id -G)"; echo "env $HOME $USER $LOGNAME"';

/** `uid 1001 gid 1001 groups 1001 1002` → the ids, groups sorted (id -G lists the primary first). */
function idsIn(line: string | undefined): { uid: number; gid: number; groups: number[] } | undefined {
  const match = /^uid (\d+) gid (\d+) groups ([\d ]+)$/.exec(line ?? '');
  if (!match) return undefined;
  const groups = (match[3] as string).split(' ').map(Number);
  return { uid: Number(match[1]), gid: Number(match[2]), groups: sorted(groups) };
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe.skipIf(skip)('a process run with user:', () => {
  let user: ThrowawayUser;
  beforeAll(() => {
    user = createThrowawayUser();
  });
  afterAll(() => {
    killAll();
    removeTempDirs();
    user?.remove();
  });

  it('sees its uid, gid, supplementary groups, HOME, USER and LOGNAME; procinit and the others stay root', async () => {
    const procfile = [
      `web: ${SHOW_IDS}`,
      `pinned: ${SHOW_IDS}`,
      `admin: ${SHOW_IDS}`,
      '', // a trailing newline
    ].join('\n');
    const dir = project(procfile, {
      processes: {
        web: { restart: 'never', user: user.name },
        // user:group names the group: no supplementary groups, as gosu and docker --user u:g.
        pinned: { restart: 'never', user: `${user.name}:${user.extraGroup}` },
        admin: { restart: 'never' },
      },
      preflight: { tasks: [{ name: 'whoami', run: SHOW_IDS, user: user.name }] },
    });

    const result = await runProcinit(['--log-format', 'json'], {
      cwd: dir,
      env: { HOME: '/root', USER: 'root', LOGNAME: 'root' },
    });

    expect(result.code, result.output).toBe(0);
    const asUser = { uid: user.uid, gid: user.gid, groups: sorted([user.gid, user.extraGid]) };
    const userEnv = `env /home/${user.name} ${user.name} ${user.name}`;
    const [webIds, webEnv] = childLines(result, 'web.1');
    expect(idsIn(webIds), webIds).toEqual(asUser);
    expect(webEnv).toBe(userEnv);
    // A task with user: is started the same way.
    const [taskIds, taskEnv] = childLines(result, 'task:whoami');
    expect(idsIn(taskIds), taskIds).toEqual(asUser);
    expect(taskEnv).toBe(userEnv);
    const [pinnedIds, pinnedEnv] = childLines(result, 'pinned.1');
    expect(idsIn(pinnedIds), pinnedIds).toEqual({
      uid: user.uid,
      gid: user.extraGid,
      groups: [user.extraGid],
    });
    expect(pinnedEnv).toBe(userEnv);
    expect(childLines(result, 'admin.1')).toEqual(['uid 0 gid 0 groups 0', 'env /root root root']);
    expect(reportLine(result, 'user', user.name)).toBe(
      `[ok]   user ${user.name}: uid ${user.uid}, gid ${user.gid}, supplementary groups ${user.extraGid}, home /home/${user.name} (for web, task:whoami)`,
    );
  });
});
