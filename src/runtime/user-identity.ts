/**
 * Who a process runs as (`user:` in procinit.yaml, SPEC §2.2, §4): names resolved from
 * /etc/passwd and /etc/group, and the argv that switches to that user with its supplementary
 * groups kept, as gosu and su-exec do.
 *
 * Why not Node's spawn({ uid, gid }): libuv's child calls setgroups(0, NULL) before setgid, so
 * the process would lose every supplementary group (a user in group `docker` or `video` could
 * no longer use what that group grants). util-linux's setpriv sets uid, gid and groups, then
 * execs the program, so the supervised pid is still the program's (tested).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProblemDetails } from '../errors.js';

/** One line of /etc/passwd, as far as procinit needs it. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** One line of /etc/group. */
export interface GroupEntry {
  name: string;
  gid: number;
  /** The user names listed in the fourth field: the group's supplementary members. */
  members: string[];
}

/** The two files, parsed. Missing files read as empty (scratch images may have neither). */
export interface UserDatabase {
  passwd: PasswdEntry[];
  groups: GroupEntry[];
}

/** Everything needed to run a process as a user. */
export interface UserIdentity {
  /** What the configuration said: `appuser`, `appuser:appgroup`, `1000:1000`. */
  spec: string;
  uid: number;
  gid: number;
  /** The passwd name; the uid as text when the uid has no passwd entry. */
  name: string;
  /** The passwd home; `/` when the uid has no passwd entry (as Docker does). */
  home: string;
  /**
   * Supplementary groups: every group of /etc/group that lists the user. Empty when the spec
   * names a group (`user:group`), as gosu and `docker run --user u:g` do.
   */
  groups: number[];
}

export type UserResolution = { ok: true; identity: UserIdentity } | { ok: false; problem: ProblemDetails };

const NUMERIC = /^\d+$/;
/** Above this an id is certainly a typo (Linux ids are 32-bit; 2^32-1 is "no id"). */
const MAX_ID = 0xfffffffe;

