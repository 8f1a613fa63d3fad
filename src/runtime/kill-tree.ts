/**
 * Signals a whole process tree: every descendant found in /proc, including those that called
 * setsid and so left the group, and the process group. It replaces `tree-kill`, which shells
 * out to `ps` (absent from slim images).
 */
import {
  childPids,
  descendantsOf,
  groupMembers,
  type ProcEntry,
  type ProcTable,
  readProcTable,
  sessionMembers,
} from './proc-table.js';

/** A signal by name (`SIGKILL`) or number. */
export type SignalSpec = NodeJS.Signals | number;

/** Where the tree's processes are, besides below the root in the parent tree. */
export interface KillTreeOptions {
  /** Signal this whole process group first (`kill(-pgid)`): atomic for everything still in it. */
  pgid?: number;
  /**
   * Also signal every member of this session. A child started with setsid has sid = its pid;
   * its descendants keep that sid unless they call setsid themselves, even after an orphan
   * was re-parented away from the tree (when its parent died first).
   */
  sid?: number;
}

/** Seams for tests; the defaults touch the real system. */
export interface KillDeps {
  readTable?: () => ProcTable;
  kill?: (pid: number, signal: SignalSpec) => void;
  /** Whose processes are never signalled, together with its ancestors. Default: process.pid. */
  selfPid?: number;
  /** How many read-and-stop rounds at most (a process may fork between a read and its SIGSTOP). */
  maxRounds?: number;
}

/** What a kill did. ESRCH (already gone) is not a failure. */
export interface KillResult {
  /** Pids signalled one by one, after being frozen (the group signal is not listed per member). */
  signalled: number[];
  /** Whether `kill(-pgid)` reached a group. */
  groupSignalled: boolean;
  /** Signals that failed for another reason than ESRCH, e.g. EPERM for another user's process. */
  failed: { pid: number; code: string }[];
}

const DEFAULT_MAX_ROUNDS = 10;

function defaultKill(pid: number, signal: SignalSpec): void {
  process.kill(pid, signal);
}

/** Sends one signal; records failures; ESRCH means it is already gone. */
function sendSignal(
  kill: NonNullable<KillDeps['kill']>,
  pid: number,
  signal: SignalSpec,
  result: KillResult,
): boolean {
  try {
    kill(pid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code !== 'ESRCH') result.failed.push({ pid, code });
    return false;
  }
}

/** `pid` and every ancestor of it: never signalled, whatever group or session they share. */
function protectedPids(table: ProcTable, selfPid: number): Set<number> {
  const byPid = new Map(table.map((entry) => [entry.pid, entry]));
  const guarded = new Set<number>();
  for (let pid: number | undefined = selfPid; pid !== undefined && pid > 0 && !guarded.has(pid); ) {
    guarded.add(pid);
    pid = byPid.get(pid)?.ppid;
  }
  return guarded;
}

/** Which processes a kill is for, and the group to signal as a whole (if any). */
interface Targets {
  pick: (table: ProcTable) => ProcEntry[];
  pgid?: number | undefined;
}

/**
 * Signals a set of processes that may be changing under us, in three steps:
 *
 * 1. Freeze: SIGSTOP every target, reading /proc again until a read finds no target that is not
 *    stopped yet. Signalling first and walking after does not work: when a parent dies, its
 *    children are re-parented away at once (to PID 1 or the subreaper) and are no longer
 *    below the root; and a live target may fork between a read and its signal. A stopped
 *    process can neither fork nor exit, so the tree holds still while it is walked.
 * 2. Signal: the group as a whole (members no read saw), then each frozen process.
 * 3. Thaw: SIGCONT, as a stopped process acts on any signal but SIGKILL only once continued
 *    (this also wakes a process stopped before, e.g. by Ctrl-Z, to handle a SIGTERM).
 *
 * Zombies are skipped: already dead, they only wait for their parent.
 */
