/**
 * Orphan reaping. As PID 1 (or a child subreaper), procinit inherits every orphan of the
 * container; each one that ends stays a zombie, holding its pid, until procinit waits for it.
 *
 * The hard rule: never take the exit status of a child that Node's child_process started.
 * libuv waits for those by pid (`waitpid(pid, WNOHANG)` per handle, on SIGCHLD), and when
 * that fails with ECHILD it silently drops the handle: the 'exit' event never fires and the
 * supervisor would wait forever. So this reaper never calls `waitpid(-1)` as tini does; it
 * lists our zombie children in /proc and waits for each one that is not ours, by pid.
 *
 * Trigger: `process.on('SIGCHLD')` works in Node 20 next to libuv's own child watcher (libuv
 * multiplexes one signal to every handle watching it; checked here: the listener fires for
 * orphans' deaths, and child_process still reports its children's exit codes).
 */
import { ChildProcess } from 'node:child_process';
import { setChildSubreaper, signalName, type WaitResult, waitpidNoHang } from './libc.js';
import { type ProcTable, readChildTable, zombieChildrenOf } from './proc-table.js';

export interface ReaperOptions {
  /**
   * Whether `pid` is a child procinit started itself through child_process (never reaped
   * here). It must answer true from the moment spawn() returns until the 'exit' event: use
   * {@link trackChildProcesses}, which sees every child_process spawn.
   */
  isOwnChild: (pid: number) => boolean;
  /** Called once per reaped orphan (for the debug log and `procinit_orphans_reaped_total`). */
  onReaped?: (pid: number, status: WaitResult) => void;
  /** A failure while reaping (waitpid other than ECHILD, /proc unreadable, onReaped threw); reaping goes on. */
  onError?: (error: Error) => void;
  /**
   * A scan even without SIGCHLD, every this many ms (0: never). A safety net: libuv drops a
   * signal when its internal pipe is full, and a pid reused between scans may hide an orphan.
   */
  sweepIntervalMs?: number;
  /** The least time between two scans of /proc (default 20 ms); see `schedule` below. */
  minScanGapMs?: number;
  /** Make this process the child subreaper when it is not PID 1 (default true). */
  becomeSubreaper?: boolean;
  /** Seams for tests. */
  pid?: number;
  readTable?: () => ProcTable;
  waitpid?: (pid: number) => WaitResult | undefined;
  /** A monotonic clock in ms (default process.hrtime's; the global `performance` loads perf_hooks). */
  now?: () => number;
}

export interface Reaper {
  /**
   * Becomes the child subreaper (unless PID 1 or told not to), so orphans of our descendants come
   * to us. Before the first spawn: an orphan made before it would escape. Idempotent.
   */
  claimOrphans(): void;
  /** Claims orphans, listens for SIGCHLD, then reaps what is there already. */
  start(): void;
  /** Stops listening; orphans that end afterwards stay zombies. */
  stop(): void;
  /** Scans and reaps at once; returns how many orphans were reaped. */
  reapNow(): number;
  /**
   * Waits for a child procinit started itself outside child_process (posixSpawn, for the
   * terminal): when it ends, `onExit` gets its status instead of `onReaped`, and it is not
   * counted as an orphan. Call it right after spawning, before returning to the event loop.
   * Like a child_process child, a watched child keeps the event loop alive while the reaper runs.
   */
  watch(pid: number, onExit: (status: WaitResult) => void): void;
  /** How many orphans were reaped since creation. */
  readonly reapedTotal: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 5_000;
/** 500 orphans ending over ~400 ms: 289 scans without a gap, ~25 with 20 ms (measured). */
const DEFAULT_MIN_SCAN_GAP_MS = 20;

/** Creates a reaper for the orphans of this process; see the file comment for the design. */
export function createReaper(options: ReaperOptions): Reaper {
  const readTable = options.readTable ?? (() => readChildTable(options.pid ?? process.pid));
  const waitpid = options.waitpid ?? waitpidNoHang;
  const now = options.now ?? (() => Number(process.hrtime.bigint()) / 1e6);
  const minScanGapMs = options.minScanGapMs ?? DEFAULT_MIN_SCAN_GAP_MS;
  let reapedTotal = 0;
  let running = false;
  let lastScanMs = Number.NEGATIVE_INFINITY;
  let pending: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const watched = new Map<number, (status: WaitResult) => void>();
  /**
   * A ref'd handle while a watched child runs: Node keeps running for a child_process child
   * (libuv's process handle is ref'd), but our SIGCHLD listener and timers are unref'd, so
   * without this a program started by posixSpawn would not keep procinit alive.
   */
  let keepAlive: NodeJS.Timeout | undefined;

  function updateKeepAlive(): void {
    if (watched.size > 0 && running && !keepAlive) keepAlive = setInterval(() => {}, 2 ** 31 - 1);
    if ((watched.size === 0 || !running) && keepAlive) {
      clearInterval(keepAlive);
      keepAlive = undefined;
    }
  }

  function reapNow(): number {
    const selfPid = options.pid ?? process.pid;
    let reaped = 0;
    for (const zombie of zombieChildrenOf(readTable(), selfPid)) {
      if (options.isOwnChild(zombie.pid)) continue;
      const status = reapOne(zombie.pid);
      if (!status) continue;
      const onExit = watched.get(zombie.pid);
      if (onExit) {
        watched.delete(zombie.pid);
        updateKeepAlive();
        notify(() => onExit(status));
        continue;
      }
      reaped++;
      reapedTotal++;
      notify(() => options.onReaped?.(zombie.pid, status));
    }
    return reaped;
  }

  function notify(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      report(error);
    }
  }

