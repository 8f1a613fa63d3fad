import { isatty } from 'node:tty';
import { loadConfig } from '../config/load-config.js';
import { configForDisplay } from '../config/render-config.js';
import type { CliOptions, ResolvedConfig } from '../config/resolved-config.js';
import { initialState, type SupervisorState } from '../core/supervisor-state.js';
import { createHealthServer } from '../observe/health-server.js';
import { createLogger, type Logger } from '../observe/logger.js';
import {
  logPreflightReport,
  PREFLIGHT_FAILED_EXIT,
  preflightEnviron,
  runPreflight,
  taskOutputId,
} from '../preflight/index.js';
import { type ChildOutput, createChildOutput } from '../runtime/output-child.js';
import { createOutputSinks } from '../runtime/output-sinks.js';
import { type OrphanCounter, startSupervisor } from '../runtime/supervise.js';
import { VERSION } from '../version.js';

/** The widest name in the output: every process id, every `task:NAME`, and `procinit` itself. */
function prefixWidth(config: ResolvedConfig): number {
  const ids = [
    ...config.processes.map((spec) => spec.id),
    ...config.preflight.tasks.map((task) => taskOutputId(task.name)),
  ];
  return Math.max('procinit'.length, ...ids.map((id) => id.length));
}

/**
 * Opens the health port before preflight (SPEC §6: served while procinit runs), so a long
 * wait_for or migration answers `starting` rather than refusing the orchestrator's probes.
 * A port that cannot be opened fails with a ProcinitError (health.listen-failed, exit 78).
 */
async function openHealthPort(
  config: ResolvedConfig,
  state: SupervisorState,
  logger: Logger,
  output: ChildOutput,
) {
  const orphanCounter: OrphanCounter = { total: () => 0 };
  const health = await createHealthServer({
    port: config.health.port,
    host: config.health.host,
    version: VERSION,
    state,
    // Not performance.timeOrigin: the global `performance` loads perf_hooks (~0.8 ms a start).
    startedAtMs: Math.round(Date.now() - process.uptime() * 1000),
    counters: { orphansReaped: () => orphanCounter.total(), lineCounts: () => output.lineCounts() },
    logger,
  });
  return { health, orphanCounter };
}

/**
 * Preflight, interruptible: as PID 1 a signal without a handler is ignored by the kernel, so
 * `docker stop` during a long wait_for would hang until Docker's SIGKILL without this.
 */
async function preflight(config: ResolvedConfig, output: ChildOutput, logger: Logger) {
  const abort = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ event: 'preflight.interrupted', signal }, `preflight interrupted by ${signal}`);
    abort.abort();
  };
  const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
  for (const signal of signals) process.on(signal, stop);
  try {
    const result = await runPreflight(config, {
      mode: 'run',
      environ: preflightEnviron(config, process.env),
      output,
      logger,
      signal: abort.signal,
    });
    logPreflightReport(result, logger);
    return { result, interrupted: abort.signal.aborted };
  } finally {
    for (const signal of signals) process.off(signal, stop);
  }
}

/** `procinit run`: configuration, preflight, then supervise until everything has stopped. */
export async function runCommand(cli: CliOptions): Promise<number> {
  const config = await loadConfig(cli, {
    environ: process.env,
    cwd: process.cwd(),
    // isatty, not process.stdout.isTTY: creating process.stdout would make a piped fd 1
    // non-blocking under the output sinks (output-sinks.ts), and costs ~0.5 ms.
    stdoutIsTTY: isatty(1),
  });
  const sinks = createOutputSinks();
  const width = prefixWidth(config);
  const logger = createLogger({
    level: cli.quiet ? 'warn' : config.log.level,
    format: config.log.format,
    timestamps: config.log.timestamps,
    color: config.log.color,
    // In single-command mode the program owns stdout (`procinit -- cmd | jq` must stay clean),
    // so procinit's own lines go to stderr, as tini's do.
    sinks: config.singleCommand ? { stdout: sinks.stderr } : sinks,
    prefixWidth: width,
  });
  if (logger.isLevelEnabled('debug')) {
    logger.debug({ event: 'config.resolved', config: configForDisplay(config) }, 'resolved configuration');
  }
  const output = createChildOutput({
    format: config.log.format,
    color: config.log.color,
    timestamps: config.log.timestamps,
    prefixWidth: width,
    sinks,
    procIds: config.processes.map((spec) => spec.id),
  });
  const state = initialState(config.processes, {
    drainMs: config.shutdown.drainMs,
    singleCommand: config.singleCommand,
  });
  const { health, orphanCounter } = await openHealthPort(config, state, logger, output);
  const checked = await preflight(config, output, logger);
  if (!checked.result.ok || checked.interrupted) {
    await health.close();
    await sinks.flush();
    // A signal during preflight is a shutdown that was asked for: nothing ran, nothing failed.
    return checked.interrupted ? 0 : PREFLIGHT_FAILED_EXIT;
  }
  return startSupervisor({
    config,
    state,
    sinks,
    logger,
    output,
    identities: checked.result.identities,
    setprivPath: checked.result.setprivPath,
    health,
    orphanCounter,
  });
}
