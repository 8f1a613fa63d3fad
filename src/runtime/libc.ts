/**
 * The libc calls Node does not expose, through koffi (a prebuilt FFI: no compiler at install).
 * This is the only file that imports koffi, statically so that the bundle carries it (esbuild
 * cannot follow a createRequire call). Commands that never touch libc never import this file
 * (main.ts loads each command lazily), so `procinit --version` does not pay for koffi.
 *
 * Every call is checked. A failure throws a {@link SyscallError} naming the call, its
 * arguments and errno (`waitpid(123) failed: ECHILD (No child processes)`), as tini does.
 */

import koffi from 'koffi';

type Koffi = typeof koffi;
type KoffiFunction = ReturnType<ReturnType<Koffi['load']>['func']>;

/** A failed libc call, shaped like Node's own errno errors (`code`, `errno`, `syscall`). */
export class SyscallError extends Error {
  /** The errno name, e.g. `ESRCH`. */
  readonly code: string;
  readonly errno: number;
  /** The call as made, e.g. `waitpid(123)`. */
  readonly syscall: string;

  constructor(call: string, errno: number, description: string) {
    const code = errnoName(errno);
    super(`${call} failed: ${code} (${description})`);
    this.name = 'SyscallError';
    this.code = code;
    this.errno = errno;
    this.syscall = call;
  }
}

/** How a process ended, decoded from a wait status. Exactly one of `code` and `signal` is set. */
export interface WaitResult {
  pid: number;
  /** The exit code (WEXITSTATUS) when it exited; null when a signal killed it. */
  code: number | null;
  /** The signal number (WTERMSIG) that killed it; null when it exited. */
  signal: number | null;
}

interface Bindings {
  koffi: Koffi;
  lib: ReturnType<Koffi['load']>;
  waitpid: KoffiFunction;
  prctl: KoffiFunction;
  setpgid: KoffiFunction;
  getpgrp: KoffiFunction;
  tcsetpgrp: KoffiFunction;
  tcgetpgrp: KoffiFunction;
  sigemptyset: KoffiFunction;
  sigaddset: KoffiFunction;
  pthreadSigmask: KoffiFunction;
  strerror: KoffiFunction;
  exit: KoffiFunction;
}

/** node:os's constants, read when needed: a start that never fails a call does not load node:os. */
function osConstants() {
  return process.getBuiltinModule('node:os').constants;
}

const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
const SIG_BLOCK = 0;
const SIG_SETMASK = 2;
/** sizeof(sigset_t) in glibc and musl (1024 bits); the kernel uses only the first 8 bytes. */
const SIGSET_BYTES = 128;

let bindings: Bindings | undefined;

/**
 * Opens libc and declares the functions, once. glibc is `libc.so.6`; elsewhere (musl on
 * Alpine) the main program's handle (`dlopen(NULL)`) finds libc's symbols, as node links it.
 */
function libc(): Bindings {
  if (bindings) return bindings;
  let lib: ReturnType<Koffi['load']>;
  try {
    lib = koffi.load('libc.so.6');
  } catch {
    lib = koffi.load(null);
  }
  bindings = {
    koffi,
    lib,
    waitpid: lib.func('int waitpid(int pid, _Out_ int *status, int options)'),
    prctl: lib.func('int prctl(int option, ...)'),
    setpgid: lib.func('int setpgid(int pid, int pgid)'),
    getpgrp: lib.func('int getpgrp(void)'),
    tcsetpgrp: lib.func('int tcsetpgrp(int fd, int pgrp)'),
    tcgetpgrp: lib.func('int tcgetpgrp(int fd)'),
    sigemptyset: lib.func('int sigemptyset(void *set)'),
    sigaddset: lib.func('int sigaddset(void *set, int signum)'),
    // Returns the error number instead of setting errno.
    pthreadSigmask: lib.func('int pthread_sigmask(int how, const void *set, void *oldset)'),
    strerror: lib.func('const char *strerror(int errnum)'),
    exit: lib.func('void _exit(int status)'),
  };
  return bindings;
}

/**
 * The errno name of a number: `ESRCH`, or `errno 999` for one Node does not know. From
 * os.constants, not util.getSystemErrorName: that one knows libuv's codes only (no ECHILD).
 */
function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(osConstants().errno)) {
    if (value === errno) return name;
  }
  return `errno ${errno}`;
}

function fail(call: string, errno: number): SyscallError {
  const description = String(libc().strerror(errno) ?? 'unknown error');
  return new SyscallError(call, errno, description);
}