function signalFrozen(targets: Targets, signal: SignalSpec, deps: KillDeps, result: KillResult): void {
  const kill = deps.kill ?? defaultKill;
  const { frozen, ownPgid } = freeze(targets, deps, result);
  // Our own group would signal procinit itself; its members were then frozen one by one.
  const group =
    targets.pgid !== undefined && targets.pgid > 1 && targets.pgid !== ownPgid ? targets.pgid : undefined;
  if (group !== undefined) result.groupSignalled = sendSignal(kill, -group, signal, result);
  for (const pid of frozen) {
    if (sendSignal(kill, pid, signal, result)) result.signalled.push(pid);
  }
  // node:os read here, not at load: a start that kills nothing does not load it.
  const { SIGKILL, SIGSTOP } = process.getBuiltinModule('node:os').constants.signals;
  if (signal === 'SIGKILL' || signal === SIGKILL || signal === 'SIGSTOP' || signal === SIGSTOP) return;
  if (group !== undefined) sendSignal(kill, -group, 'SIGCONT', result);
  for (const pid of frozen) sendSignal(kill, pid, 'SIGCONT', result);
}

/** Step 1 of {@link signalFrozen}: the pids stopped, in order, and our own process group. */
function freeze(
  targets: Targets,
  deps: KillDeps,
  result: KillResult,
): { frozen: number[]; ownPgid?: number } {
  const readTable = deps.readTable ?? readProcTable;
  const kill = deps.kill ?? defaultKill;
  const selfPid = deps.selfPid ?? process.pid;
  const frozen: number[] = [];
  const seen = new Set<number>();
  let ownPgid: number | undefined;
  for (let round = 0; round < (deps.maxRounds ?? DEFAULT_MAX_ROUNDS); round++) {
    const table = readTable();
    ownPgid ??= table.find((entry) => entry.pid === selfPid)?.pgid;
    const guarded = protectedPids(table, selfPid);
    const fresh = targets.pick(table).filter((entry) => entry.state !== 'Z' && !guarded.has(entry.pid));
    let found = 0;
    for (const { pid } of fresh) {
      if (seen.has(pid)) continue; // listed twice (in the tree and in the group), or stopped already
      seen.add(pid);
      found++;
      if (sendSignal(kill, pid, 'SIGSTOP', result)) frozen.push(pid);
    }
    if (found === 0) break;
  }
  return ownPgid === undefined ? { frozen } : { frozen, ownPgid };
}

/**
 * Sends `signal` (default SIGKILL) to the tree of `rootPid`: the root and every descendant, the
 * members of process group `pgid` (and the group as a whole), and the members of session
 * `sid`, freezing them first (see {@link signalFrozen}). Never signals this process or its
 * ancestors, even when they share the group or session.
 */
export function killTree(
  rootPid: number,
  options: KillTreeOptions = {},
  signal: SignalSpec = 'SIGKILL',
  deps: KillDeps = {},
): KillResult {
  if (!Number.isInteger(rootPid) || rootPid <= 0)
    throw new RangeError(`killTree needs a pid > 0, got ${rootPid}`);
  const result: KillResult = { signalled: [], groupSignalled: false, failed: [] };
  const { pgid, sid } = options;
  const pick = (table: ProcTable): ProcEntry[] => [
    ...table.filter((entry) => entry.pid === rootPid),
    ...descendantsOf(table, rootPid),
    ...(pgid !== undefined ? groupMembers(table, pgid) : []),
    ...(sid !== undefined ? sessionMembers(table, sid) : []),
  ];
  signalFrozen({ pick, pgid }, signal, deps, result);
  return result;
}

/**
 * Sends `signal` (default SIGKILL) to every live descendant of `ofPid` (default: procinit
 * itself): the final sweep, so that nothing is left running after procinit exits. As PID 1 or
 * a subreaper, every orphan of the container is a descendant.
 */
export function killAllDescendants(
  ofPid: number = process.pid,
  signal: SignalSpec = 'SIGKILL',
  deps: KillDeps = {},
): KillResult {
  const result: KillResult = { signalled: [], groupSignalled: false, failed: [] };
  // The common end: every process has been reaped, so there is nothing to walk.
  if (deps.readTable === undefined && childPids(ofPid)?.length === 0) return result;
  signalFrozen({ pick: (table) => descendantsOf(table, ofPid) }, signal, deps, result);
  return result;
}
