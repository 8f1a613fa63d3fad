import { chmodSync, chownSync, mkdirSync, type Stats, statSync } from 'node:fs';
import type { DirSpec } from '../config/resolved-config.js';
import { resolveUser, type UserDatabase } from '../runtime/user-identity.js';
import { applyBelow, type DirWanted, formatMode } from './dir-tree.js';
import { type PreflightLine, preflightLine, timed } from './preflight-line.js';

export interface DirCheckOptions {
  /** `run` creates and changes; `check` only looks. */
  mode: 'run' | 'check';
  db: UserDatabase;
  /** procinit's uid: only root may give a directory away. */
  currentUid: number;
  now: () => number;
}

type Wanted = { ok: true; wanted: DirWanted; owner?: string } | { ok: false; line: PreflightLine };

/**
 * The owner as ids. `owner:` reads like `user:` (SPEC §2.2): `appuser` is appuser and its
 * primary group, `appuser:www` names the group, and a bare uid without a passwd entry gets
 * group 0, as a process run as that uid would.
 */
function wantedFor(dir: DirSpec, db: UserDatabase): Wanted {
  const wanted: DirWanted = dir.mode === undefined ? {} : { mode: dir.mode };
  if (dir.owner === undefined) return { ok: true, wanted };
  const resolved = resolveUser(dir.owner, db);
  if (!resolved.ok) {
    const { what, fix } = resolved.problem;
    return { ok: false, line: preflightLine('dir', dir.path, 'fail', `owner: ${what}`, { fix }) };
  }
  const { uid, gid, name } = resolved.identity;
  const groupName = db.groups.find((group) => group.gid === gid)?.name ?? String(gid);
  return { ok: true, wanted: { ...wanted, uid, gid }, owner: `${name}:${groupName} (${uid}:${gid})` };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `mode 0750, owner appuser:appuser (1000:1000)`, or '' when neither is asked for. */
function describeWanted(wanted: DirWanted, owner: string | undefined, recursive: boolean): string {
  const parts: string[] = [];
  if (wanted.mode !== undefined) parts.push(`mode ${formatMode(wanted.mode)}`);
  if (owner !== undefined) parts.push(`owner ${owner}`);
  if (parts.length > 0 && recursive) parts.push('and below');
  return parts.join(', ');
}

/** What would change on an existing directory: `mode 0755 → 0750`, `owner 0:0 → 1000:1000`. */
function differences(stat: Stats, wanted: DirWanted): string[] {
  const changes: string[] = [];
  if (wanted.mode !== undefined && (stat.mode & 0o7777) !== wanted.mode) {
    changes.push(`mode ${formatMode(stat.mode)} → ${formatMode(wanted.mode)}`);
  }
  const uid = wanted.uid ?? stat.uid;
  const gid = wanted.gid ?? stat.gid;
  if (uid !== stat.uid || gid !== stat.gid) changes.push(`owner ${stat.uid}:${stat.gid} → ${uid}:${gid}`);
  return changes;
}

function errorDetail(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  return err.code ? `${err.code} (${err.message.replace(/^\w+: /, '')})` : String(error);
}

const NOT_ROOT_FIX = 'start the container as root, or create the directory with this owner in the image';

/** `procinit check`: looks at the directory and says what `run` would do. */
function inspectDir(dir: DirSpec, want: Wanted & { ok: true }, currentUid: number): PreflightLine {
  const wanted = describeWanted(want.wanted, want.owner, dir.recursive);
  const stat = statOrUndefined(dir.path);
  if (!stat)
    return preflightLine('dir', dir.path, 'ok', `missing: would be created${wanted ? `, ${wanted}` : ''}`);
  if (!stat.isDirectory()) {
    return preflightLine('dir', dir.path, 'fail', 'exists and is not a directory', {
      fix: 'remove or rename it, or choose another path',
    });
  }
  const changes = differences(stat, want.wanted);
  const chownNeeded = changes.some((change) => change.startsWith('owner'));
  if (chownNeeded && currentUid !== 0) {
    return preflightLine('dir', dir.path, 'fail', `${changes.join(', ')} needed, but procinit is not root`, {
      fix: NOT_ROOT_FIX,
    });
  }
  const below = dir.recursive && wanted ? ' (and below: not inspected)' : '';
  const detail =
    changes.length > 0
      ? `exists; would change ${changes.join(', ')}`
      : `exists${wanted ? `, ${wanted}` : ''}`;
  return preflightLine('dir', dir.path, 'ok', detail + below);
}

/** `procinit run`: creates the directory with its parents, then owner and mode. */
function applyDir(dir: DirSpec, want: Wanted & { ok: true }): PreflightLine {
  const { wanted } = want;
  let step = 'create';
  try {
    const existed = statOrUndefined(dir.path);
    if (existed && !existed.isDirectory()) {
      return preflightLine('dir', dir.path, 'fail', 'exists and is not a directory', {
        fix: 'remove or rename it, or choose another path',
      });
    }
    if (!existed) mkdirSync(dir.path, { recursive: true });
    step = 'change the owner of';
    if (wanted.uid !== undefined) chownSync(dir.path, wanted.uid, wanted.gid ?? -1);
    step = 'change the mode of';
    if (wanted.mode !== undefined) chmodSync(dir.path, wanted.mode);
    step = 'apply owner and mode below';
    const below =
      dir.recursive && (wanted.mode !== undefined || wanted.uid !== undefined)
        ? applyBelow(dir.path, wanted)
        : 0;
    const parts = [existed ? 'exists' : 'created'];
    const described = describeWanted(wanted, want.owner, false);
    if (described) parts.push(described);
    if (dir.recursive && described) parts.push(`and ${below} ${below === 1 ? 'entry' : 'entries'} below`);
    return preflightLine('dir', dir.path, 'ok', parts.join(', '));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const fix =
      code === 'EPERM' || code === 'EACCES'
        ? 'start the container as root, or create the directory in the image with this owner and mode'
        : code === 'EROFS'
          ? 'mount a writable volume at this path'
          : code === 'ENOTDIR'
            ? 'a parent of this path is a file: remove it, or choose another path'
            : 'check the path and the filesystem it is on';
    return preflightLine('dir', dir.path, 'fail', `cannot ${step} it: ${errorDetail(error)}`, { fix });
  }
}

/**
 * Checks `preflight.dirs` (SPEC §7). In `run` mode each directory is created with its
 * parents (like `mkdir -p`; parents get the default mode and stay root's), then given its
 * owner and mode, and with `recursive` everything below too. In `check` mode nothing changes:
 * each line says whether the directory exists, and what would be created or changed.
 *
 * Nothing else runs while preflight prepares directories (no process has started yet), so
 * no one can swap a path for a symbolic link between the check and the change.
 */
export function checkDirs(dirs: readonly DirSpec[], options: DirCheckOptions): PreflightLine[] {
  return dirs.map((dir) =>
    timed(options.now, () => {
      const want = wantedFor(dir, options.db);
      if (!want.ok) return want.line;
      try {
        return options.mode === 'check' ? inspectDir(dir, want, options.currentUid) : applyDir(dir, want);
      } catch (error) {
        return preflightLine('dir', dir.path, 'fail', `cannot inspect it: ${errorDetail(error)}`, {
          fix: 'check that procinit may read the path and its parents',
        });
      }
    }),
  );
}