/**
 * Calls `fn` until it does not fail with EINTR, and returns its result and errno. errno is read
 * at once after the call: koffi saves it per call, and any later libc call may overwrite it.
 */
function callRetryingEintr(fn: () => number): { result: number; errno: number } {
  for (;;) {
    const result = fn();
    const errno = result === -1 ? libc().koffi.errno() : 0;
    if (result !== -1 || errno !== osConstants().errno.EINTR) return { result, errno };
  }
}

/**
 * Decodes a Linux wait status (the `int` waitpid fills in): WIFEXITED/WEXITSTATUS,
 * WIFSIGNALED/WTERMSIG. Pure. A stopped or continued status cannot occur here (we never pass
 * WUNTRACED or WCONTINUED); it decodes to both null.
 */
export function decodeWaitStatus(pid: number, status: number): WaitResult {
  const low7 = status & 0x7f;
  if (low7 === 0) return { pid, code: (status >> 8) & 0xff, signal: null };
  if (low7 !== 0x7f) return { pid, code: null, signal: low7 };
  return { pid, code: null, signal: null };
}

/**
 * `waitpid(pid, &status, WNOHANG)`: the exit of child `pid` if it has ended (and reaps it), or
 * undefined while it still runs. Throws a SyscallError, e.g. ECHILD when `pid` is not our child.
 * Never call it for a child that Node's child_process started: libuv waits on those by pid,
 * and a stolen status means their 'exit' event never fires.
 */
export function waitpidNoHang(pid: number): WaitResult | undefined {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`waitpidNoHang needs one pid > 0, got ${pid}`);
  const { waitpid } = libc();
  const status = [0];
  const { result, errno } = callRetryingEintr(() => waitpid(pid, status, WNOHANG) as number);
  if (result === -1) throw fail(`waitpid(${pid})`, errno);
  if (result === 0) return undefined;
  return decodeWaitStatus(result, status[0] ?? 0);
}

/**
 * Makes this process the child subreaper (`prctl(PR_SET_CHILD_SUBREAPER, 1)`, Linux >= 3.4):
 * orphans among its descendants are re-parented to it instead of to PID 1, so it can reap them.
 */
export function setChildSubreaper(): void {
  const { prctl } = libc();
  const { result, errno } = callRetryingEintr(
    () => prctl(PR_SET_CHILD_SUBREAPER, 'unsigned long', 1, 'unsigned long', 0) as number,
  );
  if (result === -1) throw fail('prctl(PR_SET_CHILD_SUBREAPER, 1)', errno);
}

/** Whether this process is a child subreaper (`prctl(PR_GET_CHILD_SUBREAPER)`). */
export function isChildSubreaper(): boolean {
  const { koffi, prctl } = libc();
  const flag = koffi.alloc('int', 1);
  try {
    const { result, errno } = callRetryingEintr(() => prctl(PR_GET_CHILD_SUBREAPER, 'int *', flag) as number);
    if (result === -1) throw fail('prctl(PR_GET_CHILD_SUBREAPER)', errno);
    return koffi.decode(flag, 'int') !== 0;
  } finally {
    koffi.free(flag);
  }
}

/**
 * `_exit(code)`: ends this process now, skipping Node's teardown (joining V8's worker threads,
 * C++ destructors: about 1.3 ms). Only for a caller whose output is already written: buffers
 * still queued in Node are lost.
 */
export function exitImmediately(code: number): never {
  libc().exit(code);
  throw new Error('_exit returned');
}

/** `setpgid(pid, pgid)`: moves process `pid` (0: this one) into group `pgid` (0: its own pid). */
export function setpgid(pid: number, pgid: number): void {
  const { result, errno } = callRetryingEintr(() => libc().setpgid(pid, pgid) as number);
  if (result === -1) throw fail(`setpgid(${pid}, ${pgid})`, errno);
}

/** `getpgrp()`: this process's group id. Cannot fail. */
export function getpgrp(): number {
  return libc().getpgrp() as number;
}

/**
 * `tcsetpgrp(fd, pgid)`: makes `pgid` the foreground process group of the terminal on `fd`.
 * Called from a background group it raises SIGTTOU unless SIGTTOU is blocked: wrap it in
 * {@link withSignalsBlocked} (see terminal.ts for why).
 */
export function tcsetpgrp(fd: number, pgid: number): void {
  const { result, errno } = callRetryingEintr(() => libc().tcsetpgrp(fd, pgid) as number);
  if (result === -1) throw fail(`tcsetpgrp(${fd}, ${pgid})`, errno);
}

