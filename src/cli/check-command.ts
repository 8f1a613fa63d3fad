import { isatty } from 'node:tty';
import { loadConfig } from '../config/load-config.js';
import type { CliOptions } from '../config/resolved-config.js';
import { createLogger } from '../observe/logger.js';
import {
  logPreflightReport,
  PREFLIGHT_FAILED_EXIT,
  preflightEnviron,
  runPreflight,
} from '../preflight/index.js';
import { createChildOutput } from '../runtime/output-child.js';
import { createOutputSinks } from '../runtime/output-sinks.js';

/** `procinit check`: the preflight report, creating, waiting for and running nothing (SPEC §7). */
export async function checkCommand(cli: CliOptions): Promise<number> {
  const config = await loadConfig(cli, {
    environ: process.env,
    cwd: process.cwd(),
    // isatty, not process.stdout.isTTY: creating process.stdout would make a piped fd 1
    // non-blocking under the output sinks (output-sinks.ts), and costs ~0.5 ms.
    stdoutIsTTY: isatty(1),
  });
  const sinks = createOutputSinks();
  const width = 'procinit'.length;
  const options = { format: config.log.format, timestamps: config.log.timestamps, color: config.log.color };
  const logger = createLogger({
    ...options,
    level: cli.quiet ? 'warn' : config.log.level,
    sinks,
    prefixWidth: width,
  });
  const output = createChildOutput({ ...options, prefixWidth: width, sinks });
  const result = await runPreflight(config, {
    mode: 'check',
    environ: preflightEnviron(config, process.env),
    output,
    logger,
  });
  logPreflightReport(result, logger);
  await sinks.flush();
  return result.ok ? 0 : PREFLIGHT_FAILED_EXIT;
}
