import type { spawn } from 'node:child_process';
import type { Environ } from '../config/resolve-settings.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { ChildOutput } from '../runtime/output-child.js';
import type { EventLogger } from '../runtime/supervisor-loop.js';
import {
  type CurrentIds,
  currentIds,
  locateSetpriv,
  readUserDatabase,
  type UserDatabase,
  type UserIdentity,
} from '../runtime/user-identity.js';
import { checkCommands } from './check-commands.js';
import { checkDirs } from './check-dirs.js';
import { checkEnv } from './check-env.js';
import { type BindResult, checkPorts } from './check-ports.js';
import { checkUsers, usersInConfig } from './check-users.js';
import { sleep as realSleep, type WaitMode, waitForTarget } from './check-wait-for.js';
import type { PortHolder } from './port-holder.js';
import { anyFailed, type CheckKind, type PreflightLine } from './preflight-line.js';
import { listTasks, runTasks } from './run-tasks.js';
import { type Attempt, attemptTarget } from './wait-attempt.js';

export type PreflightMode = 'run' | 'check';

/** The OS behind preflight, replaceable in tests; every default touches the real system. */
export interface PreflightDeps {
  userDatabase?: () => UserDatabase;
  current?: CurrentIds;
  locateSetpriv?: () => string | undefined;
  attempt?: Attempt;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  bind?: (port: number) => Promise<BindResult>;
  holderOf?: (port: number) => PortHolder | undefined;
  spawn?: typeof spawn;
}

export interface PreflightOptions {
  /** `run` creates, waits and runs; `check` (procinit check) only looks (SPEC §7). */
  mode: PreflightMode;
  /** What processes will see: `preflightEnviron(config, process.env)`. */
  environ: Environ;
  /** Where task output goes (`task:migrate | …`); the processes' output, created once. */
  output: ChildOutput;
  logger: EventLogger;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  /** For relative command paths and as the tasks' working directory. Default process.cwd(). */
  cwd?: string;
  /** Abort when procinit is asked to stop: waits end, a running task gets SIGTERM. */
  signal?: AbortSignal;
  deps?: PreflightDeps;
}

export interface PreflightResult {
  mode: PreflightMode;
  /** False when any line failed: `run` exits 78 and starts nothing; `check` exits 78. */
  ok: boolean;
  /** In report order: env, user, dir, command, port, wait_for, task. */
  lines: PreflightLine[];
  durationMs: number;
  /** Every configured `user:`, resolved, for starting processes (see wrapArgvForUser). */
  identities: ReadonlyMap<string, UserIdentity>;
  /** Where setpriv is, or undefined when the image has none. */
  setprivPath: string | undefined;
  /** The task that stopped the start, with its exit code. */
  failedTask?: { name: string; exitCode: number };
  /** The signal aborted preflight. */
  interrupted: boolean;
  /** For the renderer's masking. */
  secretPatterns: readonly string[];
}

/** Logs one step's duration at debug (SPEC §9: every preflight step with its duration). */
function logStep(
  logger: EventLogger,
  check: CheckKind,
  lines: readonly PreflightLine[],
  durationMs: number,
): void {
  if (lines.length === 0) return;
  const durations = Object.fromEntries(lines.map((line) => [line.subject, line.durationMs]));
  logger.debug(
    { event: 'preflight.step', check, checks: lines.length, durationMs, durations },
    `preflight ${check}: ${lines.length} checked in ${durationMs} ms`,
  );
}

/** The user database when nothing names a user or an owner: nothing to look up. */
const NO_USERS: UserDatabase = { passwd: [], groups: [] };

/**
 * Runs every preflight check of the configuration and returns the whole report; it logs
 * progress (waits, tasks, step durations) but not the report (see logPreflightReport).
 *
 * All checks run, none stops the others (SPEC §7), in the report's order. Two exceptions keep
 * a failing start quick: once a check has failed, wait_for targets get a single attempt
 * instead of their whole timeout, and tasks are not run (they would run against a container
 * that is not ready, and a migration is not something to run "to see").
 */
