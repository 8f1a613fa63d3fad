// Starting and stopping the processes a benchmark measures (procinit, a Node floor, a helper),
// watching others end (pidwatch), and making sure a failed run leaves nothing behind.
import { spawn, spawnSync } from 'node:child_process';
import { helper } from './helpers.mjs';
import { exitOf, killQuietly } from './lib.mjs';
import { waitForEvents } from './stamps.mjs';

/** --kill-child: if unshare dies (a timeout kills it), PID 1 and so the namespace die too. */
export const UNSHARE_ARGS = ['--pid', '--fork', '--mount-proc', '--kill-child'];

const STDERR_TAIL_CHARS = 2000;
/** How long an interrupted benchmark lets what it started stop before SIGKILL. */
const ABORT_GRACE_MS = 2_000;

/** Every process started here and not yet exited, for {@link stopEverything}. */
const running = new Set();

/**
 * Starts `argv` (in a new PID namespace as its PID 1 with `asPid1`), stdin from /dev/null,
 * stdout to `stdout` (default: discarded), stderr kept (its tail, for error messages). Returns
 * `{ child, pid, exited, stderrTail() }`; `exited` resolves with `{ code, signal }`, or rejects
 * (and SIGKILLs it) after `timeoutMs`. With `asPid1`, `pid` is unshare's.
 */
export function startProcess(argv, { cwd, env, stdout = 'ignore', asPid1 = false, timeoutMs, what }) {
  const [file, ...args] = asPid1 ? ['unshare', ...UNSHARE_ARGS, ...argv] : argv;
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exited = exitOf(child, { timeoutMs, what: `${what} exiting` });
  const proc = { child, pid: child.pid, exited, stderrTail: () => stderr };
  running.add(proc);
  child.once('exit', () => running.delete(proc));
  return proc;
}

/**
 * For an interrupted benchmark: SIGTERM to everything started here and still running (procinit
 * then stops its own children, unshare's namespace dies with its PID 1), SIGKILL to what is left
 * after a grace period. Resolves once done.
 */
export async function stopEverything() {
  for (const proc of running) killQuietly(proc.pid, 'SIGTERM');
  const deadline = performance.now() + ABORT_GRACE_MS;
  while (running.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const proc of running) killQuietly(proc.pid, 'SIGKILL');
}

/**
 * Sends `signal` to `pid` (default: the process started) and waits for the process started to
 * exit; throws unless it exited with one of `expectedCodes`.
 */
export async function stopProcess(proc, { pid = proc.pid, signal = 'SIGTERM', expectedCodes = [0], what }) {
  killQuietly(pid, signal);
  const { code, signal: endSignal } = await proc.exited;
  if (!expectedCodes.includes(code)) {
    throw new Error(`${what} ended with ${code ?? endSignal} after ${signal}; stderr:\n${proc.stderrTail()}`);
  }
  return { code };
}

/**
 * The safety net after every run, failed or not: SIGKILL to each pid and its process group
 * (every child procinit starts leads its own), so a run that went wrong does not leave hundreds
 * of idle children to weigh on the next.
 */
export function killLeftovers(pids) {
  for (const pid of pids) {
    killQuietly(-pid, 'SIGKILL');
    killQuietly(pid, 'SIGKILL');
  }
}

/**
 * Starts pidwatch on `pids` and waits until it watches them all; it then stamps `gone PID` as
 * each ends. Resolves with its exit (it exits once all are gone).
 */
export async function watchPids(pids, stamps, { timeoutMs }) {
  const watcher = startProcess([helper('pidwatch'), ...pids.map(String)], {
    env: stamps.env,
    timeoutMs,
    what: 'pidwatch',
  });
  await waitForEvents(stamps, 'watching', 1, { timeoutMs: 5_000, what: 'pidwatch starting' });
  return watcher;
}

/** Why a PID 1 variant cannot run here, or undefined when it can. */
export function pid1Unavailable() {
  if (process.getuid?.() !== 0) return 'not root (unshare --pid needs CAP_SYS_ADMIN)';
  const probe = spawnSync('unshare', [...UNSHARE_ARGS, 'true'], { encoding: 'utf8' });
  if (probe.error) return `unshare cannot run: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --pid fails here: ${probe.stderr.trim()}`;
  return undefined;
}