function parseId(text: string | undefined): number | undefined {
  if (text === undefined || !NUMERIC.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

/** Parses /etc/passwd text. Malformed lines and NIS `+`/`-` lines are skipped, as getpwnam does. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , uidText, gidText, , home] = line.split(':');
    const uid = parseId(uidText);
    const gid = parseId(gidText);
    if (!name || name.startsWith('+') || name.startsWith('-') || uid === undefined || gid === undefined)
      continue;
    entries.push({ name, uid, gid, home: home || '/' });
  }
  return entries;
}

/** Parses /etc/group text, like {@link parsePasswd}. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , gidText, membersText = ''] = line.split(':');
    const gid = parseId(gidText);
    if (!name || name.startsWith('+') || name.startsWith('-') || gid === undefined) continue;
    const members = membersText
      .trim()
      .split(',')
      .map((member) => member.trim())
      .filter((member) => member !== '');
    entries.push({ name, gid, members });
  }
  return entries;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Reads /etc/passwd and /etc/group (or the given files). */
export function readUserDatabase(
  files: { passwd: string; group: string } = { passwd: '/etc/passwd', group: '/etc/group' },
): UserDatabase {
  return { passwd: parsePasswd(readOptional(files.passwd)), groups: parseGroup(readOptional(files.group)) };
}

/** Splits `user:group` at the first colon; an empty group (`user:`) counts as none. */
function splitSpec(spec: string): { user: string; group?: string } {
  const colon = spec.indexOf(':');
  if (colon === -1) return { user: spec };
  const group = spec.slice(colon + 1);
  return group === '' ? { user: spec.slice(0, colon) } : { user: spec.slice(0, colon), group };
}

/** A group by name, or by gid (a gid need not be listed in /etc/group). */
function resolveGroupPart(group: string, db: UserDatabase, spec: string): number | ProblemDetails {
  const named = db.groups.find((entry) => entry.name === group);
  if (named) return named.gid;
  const gid = parseId(group);
  if (gid !== undefined) return gid;
  return {
    code: 'user.unknown-group',
    what: `group "${group}" (from "${spec}") does not exist in /etc/group`,
    fix: `create it in the image (groupadd ${group}), or use a gid`,
  };
}

/**
 * Resolves `appuser`, `appuser:appgroup`, `1000` or `1000:1000` against /etc/passwd and
 * /etc/group. A name must exist. A uid without a passwd entry is allowed, as Docker and gosu
 * allow it (OpenShift runs images with arbitrary uids): its group is then the given one or 0,
 * its home `/`, and it has no supplementary groups.
 */
export function resolveUser(spec: string, db: UserDatabase = readUserDatabase()): UserResolution {
  const parts = splitSpec(spec.trim());
  if (parts.user === '') {
    return { ok: false, problem: { code: 'user.empty', what: `user "${spec}" names no user` } };
  }
  const entry =
    db.passwd.find((candidate) => candidate.name === parts.user) ??
    db.passwd.find((candidate) => candidate.uid === parseId(parts.user));
  const uid = entry?.uid ?? parseId(parts.user);
  if (uid === undefined) {
    return {
      ok: false,
      problem: {
        code: 'user.unknown',
        what: `user "${parts.user}" does not exist in /etc/passwd`,
        fix: `create it in the image (useradd --system ${parts.user}), or correct "user:" in procinit.yaml`,
      },
    };
  }
  let gid = entry?.gid ?? 0;
  if (parts.group !== undefined) {
    const group = resolveGroupPart(parts.group, db, spec);
    if (typeof group !== 'number') return { ok: false, problem: group };
    gid = group;
  }
  const name = entry?.name ?? String(uid);
  const groups =
    parts.group === undefined && entry
      ? [...new Set(db.groups.filter((group) => group.members.includes(name)).map((group) => group.gid))]
      : [];
  return { ok: true, identity: { spec, uid, gid, name, home: entry?.home ?? '/', groups } };
}

/** Who procinit itself runs as. */
export interface CurrentIds {
  uid: number;
  gid: number;
}

/** procinit's own uid and gid (0 and 0 where the platform has none, which is not Linux). */
export function currentIds(): CurrentIds {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/**
 * Why procinit cannot run processes as `identity`, or undefined when it can: it must be root,
 * unless it already runs as exactly that uid and gid (`docker run --user appuser` with
 * `user: appuser`), when nothing needs switching.
 */
export function userSwitchProblem(identity: UserIdentity, current: CurrentIds): ProblemDetails | undefined {
  if (current.uid === 0) return undefined;
  if (current.uid === identity.uid && current.gid === identity.gid) return undefined;
  return {
    code: 'user.not-root',
    what: `procinit runs as uid ${current.uid}, not root, so it cannot run processes as "${identity.spec}"`,
    why: 'changing to another user needs root',
    fix: 'start the container as root (procinit drops privileges itself for each process), or remove "user:"',
  };
}

/** Where setpriv usually is, tried after PATH (procinit's own PATH may be minimal). */
const SETPRIV_FALLBACKS = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv', '/sbin/setpriv'];

/** The absolute path of util-linux's setpriv, or undefined when the image has none. */
export function locateSetpriv(pathEnv: string | undefined = process.env.PATH): string | undefined {
  const dirs = (pathEnv ?? '').split(delimiter).filter((dir) => dir.startsWith('/'));
  for (const candidate of [...dirs.map((dir) => join(dir, 'setpriv')), ...SETPRIV_FALLBACKS]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** How to start a program as a user. */
export interface UserLaunch {
  /** The argv to spawn: behind setpriv, or unchanged. */
  argv: string[];
  /** Added to the process's environment (SPEC §4). */
  env: { HOME: string; USER: string; LOGNAME: string };
  /** Only without setpriv: pass to spawn as `{ uid, gid }` (Node then drops supplementary groups). */
  spawnIds?: { uid: number; gid: number };
  /** Set when the launch cannot do everything asked; log it once at warn. */
  warning?: string;
}

export interface WrapOptions {
  /** From {@link locateSetpriv}; undefined when the image has none. */
  setprivPath: string | undefined;
  /** procinit's own ids; default {@link currentIds}. */
  current?: CurrentIds;
}

/**
 * The argv that runs `argv` as `identity`: `setpriv --reuid=U --regid=G --groups=… -- argv…`.
 * setpriv execs the program, so the pid spawned is the program's pid. When procinit is not
 * root (and so already is that user, see {@link userSwitchProblem}) nothing is switched. When
 * setpriv is missing, the caller spawns with `spawnIds` and supplementary groups are lost:
 * that is reported in `warning` rather than refusing to start, since most users have none.
 */
export function wrapArgvForUser(
  argv: readonly string[],
  identity: UserIdentity,
  options: WrapOptions,
): UserLaunch {
  const env = { HOME: identity.home, USER: identity.name, LOGNAME: identity.name };
  const current = options.current ?? currentIds();
  if (current.uid !== 0) return { argv: [...argv], env };
  if (options.setprivPath === undefined) {
    const lost = identity.groups.length > 0 ? ` (${identity.groups.join(',')})` : '';
    return {
      argv: [...argv],
      env,
      spawnIds: { uid: identity.uid, gid: identity.gid },
      warning: `setpriv (util-linux) was not found: processes run as "${identity.spec}" without their supplementary groups${lost}; install util-linux in the image to keep them`,
    };
  }
  const groups = identity.groups.length > 0 ? `--groups=${identity.groups.join(',')}` : '--clear-groups';
  return {
    argv: [options.setprivPath, `--reuid=${identity.uid}`, `--regid=${identity.gid}`, groups, '--', ...argv],
    env,
  };
}
