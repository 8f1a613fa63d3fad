/**
 * Single-command mode on a terminal (SPEC §3): the program owns the terminal, as under tini.
 * It runs in its own process group, which is the terminal's foreground group, so the
 * terminal's Ctrl-C, Ctrl-\ and Ctrl-Z reach the program's group only, once, and never
 * procinit; procinit gets the terminal back when the program ends.
 *
 * Who makes the child the foreground group matters. tini does it in the child, between fork
 * and exec: the child is then in the foreground before the program runs a single instruction.
 * Done from the parent after spawn, the program may already have read the terminal (SIGTTIN)
 * or set its modes (SIGTTOU) from the background, and be stopped; and with tini under tini,
 * the grandparent could hand the terminal to the wrong group.
 *
 * Node runs no code between fork and exec, and by the time child_process.spawn() returns the
 * child has exec'd, so even setpgid(child) from the parent fails (EACCES). So the child is
 * started with posix_spawn instead (libc.ts), which does the child's part itself:
 * POSIX_SPAWN_SETPGROUP, then glibc's `posix_spawn_file_actions_addtcsetpgrp_np` (2.35+) with
 * every signal blocked (so no SIGTTOU), then exec. Where that call is missing (older glibc,
 * musl), the parent hands the terminal over right after the spawn and sends SIGCONT to the
 * group, as a shell's `fg` does, for a program that stopped on SIGTTIN/SIGTTOU meanwhile.
 *
 * libuv does not know such a child: its exit comes from the reaper (Reaper.watch), and its
 * stdio is the terminal itself (fds 0, 1, 2 inherited), not pipes.
 */
import { isatty } from 'node:tty';
import {
  canSetForegroundInChild,
  getpgrp,
  posixSpawn,
  type SyscallError,
  tcgetpgrp,
  tcsetpgrp,
  withSignalsBlocked,
} from './libc.js';

export interface ForegroundSpawnOptions {
  /** The program's whole environment. */
  env: Record<string, string | undefined>;
  cwd?: string;
  /** The terminal (default 0: stdin, as tini). */
  ttyFd?: number;
  /** Hand the terminal over from procinit even where the child could do it (to test the fallback). */
  forceParentHandover?: boolean;
}

/** How the terminal was handed to the program. */
export type ForegroundHandover =
  /** In the child, before exec (posix_spawn + addtcsetpgrp_np): no race. */
  | 'in-child'
  /** From procinit right after spawning, then SIGCONT to the group (older libc). */
  | 'from-parent'
  /** Not at all: no terminal, or procinit was not in its foreground (never steal it). */
  | 'none';

export interface ForegroundChild {
  pid: number;
  /** Its own process group: pgid = pid. */
  pgid: number;
  handover: ForegroundHandover;
}

/**
 * Whether procinit's group is the foreground group of the terminal on `fd`: false when `fd` is
 * no terminal, or not procinit's controlling terminal, or when procinit runs in the background
 * (`procinit -- bash &`): then the terminal is not procinit's to give.
 */
export function ownsTerminal(fd = 0): boolean {
  if (!isatty(fd)) return false;
  try {
    return tcgetpgrp(fd) === getpgrp();
  } catch {
    return false; // ENOTTY: a terminal, but not our controlling one
  }
}

/**
 * Starts `argv` in its own process group and, when procinit owns the terminal on `ttyFd`, makes
 * that group the terminal's foreground. Throws a SyscallError when it cannot start (ENOENT:
 * exit 127, EACCES: exit 126, see {@link spawnFailureExitCode}). Tell the reaper to watch the pid.
 */
export function spawnInForeground(argv: readonly string[], options: ForegroundSpawnOptions): ForegroundChild {
  const [file] = argv;
  if (file === undefined) throw new RangeError('spawnInForeground needs a program to run');
  const ttyFd = options.ttyFd ?? 0;
  const takeOver = ownsTerminal(ttyFd);
  const inChild = takeOver && !options.forceParentHandover && canSetForegroundInChild();
  const env = Object.entries(options.env).flatMap(([name, value]) =>
    value === undefined ? [] : [`${name}=${value}`],
  );
  const pid = posixSpawn({
    file,
    argv,
    env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    processGroup: 0,
    ...(inChild ? { foregroundTerminalFd: ttyFd } : {}),
    inheritFds: [0, 1, 2],
  });
  if (!takeOver) return { pid, pgid: pid, handover: 'none' };
  if (inChild) return { pid, pgid: pid, handover: 'in-child' };
  handOverFromParent(ttyFd, pid);
  return { pid, pgid: pid, handover: 'from-parent' };
}

function handOverFromParent(ttyFd: number, pgid: number): void {
  try {
    setForeground(ttyFd, pgid);
  } catch (error) {
    // The program may have ended already: its group is gone (EPERM). Its exit comes as usual.
    if ((error as SyscallError).code !== 'EPERM') throw error;
  }
  try {
    process.kill(-pgid, 'SIGCONT');
  } catch {
    // ESRCH: already gone
  }
}

/**
 * Makes procinit's own group the terminal's foreground group again, after the program ended
 * (before procinit prints its exit summary to the terminal, which a background group could be
 * stopped for). Returns false when there is no controlling terminal to take back (ENOTTY,
 * ENXIO: fine, as tini says) or `ttyFd` is no terminal.
 */
export function reclaimTerminal(ttyFd = 0): boolean {
  if (!isatty(ttyFd)) return false;
  // Under `unshare --pid --fork` procinit's group belongs to unshare, outside the namespace:
  // getpgrp() reads 0 there, and there is no group of ours to give the terminal to.
  const ownGroup = getpgrp();
  if (ownGroup <= 0) return false;
  try {
    setForeground(ttyFd, ownGroup);
    return true;
  } catch (error) {
    const code = (error as SyscallError).code;
    if (code === 'ENOTTY' || code === 'ENXIO' || code === 'ESRCH' || code === 'EPERM') return false;
    throw error;
  }
}

/**
 * tcsetpgrp with SIGTTOU blocked in the calling thread. Why: procinit is in a background group
 * here (the program's group is the foreground), and the kernel treats tcsetpgrp from a
 * background group like a write: unless the caller blocks or ignores SIGTTOU, it either sends
 * SIGTTOU to the caller's group and fails the call, or, when that group is orphaned (procinit
 * as session leader: PID 1 under `docker run -t`), refuses it (EIO, reported as ENOTTY).
 * Measured (test/integration/terminal.test.ts): run from a job-control shell, SIGTTOU's default
 * action stops procinit; with a Node listener for SIGTTOU (procinit forwards it) the call is
 * restarted after each delivery and raises it again. Ignoring SIGTTOU (SIG_IGN, as tini does)
 * would end the forwarding and is process-wide; blocking it in this thread for this one call
 * changes nothing else, and the kernel then allows the call without raising any signal.
 */
function setForeground(ttyFd: number, pgid: number): void {
  const { SIGTTOU } = process.getBuiltinModule('node:os').constants.signals;
  withSignalsBlocked([SIGTTOU], () => tcsetpgrp(ttyFd, pgid));
}

/** procinit's exit code when the program could not start, as tini and shells use. */
export function spawnFailureExitCode(error: unknown): number {
  const code = (error as SyscallError | undefined)?.code;
  if (code === 'ENOENT') return 127;
  if (code === 'EACCES' || code === 'ENOEXEC') return 126;
  return 1;
}
