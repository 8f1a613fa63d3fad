import type { ProblemDetails } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { asIs, durationParser, firstSet, oneOfParser, portParser, textParser } from './layered-setting.js';
import type { CliOptions, LogFormat, LogLevel, ResolvedConfig } from './resolved-config.js';
import type { ConfigFileData } from './schema.js';

/** The process environment procinit was started with. */
export type Environ = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json', 'raw'];

/** The health server's port and host: flag, variable, procinit.yaml, default. */
export function resolveHealth(
  cli: CliOptions,
  environ: Environ,
  data: ConfigFileData,
  problems: ProblemDetails[],
): ResolvedConfig['health'] {
  const port = firstSet(
    [
      { label: '--health-port', raw: cli.healthPort, parse: portParser },
      { label: 'PROCINIT_HEALTH_PORT', raw: environ.PROCINIT_HEALTH_PORT, parse: portParser },
      { label: 'health.port', raw: data.health?.port, parse: asIs<number> },
    ],
    DEFAULTS.healthPort,
    problems,
  );
  const host = firstSet(
    [
      { label: '--health-host', raw: cli.healthHost, parse: textParser },
      { label: 'PROCINIT_HEALTH_HOST', raw: environ.PROCINIT_HEALTH_HOST, parse: textParser },
      { label: 'health.host', raw: data.health?.host, parse: asIs<string> },
    ],
    DEFAULTS.healthHost,
    problems,
  );
  return { port, host };
}

/** The shutdown timeout (flag, variable, yaml, 8s) and drain (yaml, 0s). */
export function resolveShutdown(
  cli: CliOptions,
  environ: Environ,
  data: ConfigFileData,
  problems: ProblemDetails[],
): ResolvedConfig['shutdown'] {
  const timeoutMs = firstSet(
    [
      { label: '--shutdown-timeout', raw: cli.shutdownTimeout, parse: durationParser },
      { label: 'PROCINIT_SHUTDOWN_TIMEOUT', raw: environ.PROCINIT_SHUTDOWN_TIMEOUT, parse: durationParser },
      { label: 'shutdown.timeout', raw: data.shutdown?.timeout, parse: asIs<number> },
    ],
    DEFAULTS.shutdownTimeoutMs,
    problems,
  );
  return { timeoutMs, drainMs: data.shutdown?.drain ?? DEFAULTS.drainMs };
}

/** The level asked for by -v/-q, or undefined when neither was given. */
function levelFromFlags(cli: CliOptions, problems: ProblemDetails[]): LogLevel | undefined {
  const verbose = cli.verbose ?? 0;
  if (verbose > 0 && cli.quiet) {
    problems.push({ code: 'cli.conflict', what: '-v/--verbose and -q/--quiet cannot be used together' });
  }
  if (verbose >= 2) return 'trace';
  if (verbose === 1) return 'debug';
  return cli.quiet ? 'warn' : undefined;
}

/**
 * Whether output is coloured: never with --no-color or NO_COLOR (no-color.org: any non-empty
 * value), always with FORCE_COLOR (unless `0` or `false`), else when stdout is a terminal.
 * Only `false` counts from the flag: commander's `--no-color` makes `color` true by default.
 */
function resolveColor(cli: CliOptions, environ: Environ, stdoutIsTTY: boolean): boolean {
  if (cli.color === false) return false;
  if (environ.NO_COLOR !== undefined && environ.NO_COLOR !== '') return false;
  const force = environ.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stdoutIsTTY;
}

/** Log level (-v/-q, variable, yaml, info), format, timestamps and colour. */
export function resolveLog(
  cli: CliOptions,
  environ: Environ,
  stdoutIsTTY: boolean,
  data: ConfigFileData,
  problems: ProblemDetails[],
): ResolvedConfig['log'] {
  const level = firstSet(
    [
      { label: '-v/-q', raw: levelFromFlags(cli, problems), parse: asIs<LogLevel> },
      { label: 'PROCINIT_LOG_LEVEL', raw: environ.PROCINIT_LOG_LEVEL, parse: oneOfParser(LOG_LEVELS) },
      { label: 'log.level', raw: data.log?.level, parse: asIs<LogLevel> },
    ],
    DEFAULTS.logLevel,
    problems,
  );
  const format = firstSet(
    [
      { label: '--log-format', raw: cli.logFormat, parse: oneOfParser(LOG_FORMATS) },
      { label: 'PROCINIT_LOG_FORMAT', raw: environ.PROCINIT_LOG_FORMAT, parse: oneOfParser(LOG_FORMATS) },
      { label: 'log.format', raw: data.log?.format, parse: asIs<LogFormat> },
    ],
    DEFAULTS.logFormat,
    problems,
  );
  const timestamps = cli.timestamps ?? data.log?.timestamps ?? DEFAULTS.timestamps;
  return { level, format, timestamps, color: resolveColor(cli, environ, stdoutIsTTY) };
}
