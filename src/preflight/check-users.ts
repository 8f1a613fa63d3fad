import type { ResolvedConfig } from '../config/resolved-config.js';
import {
  type CurrentIds,
  resolveUser,
  type UserDatabase,
  type UserIdentity,
  userSwitchProblem,
} from '../runtime/user-identity.js';
import { type PreflightLine, preflightLine } from './preflight-line.js';

/** Every `user:` the configuration names, with what uses it (`web`, `task:migrate`). */
export function usersInConfig(config: ResolvedConfig): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const add = (spec: string | undefined, usedBy: string) => {
    if (spec === undefined) return;
    const list = users.get(spec) ?? [];
    if (!list.includes(usedBy)) list.push(usedBy);
    users.set(spec, list);
  };
  for (const spec of config.processes) add(spec.user, spec.name);
  for (const task of config.preflight.tasks) add(task.user, `task:${task.name}`);
  // The global default alone (every process overrides it) is still checked: it is a typo waiting.
  if (config.user !== undefined && !users.has(config.user)) add(config.user, 'default user');
  return users;
}

export interface UserCheckOptions {
  db: UserDatabase;
  current: CurrentIds;
  /** Undefined when the image has no setpriv (see wrapArgvForUser). */
  setprivPath: string | undefined;
}

function describeIdentity(identity: UserIdentity): string {
  const groups = identity.groups.length > 0 ? identity.groups.join(',') : 'none';
  return `uid ${identity.uid}, gid ${identity.gid}, supplementary groups ${groups}, home ${identity.home}`;
}

/**
 * Checks every user the configuration names: it exists (SPEC §2.2: names from /etc/passwd and
 * /etc/group) and procinit may switch to it (it is root). Found at start, a missing user is a
 * preflight failure (exit 78) like a missing directory, not a configuration error (exit 2): the
 * file is valid, the image is not ready for it. Returns the identities for the spawner.
 */
export function checkUsers(
  users: ReadonlyMap<string, readonly string[]>,
  options: UserCheckOptions,
): { lines: PreflightLine[]; identities: Map<string, UserIdentity> } {
  const lines: PreflightLine[] = [];
  const identities = new Map<string, UserIdentity>();
  for (const [spec, usedBy] of users) {
    const forWhom = ` (for ${usedBy.join(', ')})`;
    const resolved = resolveUser(spec, options.db);
    if (!resolved.ok) {
      lines.push(
        preflightLine('user', spec, 'fail', resolved.problem.what + forWhom, { fix: resolved.problem.fix }),
      );
      continue;
    }
    const problem = userSwitchProblem(resolved.identity, options.current);
    if (problem) {
      lines.push(preflightLine('user', spec, 'fail', problem.what, { fix: problem.fix }));
      continue;
    }
    identities.set(spec, resolved.identity);
    const keepsGroups = options.setprivPath !== undefined || options.current.uid !== 0;
    if (!keepsGroups && resolved.identity.groups.length > 0) {
      lines.push(
        preflightLine(
          'user',
          spec,
          'warn',
          `${describeIdentity(resolved.identity)}${forWhom}; setpriv not found, so the supplementary groups will be dropped`,
          { fix: 'install util-linux (setpriv) in the image' },
        ),
      );
    } else {
      lines.push(preflightLine('user', spec, 'ok', describeIdentity(resolved.identity) + forWhom));
    }
  }
  return { lines, identities };
}
