import type { ResolvedConfig } from '../config/resolved-config.js';
import type { ProcessSpec, SignalName, SignalTarget } from '../core/model.js';
import { maskEnv, maskText } from '../core/secrets.js';
import type { SupervisorState } from '../core/supervisor-state.js';
import type { HealthServer } from '../observe/health-server.js';
import { waitForGroupToEmpty } from './group-drain.js';
import { killAllDescendants, killTree } from './kill-tree.js';
import { exitImmediately } from './libc.js';
import type { ChildOutput } from './output-child.js';
import type { OutputSinks } from './output-sinks.js';
import { createProbeRunner } from './probe-runner.js';
import { createReaper, describeExit, type Reaper, trackChildProcesses } from './reaper.js';
import { listenForSignals } from './signals.js';
import { fanOutExit, type SpawnedChild, type SpawnOutcome, spawnProcess } from './spawner.js';
import { summarize } from './summary.js';
import { type EventLogger, logs, SupervisorLoop } from './supervisor-loop.js';
import { ownsTerminal, reclaimTerminal, spawnInTerminal } from './terminal-child.js';
import { type UserIdentity, wrapArgvForUser } from './user-identity.js';

export interface SuperviseOptions {
  config: ResolvedConfig;
  state: SupervisorState;
  sinks: OutputSinks;
  logger: EventLogger;
  /** Children's output, shared with preflight's tasks. */
  output: ChildOutput;
  /** Every configured `user:`, resolved by preflight. */
  identities: ReadonlyMap<string, UserIdentity>;
  /** util-linux setpriv as preflight found it; without it `user:` drops supplementary groups. */
  setprivPath: string | undefined;
  /** The health port, open since before preflight; told every new state from here on. */
  health: HealthServer;
  /** Where /metrics reads the count of reaped orphans from, once the reaper runs. */
  orphanCounter: OrphanCounter;
}

/** The reaper's count for /metrics; 0 until supervision starts. */
export interface OrphanCounter {
  total: () => number;
}

/** How long, after the last process is gone, procinit waits for its output pipes to drain. */
const OUTPUT_DRAIN_LIMIT_MS = 2_000;

