import { type ChildProcess, spawn } from 'node:child_process';
import { formatDuration } from '../config/duration.js';
import type { Environ } from '../config/resolve-settings.js';
import type { TaskSpec } from '../config/resolved-config.js';
import { shellArgv } from '../config/shell-command.js';
import { describeExit, type ExitStatus, exitCodeOf } from '../core/exit-status.js';
import type { SignalName } from '../core/model.js';
import { maskText } from '../core/secrets.js';
import { killTree } from '../runtime/kill-tree.js';
import type { ChildOutput } from '../runtime/output-child.js';
import type { EventLogger } from '../runtime/supervisor-loop.js';
import { type CurrentIds, type UserIdentity, wrapArgvForUser } from '../runtime/user-identity.js';
import { formatElapsed, type PreflightLine, preflightLine } from './preflight-line.js';

/** How long, after a task exited, its output may take to drain (a leftover may hold the pipe). */
const OUTPUT_DRAIN_LIMIT_MS = 2_000;

/** The prefix of a task's output lines: `task:migrate | `. */
export function taskOutputId(name: string): string {
  return `task:${name}`;
}

export interface TaskRunDeps {
  /** procinit's environment plus env files: what processes get too. */
  environ: Environ;
  cwd: string;
  output: ChildOutput;
  logger: EventLogger;
  now: () => number;
  /** From the user check: every task's `user` is in here. */
  identities: ReadonlyMap<string, UserIdentity>;
  setprivPath: string | undefined;
  current: CurrentIds;
  secretPatterns: readonly string[];
  /** Aborting (procinit got SIGTERM) sends SIGTERM to the running task, SIGKILL after the grace. */
  signal?: AbortSignal | undefined;
  abortGraceMs: number;
  /** Seam for tests; default node:child_process spawn. */
  spawn?: typeof spawn;
}

/** How a task ended. */
export interface TaskOutcome {
  line: PreflightLine;
  /** Set when the task failed: its exit code (128+N for signal N), for the report and logs. */
  exitCode?: number;
}

/** Lines for tasks that are not run, saying why (`procinit check`, or an earlier failure). */
export function listTasks(
  tasks: readonly TaskSpec[],
  why: string,
  secretPatterns: readonly string[],
): PreflightLine[] {
  return tasks.map((task) => {
    const user = task.user === undefined ? '' : `, as ${task.user}`;
    const what = `\`${maskText(task.run, secretPatterns)}\` (timeout ${formatDuration(task.timeoutMs)}${user})`;
    return preflightLine(
      'task',
      task.name,
      why === 'check' ? 'ok' : 'warn',
      `${why === 'check' ? 'would run' : `not run (${why})`}: ${what}`,
    );
  });
}

/** Resolves when `promise` settles or `limitMs` passes, whichever is first. */
async function atMost(promise: Promise<unknown>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, limitMs)))]);
  clearTimeout(timer);
}

/** Starts a task's command, as its user, in its own session (setsid), output piped. */
function startTask(task: TaskSpec, deps: TaskRunDeps): ChildProcess {
  let argv = shellArgv(task.run);
  let userEnv: Record<string, string> = {};
  let ids: { uid: number; gid: number } | undefined;
  const identity = task.user === undefined ? undefined : deps.identities.get(task.user);
  if (identity) {
    const launch = wrapArgvForUser(argv, identity, { setprivPath: deps.setprivPath, current: deps.current });
    argv = launch.argv;
    userEnv = launch.env;
    ids = launch.spawnIds;
    if (launch.warning) deps.logger.warn({ event: 'user.groups-dropped', user: task.user }, launch.warning);
  }
  const [file, ...args] = argv as [string, ...string[]];
  return (deps.spawn ?? spawn)(file, args, {
    cwd: deps.cwd,
    env: { ...deps.environ, ...userEnv },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(ids ?? {}),
  });
}

