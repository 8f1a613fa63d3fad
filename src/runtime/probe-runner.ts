import type { SupervisorEvent } from '../core/events.js';
import type { ProbeSpec, ProcessSpec } from '../core/model.js';
import {
  createProbeTracker,
  nextAttemptDelayMs,
  type ProbeRole,
  type ProbeTracker,
  type ProbeTransition,
  recordProbeResult,
} from '../core/probe-tracker.js';
import type { LineListener } from './line-framer.js';
import {
  attemptCheck,
  createLogMatcher,
  type ExecAttemptOptions,
  type PolledCheck,
  type ProbeResult,
} from './probe-checks.js';

/** procinit's own log, as the runner needs it (pino's method shape). */
export interface ProbeLogger {
  trace(fields: object, msg: string): void;
  debug(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface ProbeRunnerOptions {
  /** Receives `ReadinessChanged` and `LivenessFailed`: usually the supervisor loop's `dispatch`. */
  onEvent: (event: SupervisorEvent) => void;
  /** Epoch milliseconds, for events and attempt durations. */
  nowMs: () => number;
  logger: ProbeLogger;
  /** procinit's own environment, under the process's additions, for `exec`. Default process.env. */
  environ?: NodeJS.ProcessEnv;
  /** Runs one attempt; a seam for tests. Default: {@link attemptCheck}. */
  attempt?: (check: PolledCheck, options: ExecAttemptOptions) => Promise<ProbeResult>;
}

/** Runs the readiness and liveness probes of running processes and reports what they find. */
export interface ProbeRunner {
  /**
   * Starts the probes of a run that was just spawned as `pid` (replacing those of an earlier
   * run). Nothing is reported synchronously: the first attempt comes after `initial_delay`,
   * on a timer, so the supervisor has taken in the spawn before any verdict arrives.
   */
  start(spec: ProcessSpec, pid: number): void;
  /** Stops the probes of `id`: no more attempts, and one in flight is aborted and ignored. */
  stop(id: string, pid?: number): void;
  stopAll(): void;
  /**
   * The output listener of the current run's `log` readiness probe, for `attach(…, onLine)` on
   * each stream; undefined when it has none, so no line is turned into a string for nothing.
   * Call it after `start`. It unsubscribes (returns false) once a line matched or the run ended.
   */
  lineListener(id: string): LineListener | undefined;
}

interface PolledProbe {
  role: ProbeRole;
  spec: ProbeSpec;
  check: PolledCheck;
  tracker: ProbeTracker;
  timer: NodeJS.Timeout | undefined;
}

interface LogProbe {
  matches: (line: string) => boolean;
  tracker: ProbeTracker;
  matched: boolean;
}

interface Run {
  id: string;
  pid: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  stopped: boolean;
  abort: AbortController;
  polled: PolledProbe[];
  log: LogProbe | undefined;
}

/** Creates the probe runner. Timers are real; every verdict comes from `core/probe-tracker`. */
export function createProbeRunner(options: ProbeRunnerOptions): ProbeRunner {
  const { onEvent, nowMs, logger } = options;
  const environ = options.environ ?? process.env;
  const attempt = options.attempt ?? attemptCheck;
  const runs = new Map<string, Run>();

  const report = (run: Run, role: ProbeRole, kind: string, tracker: ProbeTracker, change: Change): void => {
    const { transition, detail } = change;
    logger.debug(
      { event: 'probe.transition', process: run.id, probe: role, kind, transition, detail },
      `${run.id} ${role} probe (${kind}): ${describeTransition(transition, tracker)}, last: ${detail}`,
    );
    if (transition === 'live-failed') {
      const reason = `${tracker.failureThreshold} ${kind} failures in a row, last: ${detail}`;
      onEvent({ type: 'LivenessFailed', id: run.id, reason, nowMs: nowMs() });
    } else {
      onEvent({ type: 'ReadinessChanged', id: run.id, ready: transition === 'ready', nowMs: nowMs() });
    }
  };

  const schedule = (run: Run, probe: PolledProbe, delayMs: number): void => {
    probe.timer = setTimeout(() => {
      probe.timer = undefined;
      attemptOnce(run, probe).catch((error: unknown) =>
        logger.warn(
          { event: 'probe.error', process: run.id, probe: probe.role },
          `${run.id} ${probe.role} probe: ${String(error)}`,
        ),
      );
    }, delayMs);
    // Probes alone must not keep procinit running.
    probe.timer.unref();
  };

  /** One attempt, then the next one scheduled: never two attempts of one probe at once. */
  const attemptOnce = async (run: Run, probe: PolledProbe): Promise<void> => {
    if (run.stopped) return;
    const startedMs = nowMs();
    const result = await attempt(probe.check, {
      timeoutMs: probe.spec.timeoutMs,
      signal: run.abort.signal,
      env: run.env,
      cwd: run.cwd,
    }).catch((error: unknown): ProbeResult => ({ ok: false, detail: String(error) }));
    if (run.stopped) return;
    const durationMs = nowMs() - startedMs;
    const { kind } = probe.check;
    logger.trace(
      {
        event: 'probe.attempt',
        process: run.id,
        probe: probe.role,
        kind,
        result: result.ok ? 'pass' : 'fail',
        detail: result.detail,
        durationMs,
      },
      `${run.id} ${probe.role} probe (${kind}): ${result.ok ? 'pass' : 'fail'}, ${result.detail}, ${durationMs} ms`,
    );
    const { tracker, transition } = recordProbeResult(probe.tracker, result.ok);
    probe.tracker = tracker;
    if (transition) report(run, probe.role, kind, tracker, { transition, detail: result.detail });
    if (!run.stopped) schedule(run, probe, nextAttemptDelayMs(probe.spec.intervalMs, durationMs));
  };

  const stop = (id: string, pid?: number): void => {
    const run = runs.get(id);
    if (!run || (pid !== undefined && run.pid !== pid)) return;
    run.stopped = true;
    run.abort.abort();
    for (const probe of run.polled) clearTimeout(probe.timer);
    runs.delete(id);
  };

  return {
    start(spec, pid) {
      stop(spec.id);
      if (!spec.readiness && !spec.liveness) return;
      const run = createRun(spec, pid, environ, logger);
      runs.set(spec.id, run);
      for (const probe of run.polled) schedule(run, probe, probe.spec.initialDelayMs);
    },
    stop,
    stopAll() {
      for (const id of [...runs.keys()]) stop(id);
    },
    lineListener(id) {
      const run = runs.get(id);
      const log = run?.log;
      if (!run || !log) return undefined;
      return (line) => {
        if (run.stopped || log.matched) return false;
        if (!log.matches(line)) return true;
        log.matched = true;
        const { tracker, transition } = recordProbeResult(log.tracker, true);
        log.tracker = tracker;
        // Reported outside the framer that called us: the supervisor may spawn and attach
        // dependents in response, and a listener must not do that while a chunk is framed.
        if (transition) {
          queueMicrotask(() => {
            if (!run.stopped)
              report(run, 'readiness', 'log', tracker, { transition, detail: 'a line matched' });
          });
        }
        return false;
      };
    },
  };
}

interface Change {
  transition: ProbeTransition;
  detail: string;
}

function describeTransition(transition: ProbeTransition, tracker: ProbeTracker): string {
  switch (transition) {
    case 'ready':
      return `ready after ${tracker.successes} ${tracker.successes === 1 ? 'pass' : 'passes in a row'}`;
    case 'not-ready':
      return `not ready after ${tracker.failures} failures in a row`;
    case 'live-failed':
      return `failed ${tracker.failureThreshold} times in a row`;
  }
}

/** The probes of one run, with fresh trackers: a new run starts not ready. */
function createRun(spec: ProcessSpec, pid: number, environ: NodeJS.ProcessEnv, logger: ProbeLogger): Run {
  const run: Run = {
    id: spec.id,
    pid,
    cwd: spec.cwd,
    env: { ...environ, ...spec.env },
    stopped: false,
    abort: new AbortController(),
    polled: [],
    log: undefined,
  };
  const probes: [ProbeRole, ProbeSpec | undefined][] = [
    ['readiness', spec.readiness],
    ['liveness', spec.liveness],
  ];
  for (const [role, probeSpec] of probes) {
    if (!probeSpec) continue;
    const tracker = createProbeTracker(role, probeSpec);
    const { check } = probeSpec;
    if (check.kind !== 'log') {
      run.polled.push({ role, spec: probeSpec, check, tracker, timer: undefined });
    } else if (role === 'liveness') {
      // The config schema refuses this; were it to slip through, never restart on it.
      logger.warn(
        { event: 'probe.invalid', process: spec.id, probe: role },
        `${spec.id}: a log probe is for readiness only; liveness is not checked`,
      );
    } else {
      run.log = { matches: compileLogPattern(spec.id, check.pattern, logger), tracker, matched: false };
    }
  }
  return run;
}

/** The config validated the pattern; should it still not compile, the process never turns ready. */
function compileLogPattern(id: string, pattern: string, logger: ProbeLogger): (line: string) => boolean {
  try {
    return createLogMatcher(pattern);
  } catch (error) {
    logger.warn(
      { event: 'probe.invalid', process: id, probe: 'readiness' },
      `${id}: the log readiness pattern does not compile (${String(error)}): it will never be ready`,
    );
    return () => false;
  }
}