/** Signals a pid or a process group; a target that is already gone is not an error. */
function sendSignal(pid: number, signal: SignalName, target: SignalTarget): void {
  try {
    process.kill(target === 'group' ? -pid : pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function logSpawn(logger: EventLogger, config: ResolvedConfig, spec: ProcessSpec, child: SpawnedChild): void {
  // On every (re)start: masking argv and env is skipped unless someone reads it.
  if (!logs(logger, 'debug')) return;
  const patterns = config.secretPatterns;
  logger.debug(
    {
      event: 'process.spawned',
      process: spec.id,
      pid: child.pid,
      pgid: child.pgid,
      argv: spec.argv.map((arg) => maskText(arg, patterns)),
      cwd: spec.cwd,
      user: spec.user ?? null,
      env: maskEnv(spec.env, patterns),
    },
    `${spec.id} started as pid ${child.pid}`,
  );
}

/** For a group-targeted process, its exit is reported once its whole group is gone (SPEC §5). */
function reportExitAfterGroup(spec: ProcessSpec, child: SpawnedChild): SpawnedChild {
  if (spec.signalTarget !== 'group') return child;
  const onExit = fanOutExit((listener) =>
    child.onExit((code, signal) => {
      waitForGroupToEmpty(child.pgid).then(() => listener(code, signal));
    }),
  );
  return { ...child, onExit };
}

/**
 * A spec as it must be launched for its `user:`: behind setpriv (which keeps the user's
 * supplementary groups, as gosu does; Node's own uid/gid drops them) with HOME, USER, LOGNAME.
 */
function asUser(spec: ProcessSpec, options: SuperviseOptions, warned: Set<string>) {
  const identity = spec.user === undefined ? undefined : options.identities.get(spec.user);
  if (!identity) return { spec };
  const launch = wrapArgvForUser(spec.argv, identity, { setprivPath: options.setprivPath });
  // Once per process, not on every restart.
  if (launch.warning && !warned.has(spec.id)) {
    warned.add(spec.id);
    options.logger.warn({ event: 'user.groups-dropped', process: spec.id }, launch.warning);
  }
  return { spec: { ...spec, argv: launch.argv, env: { ...spec.env, ...launch.env } }, ids: launch.spawnIds };
}

/** Picks how to start a process: on procinit's terminal in single-command mode, else piped. */
function spawnFor(options: SuperviseOptions, reaper: Reaper, onTerminal: boolean) {
  const warned = new Set<string>();
  return (spec: ProcessSpec): SpawnOutcome => {
    const launch = asUser(spec, options, warned);
    if (onTerminal) return spawnInTerminal(launch.spec, { environ: process.env, reaper });
    return spawnProcess(launch.spec, {
      environ: process.env,
      inheritStdio: options.config.singleCommand,
      ...(launch.ids ? { ids: launch.ids } : {}),
    });
  };
}

/**
 * Supervises the configured processes until the core says it is done, then makes sure nothing
 * is left behind and every line is out. Resolves with procinit's exit code.
 */
export function startSupervisor(options: SuperviseOptions): Promise<number> {
  const { config, logger, output } = options;
  const ownChildren = trackChildProcesses();
  const outputDone = new Set<Promise<void>>();
  const reaper = createReaper({
    isOwnChild: (pid) => ownChildren.has(pid),
    onReaped: (pid, status) =>
      logger.debug(
        { event: 'orphan.reaped', pid, code: status.code, signal: status.signal },
        `reaped orphan ${pid}: ${describeExit(status)}`,
      ),
    onError: (error) => logger.warn({ event: 'reaper.error' }, error.message),
  });
  // SPEC §3: on a terminal the single command owns it, as under tini.
  const onTerminal = config.singleCommand && ownsTerminal(0);
  const spawn = spawnFor(options, reaper, onTerminal);
  const { health } = options;
  options.orphanCounter.total = () => reaper.reapedTotal;

  return new Promise<number>((resolve) => {
    let stopListening = () => {};
    // Probe results come back later (timers, output lines), never while the loop is built.
    const probes = createProbeRunner({ onEvent: (event) => loop.dispatch(event), nowMs: Date.now, logger });
    const loop: SupervisorLoop = new SupervisorLoop(options.state, {
      nowMs: Date.now,
      onState: (state) => health.update(state),
      spawn: (spec) => {
        const outcome = spawn(spec);
        if (!outcome.ok) return outcome;
        logSpawn(logger, config, spec, outcome.child);
        const child = reportExitAfterGroup(spec, outcome.child);
        // Before attachOutput: a `log` readiness probe listens to this run's lines.
        probes.start(spec, child.pid);
        child.onExit(() => probes.stop(spec.id, child.pid));
        return { ok: true, child };
      },
      attachOutput: (spec, child) => {
        const onLine = probes.lineListener(spec.id);
        for (const stream of ['stdout', 'stderr'] as const) {
          const readable = child[stream];
          if (!readable) continue;
          const done = output.attach(spec.id, stream, readable, onLine);
          outputDone.add(done);
          done.then(() => outputDone.delete(done));
        }
      },
      sendSignal,
      killTree: (pid) => {
        killTree(pid, { pgid: pid, sid: pid });
      },
      logger,
      onExit: (code, state) => {
        probes.stopAll();
        stopListening();
        // The exit code is decided: nothing on the way out may lose it (this can run inside a
        // reaper callback, whose exceptions would otherwise be swallowed).
        try {
          if (onTerminal) reclaimTerminal(0);
        } catch (error) {
          logger.warn(
            { event: 'terminal.reclaim-failed' },
            `could not take the terminal back: ${String(error)}`,
          );
        }
        finishRun({ ...options, reaper, health, outputDone, state, code }).then(resolve, (error: unknown) => {
          logger.error({ event: 'exit.failed' }, `cleanup before exit failed: ${String(error)}`);
          resolve(code);
        });
      },
    });
    stopListening = listenForSignals((signal) => {
      logger.debug({ event: 'signal.received', signal }, `received ${signal}`);
      loop.dispatch({ type: 'SignalReceived', signal, nowMs: Date.now() });
    });
    // The first spawns come before the reaper's listener and timers (a SIGCHLD missed meanwhile
    // is caught by start's first scan); becoming the subreaper cannot wait for them.
    reaper.claimOrphans();
    loop.dispatch({ type: 'Booted', nowMs: Date.now() });
    reaper.start();
  });
}

interface FinishOptions extends SuperviseOptions {
  reaper: { stop(): void };
  health: HealthServer;
  outputDone: Set<Promise<void>>;
  code: number;
}

/** Node options whose output is written during Node's teardown, which _exit would skip. */
const WRITES_AT_EXIT = /^--(cpu-prof|heap-prof|prof)(=|$|-)/;

/** Whether someone profiles or measures coverage of procinit itself (they need a normal exit). */
function nodeWritesAtExit(): boolean {
  return (
    process.env.NODE_V8_COVERAGE !== undefined || process.execArgv.some((arg) => WRITES_AT_EXIT.test(arg))
  );
}

/** The end: sweep leftovers, let the pipes drain, print the summary, flush every byte. */
async function finishRun(options: FinishOptions): Promise<number> {
  const { logger, sinks, state } = options;
  // Whatever a process left behind (a daemonized grandchild, an orphan) dies with procinit.
  const swept = killAllDescendants();
  if (swept.signalled.length > 0) {
    logger.debug(
      { event: 'shutdown.swept', pids: swept.signalled },
      `killed ${swept.signalled.length} leftover processes`,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise((resolve) => {
    timer = setTimeout(resolve, OUTPUT_DRAIN_LIMIT_MS);
  });
  await Promise.race([Promise.all(options.outputDone), limit]);
  clearTimeout(timer);
  options.reaper.stop();
  await options.health.close();
  for (const line of summarize(state)) logger.info({ event: 'summary', ...line.fields }, line.msg);
  await sinks.flush();
  sinks.flushSync();
  // Every byte is out and every child is gone: Node's own teardown has nothing left to do for
  // procinit, and skipping it takes ~1.3 ms off every container stop. A listener, so the code
  // cache writer (scripts/build.mjs) still runs first.
  if (!nodeWritesAtExit()) process.once('exit', exitImmediately);
  return options.code;
}