/** `tcgetpgrp(fd)`: the foreground process group of the terminal on `fd`. */
export function tcgetpgrp(fd: number): number {
  const { result, errno } = callRetryingEintr(() => libc().tcgetpgrp(fd) as number);
  if (result === -1) throw fail(`tcgetpgrp(${fd})`, errno);
  return result;
}

/**
 * Runs `fn` with `signals` blocked in the calling (main) thread, then restores the previous mask.
 * A signal raised meanwhile stays pending and is delivered on restore, except one that the
 * kernel does not raise at all for a blocked signal (SIGTTOU from tcsetpgrp).
 */
export function withSignalsBlocked<T>(signals: readonly number[], fn: () => T): T {
  const { sigemptyset, sigaddset, pthreadSigmask } = libc();
  const set = Buffer.alloc(SIGSET_BYTES);
  const previous = Buffer.alloc(SIGSET_BYTES);
  if (sigemptyset(set) !== 0) throw fail('sigemptyset()', libc().koffi.errno());
  for (const signal of signals) {
    if (sigaddset(set, signal) !== 0) throw fail(`sigaddset(${signal})`, libc().koffi.errno());
  }
  const blocked = pthreadSigmask(SIG_BLOCK, set, previous) as number;
  if (blocked !== 0) throw fail('pthread_sigmask(SIG_BLOCK)', blocked);
  let result: T;
  try {
    result = fn();
  } finally {
    // pthread_sigmask fails only for a bad `how`; this cannot hide an error thrown by fn.
    pthreadSigmask(SIG_SETMASK, previous, null);
  }
  return result;
}

/** What {@link posixSpawn} starts, and how. */
export interface PosixSpawnRequest {
  /** Looked up on this process's PATH when it has no `/` (posix_spawnp). */
  file: string;
  argv: readonly string[];
  /** `NAME=value` strings: the program's whole environment. */
  env: readonly string[];
  cwd?: string;
  /** POSIX_SPAWN_SETPGROUP: move the child into this group before exec (0: a new one, its pid). */
  processGroup?: number;
  /**
   * Make the child's group the foreground group of the terminal on this fd, in the child, after
   * it joined its group and before exec (glibc >= 2.35 `posix_spawn_file_actions_addtcsetpgrp_np`;
   * see {@link canSetForegroundInChild}). glibc runs it with every signal blocked: no SIGTTOU.
   */
  foregroundTerminalFd?: number;
  /**
   * Fds the child keeps. Node marks 0, 1 and 2 close-on-exec at startup (libuv's
   * uv_disable_stdio_inheritance); `adddup2(fd, fd)` clears that flag in the child only.
   */
  inheritFds?: readonly number[];
}

interface SpawnBindings {
  attrInit: KoffiFunction;
  attrDestroy: KoffiFunction;
  attrSetflags: KoffiFunction;
  attrSetpgroup: KoffiFunction;
  attrSetsigdefault: KoffiFunction;
  attrSetsigmask: KoffiFunction;
  actionsInit: KoffiFunction;
  actionsDestroy: KoffiFunction;
  actionsAdddup2: KoffiFunction;
  actionsAddchdir: KoffiFunction | undefined;
  actionsAddtcsetpgrp: KoffiFunction | undefined;
  spawnp: KoffiFunction;
  sigfillset: KoffiFunction;
}

const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
/** Generous sizes for the opaque posix_spawn types (glibc/musl x86-64: 336 and 80 bytes). */
const SPAWNATTR_BYTES = 1024;
const FILE_ACTIONS_BYTES = 512;

let spawnBindings: SpawnBindings | undefined;

/** Declares posix_spawn's functions once; the glibc-only ones are undefined where missing. */
function spawnLibc(): SpawnBindings {
  if (spawnBindings) return spawnBindings;
  const { lib } = libc();
  const optional = (declaration: string): KoffiFunction | undefined => {
    try {
      return lib.func(declaration);
    } catch {
      return undefined;
    }
  };
  spawnBindings = {
    attrInit: lib.func('int posix_spawnattr_init(void *attr)'),
    attrDestroy: lib.func('int posix_spawnattr_destroy(void *attr)'),
    attrSetflags: lib.func('int posix_spawnattr_setflags(void *attr, short flags)'),
    attrSetpgroup: lib.func('int posix_spawnattr_setpgroup(void *attr, int pgroup)'),
    attrSetsigdefault: lib.func('int posix_spawnattr_setsigdefault(void *attr, const void *set)'),
    attrSetsigmask: lib.func('int posix_spawnattr_setsigmask(void *attr, const void *set)'),
    actionsInit: lib.func('int posix_spawn_file_actions_init(void *actions)'),
    actionsDestroy: lib.func('int posix_spawn_file_actions_destroy(void *actions)'),
    actionsAdddup2: lib.func('int posix_spawn_file_actions_adddup2(void *actions, int fd, int newfd)'),
    actionsAddchdir: optional('int posix_spawn_file_actions_addchdir_np(void *actions, const char *path)'),
    actionsAddtcsetpgrp: optional('int posix_spawn_file_actions_addtcsetpgrp_np(void *actions, int fd)'),
    spawnp: lib.func(
      'int posix_spawnp(_Out_ int *pid, const char *file, const void *actions, const void *attr, const char **argv, const char **envp)',
    ),
    sigfillset: lib.func('int sigfillset(void *set)'),
  };
  return spawnBindings;
}