export async function runPreflight(
  config: ResolvedConfig,
  options: PreflightOptions,
): Promise<PreflightResult> {
  const deps = options.deps ?? {};
  const now = options.now ?? Date.now;
  const { logger, mode } = options;
  const cwd = options.cwd ?? process.cwd();
  const patterns = config.secretPatterns;
  const spec = config.preflight;
  const startMs = now();
  const lines: PreflightLine[] = [];
  const step = async (check: CheckKind, fn: () => PreflightLine[] | Promise<PreflightLine[]>) => {
    const stepStartMs = now();
    const stepLines = await fn();
    logStep(logger, check, stepLines, now() - stepStartMs);
    lines.push(...stepLines);
  };

  const users = usersInConfig(config);
  // /etc/passwd, /etc/group and a PATH search for setpriv only when a user is named: most runs
  // name none, and these are ~0.5 ms of every start.
  const needsDb = users.size > 0 || spec.dirs.some((dir) => dir.owner !== undefined);
  const db = needsDb ? (deps.userDatabase ?? readUserDatabase)() : NO_USERS;
  const current = deps.current ?? currentIds();
  const setprivPath =
    users.size > 0 ? (deps.locateSetpriv ?? (() => locateSetpriv(options.environ.PATH)))() : undefined;
  let identities = new Map<string, UserIdentity>();

  await step('env', () => checkEnv(spec.env, options.environ, patterns));
  await step('user', () => {
    const checked = checkUsers(users, { db, current, setprivPath });
    identities = checked.identities;
    return checked.lines;
  });
  await step('dir', () => checkDirs(spec.dirs, { mode, db, currentUid: current.uid, now }));
  await step('command', () =>
    checkCommands(spec.commands, { pathEnv: options.environ.PATH, cwd, now, secretPatterns: patterns }),
  );
  await step('port', () =>
    checkPorts(spec.portsFree, {
      now,
      ...(deps.bind ? { bind: deps.bind } : {}),
      ...(deps.holderOf ? { holderOf: deps.holderOf } : {}),
    }),
  );
  const waitMode: WaitMode =
    mode === 'check'
      ? { kind: 'once', why: 'procinit check waits for nothing' }
      : anyFailed(lines)
        ? { kind: 'once', why: 'other checks failed' }
        : { kind: 'wait' };
  const waitDeps = {
    attempt: deps.attempt ?? attemptTarget,
    sleep: deps.sleep ?? realSleep,
    now,
    logger,
    secretPatterns: patterns,
    signal: options.signal,
  };
  // Targets are waited for side by side: the wait is the longest one, not their sum.
  await step('wait_for', () =>
    Promise.all(spec.waitFor.map((target) => waitForTarget(target, waitMode, waitDeps))),
  );

  let failedTask: PreflightResult['failedTask'];
  await step('task', async () => {
    if (mode === 'check') return listTasks(spec.tasks, 'check', patterns);
    if (anyFailed(lines)) return listTasks(spec.tasks, 'an earlier check failed', patterns);
    const ran = await runTasks(spec.tasks, {
      environ: options.environ,
      cwd,
      output: options.output,
      logger,
      now,
      identities,
      setprivPath,
      current,
      secretPatterns: patterns,
      signal: options.signal,
      abortGraceMs: config.shutdown.timeoutMs,
      ...(deps.spawn ? { spawn: deps.spawn } : {}),
    });
    failedTask = ran.failed;
    return ran.lines;
  });

  return {
    mode,
    ok: !anyFailed(lines),
    lines,
    durationMs: now() - startMs,
    identities,
    setprivPath,
    ...(failedTask ? { failedTask } : {}),
    interrupted: options.signal?.aborted ?? false,
    secretPatterns: patterns,
  };
}
