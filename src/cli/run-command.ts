import { loadConfig } from '../config/load-config.js';
import { configForDisplay } from '../config/render-config.js';
import type { CliOptions, ResolvedConfig } from '../config/resolved-config.js';
import { initialState } from '../core/supervisor-state.js';
import { createLogger } from '../observe/logger.js';
import { createOutputSinks } from '../runtime/output-sinks.js';
import { startSupervisor } from '../runtime/supervise.js';

/** The widest name in the output: every process id, and `procinit` itself. */
function prefixWidth(config: ResolvedConfig): number {
  return Math.max('procinit'.length, ...config.processes.map((spec) => spec.id.length));
}

/** `procinit run`: load the configuration, then supervise until everything has stopped. */
export async function runCommand(cli: CliOptions): Promise<number> {
  const config = loadConfig(cli, {
    environ: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
  });
  const sinks = createOutputSinks();
  const logger = createLogger({
    level: cli.quiet ? 'warn' : config.log.level,
    format: config.log.format,
    timestamps: config.log.timestamps,
    color: config.log.color,
    // In single-command mode the program owns stdout (`procinit -- cmd | jq` must stay clean),
    // so procinit's own lines go to stderr, as tini's do.
    sinks: config.singleCommand ? { stdout: sinks.stderr } : sinks,
    prefixWidth: prefixWidth(config),
  });
  logger.debug({ event: 'config.resolved', config: configForDisplay(config) }, 'resolved configuration');
  const state = initialState(config.processes, {
    drainMs: config.shutdown.drainMs,
    singleCommand: config.singleCommand,
  });
  return startSupervisor({ config, state, sinks, logger, prefixWidth: prefixWidth(config) });
}