/** Whether {@link posixSpawn} can make the child the terminal's foreground group itself. */
export function canSetForegroundInChild(): boolean {
  return spawnLibc().actionsAddtcsetpgrp !== undefined;
}

/** The posix_spawn* functions return the error number (0 on success) instead of setting errno. */
function check(call: string, returned: unknown): void {
  if (returned !== 0) throw fail(call, returned as number);
}

/**
 * Starts a program with posix_spawnp, outside child_process: its exit is not reported by
 * libuv, so the reaper must be told to wait for it (Reaper.watch). Every signal starts at its
 * default disposition (Node ignores SIGPIPE and SIGXFSZ, which exec would otherwise keep) and
 * unblocked. Returns the pid; throws a SyscallError (ENOENT, EACCES, …) when it cannot start.
 */
export function posixSpawn(request: PosixSpawnRequest): number {
  const fns = spawnLibc();
  const attr = Buffer.alloc(SPAWNATTR_BYTES);
  const actions = Buffer.alloc(FILE_ACTIONS_BYTES);
  const allSignals = Buffer.alloc(SIGSET_BYTES);
  const noSignals = Buffer.alloc(SIGSET_BYTES);
  check('posix_spawnattr_init()', fns.attrInit(attr));
  try {
    check('posix_spawn_file_actions_init()', fns.actionsInit(actions));
    try {
      if (fns.sigfillset(allSignals) !== 0) throw fail('sigfillset()', libc().koffi.errno());
      if (libc().sigemptyset(noSignals) !== 0) throw fail('sigemptyset()', libc().koffi.errno());
      let flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
      check('posix_spawnattr_setsigdefault()', fns.attrSetsigdefault(attr, allSignals));
      check('posix_spawnattr_setsigmask()', fns.attrSetsigmask(attr, noSignals));
      if (request.processGroup !== undefined) {
        flags |= POSIX_SPAWN_SETPGROUP;
        check(
          `posix_spawnattr_setpgroup(${request.processGroup})`,
          fns.attrSetpgroup(attr, request.processGroup),
        );
      }
      check('posix_spawnattr_setflags()', fns.attrSetflags(attr, flags));
      addFileActions(fns, actions, request);
      const pid = [0];
      const argv = [...request.argv, null];
      const envp = [...request.env, null];
      check(`posix_spawnp(${request.file})`, fns.spawnp(pid, request.file, actions, attr, argv, envp));
      return pid[0] ?? 0;
    } finally {
      fns.actionsDestroy(actions);
    }
  } finally {
    fns.attrDestroy(attr);
  }
}

function addFileActions(fns: SpawnBindings, actions: Buffer, request: PosixSpawnRequest): void {
  for (const fd of request.inheritFds ?? []) {
    check(`posix_spawn_file_actions_adddup2(${fd}, ${fd})`, fns.actionsAdddup2(actions, fd, fd));
  }
  if (request.cwd !== undefined) {
    if (!fns.actionsAddchdir)
      throw new Error('posix_spawn_file_actions_addchdir_np is missing (glibc < 2.29)');
    check(`posix_spawn_file_actions_addchdir_np(${request.cwd})`, fns.actionsAddchdir(actions, request.cwd));
  }
  if (request.foregroundTerminalFd !== undefined) {
    if (!fns.actionsAddtcsetpgrp)
      throw new Error('posix_spawn_file_actions_addtcsetpgrp_np is missing (glibc < 2.35)');
    const fd = request.foregroundTerminalFd;
    check(`posix_spawn_file_actions_addtcsetpgrp_np(${fd})`, fns.actionsAddtcsetpgrp(actions, fd));
  }
}

/** The Node name of a signal number (`SIGTERM`), or `SIG<n>` for one Node has no name for. */
export function signalName(signal: number): string {
  for (const [name, value] of Object.entries(osConstants().signals)) {
    if (value === signal) return name;
  }
  return `SIG${signal}`;
}