  function report(error: unknown): void {
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }

  function reapOne(pid: number): WaitResult | undefined {
    try {
      return waitpid(pid);
    } catch (error) {
      // ECHILD: no longer our child (reaped meanwhile). Anything else is worth reporting.
      if ((error as NodeJS.ErrnoException).code !== 'ECHILD') report(error);
      return undefined;
    }
  }

  /**
   * Coalesces SIGCHLDs: 500 orphans dying at once raise far fewer signals (the kernel merges
   * pending ones), but orphans dying over a few hundred ms raise hundreds, and each scan reads
   * the stat file of every child. So a scan runs at most every `minScanGapMs`, on a later turn of the event
   * loop (libuv's own child watcher runs first). A scan that reaped something is followed by
   * another, for orphans that died or were re-parented to us while it ran (the kernel signals
   * those too; this only saves waiting for that signal).
   */
  function schedule(): void {
    if (pending || !running) return;
    const delayMs = Math.max(0, lastScanMs + minScanGapMs - now());
    const run = (): void => {
      pending = undefined;
      if (!running) return;
      lastScanMs = now();
      try {
        if (reapNow() > 0) schedule();
      } catch (error) {
        report(error); // /proc unreadable: the next SIGCHLD or sweep tries again
      }
    };
    // unref: a pending scan never keeps procinit alive on its own.
    pending = setTimeout(run, delayMs).unref();
  }

  let claimed = false;
  function claimOrphans(): void {
    if (claimed) return;
    claimed = true;
    // Setting it again when already set (kept across an execve into procinit) is harmless.
    if ((options.becomeSubreaper ?? true) && (options.pid ?? process.pid) !== 1) setChildSubreaper();
  }

  return {
    claimOrphans,
    start() {
      if (running) return;
      claimOrphans();
      running = true;
      updateKeepAlive();
      process.on('SIGCHLD', schedule);
      const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
      if (sweepIntervalMs > 0) sweepTimer = setInterval(schedule, sweepIntervalMs).unref();
      schedule();
    },
    stop() {
      running = false;
      process.off('SIGCHLD', schedule);
      clearTimeout(pending);
      pending = undefined;
      updateKeepAlive();
      if (sweepTimer) clearInterval(sweepTimer);
      sweepTimer = undefined;
    },
    reapNow,
    watch(pid, onExit) {
      watched.set(pid, onExit);
      updateKeepAlive();
      schedule(); // it may have ended already, its SIGCHLD handled before it was watched
    },
    get reapedTotal() {
      return reapedTotal;
    },
  };
}

/** The pids of this process's live child_process children. */
export interface OwnChildren {
  has(pid: number): boolean;
  readonly size: number;
}

let ownChildren: Set<number> | undefined;

/**
 * Records every child that Node's child_process starts in this thread (spawn, exec, execFile,
 * fork, and execa on top of them all go through `ChildProcess.prototype.spawn`), from the
 * moment spawn() returns until its 'exit' event, which libuv emits right after it reaped it.
 * Install it before the first spawn. Idempotent. spawnSync needs no tracking: its child is
 * reaped before JavaScript runs again. Children of worker threads are not seen.
 */
export function trackChildProcesses(): OwnChildren {
  if (ownChildren) return ownChildren;
  const pids = new Set<number>();
  ownChildren = pids;
  // Undocumented but stable since Node 0.x: child_process.spawn() is `new ChildProcess()`
  // followed by `child.spawn(options)`, which returns once libuv has forked and exec'd.
  const prototype = ChildProcess.prototype as unknown as {
    spawn(this: ChildProcess, options: unknown): unknown;
  };
  const originalSpawn = prototype.spawn;
  prototype.spawn = function trackedSpawn(this: ChildProcess, spawnOptions: unknown) {
    const spawnResult = originalSpawn.call(this, spawnOptions);
    const { pid } = this;
    if (pid !== undefined) {
      pids.add(pid);
      this.once('exit', () => pids.delete(pid));
    }
    return spawnResult;
  };
  return pids;
}

/** A one-line description of how a reaped orphan ended, for the debug log. */
export function describeExit(status: WaitResult): string {
  return status.signal !== null ? `killed by ${signalName(status.signal)}` : `exited with ${status.code}`;
}