/** Waits for the task to exit; kills its tree at its timeout or when procinit is stopped. */
function awaitExit(child: ChildProcess, pid: number, task: TaskSpec, deps: TaskRunDeps) {
  return new Promise<{ status: ExitStatus; timedOut: boolean; interrupted: boolean }>((resolve) => {
    let timedOut = false;
    let interrupted = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const kill = (signal: SignalName) => killTree(pid, { pgid: pid, sid: pid }, signal);
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGKILL');
    }, task.timeoutMs);
    const onAbort = () => {
      interrupted = true;
      kill('SIGTERM');
      graceTimer = setTimeout(() => kill('SIGKILL'), deps.abortGraceMs);
    };
    if (deps.signal?.aborted) onAbort();
    else deps.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('exit', (code: number | null, signal: SignalName | null) => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      deps.signal?.removeEventListener('abort', onAbort);
      resolve({ status: { code, signal }, timedOut, interrupted });
    });
  });
}

/** Runs one task to its end; its output goes out as `task:NAME | …`. */
async function runTask(task: TaskSpec, deps: TaskRunDeps): Promise<TaskOutcome> {
  const startMs = deps.now();
  const line = (severity: 'ok' | 'fail', detail: string, fix?: string) =>
    preflightLine('task', task.name, severity, detail, {
      fix,
      durationMs: Math.max(0, deps.now() - startMs),
    });
  if (task.user !== undefined && !deps.identities.has(task.user)) {
    // Never fall back to running as root: the user check failed, or was not run.
    return { line: line('fail', `user "${task.user}" was not resolved`), exitCode: 78 };
  }
  const child = startTask(task, deps);
  if (child.pid === undefined) {
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    return { line: line('fail', `could not start: ${error.code ?? error.message}`), exitCode: 127 };
  }
  child.on('error', () => {}); // a failed kill of a task that is already gone
  const pid = child.pid;
  deps.logger.debug(
    {
      event: 'task.spawned',
      task: task.name,
      pid,
      user: task.user ?? null,
      command: maskText(task.run, deps.secretPatterns),
    },
    `task ${task.name} started as pid ${pid}`,
  );
  const id = taskOutputId(task.name);
  const drained = Promise.all(
    (['stdout', 'stderr'] as const).flatMap((stream) => {
      const readable = child[stream];
      return readable ? [deps.output.attach(id, stream, readable)] : [];
    }),
  );
  const { status, timedOut, interrupted } = await awaitExit(child, pid, task, deps);
  await atMost(drained, OUTPUT_DRAIN_LIMIT_MS);
  const took = formatElapsed(deps.now() - startMs);
  if (timedOut) {
    return {
      line: line(
        'fail',
        `timed out after ${formatDuration(task.timeoutMs)}: killed`,
        'find why it hangs, or raise its timeout',
      ),
      exitCode: exitCodeOf(status),
    };
  }
  if (interrupted)
    return {
      line: line('fail', `interrupted: procinit is stopping (${describeExit(status)})`),
      exitCode: exitCodeOf(status),
    };
  if (status.code === 0) return { line: line('ok', `exit 0 after ${took}`) };
  const code = exitCodeOf(status);
  const detail = status.signal === null ? `exit ${code}` : `${describeExit(status)} (exit ${code})`;
  return {
    line: line(
      'fail',
      `${detail} after ${took}`,
      `see its output above (${id} | …), fix the cause, and start again`,
    ),
    exitCode: code,
  };
}

/**
 * Runs `preflight.tasks` one after the other (SPEC §7); the first failing task stops the
 * start, and the tasks after it are listed as not run.
 */
export async function runTasks(
  tasks: readonly TaskSpec[],
  deps: TaskRunDeps,
): Promise<{ lines: PreflightLine[]; failed?: { name: string; exitCode: number } }> {
  const lines: PreflightLine[] = [];
  for (const [index, task] of tasks.entries()) {
    if (deps.signal?.aborted) {
      lines.push(...listTasks(tasks.slice(index), 'procinit is stopping', deps.secretPatterns));
      return { lines };
    }
    const outcome = await runTask(task, deps);
    lines.push(outcome.line);
    if (!outcome.line.ok) {
      lines.push(...listTasks(tasks.slice(index + 1), `task ${task.name} failed`, deps.secretPatterns));
      return { lines, failed: { name: task.name, exitCode: outcome.exitCode ?? 1 } };
    }
  }
  return { lines };
}
