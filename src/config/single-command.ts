import type { ProcessSpec } from '../core/model.js';
import type { ProblemDetails } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import type { CliOptions } from './resolved-config.js';

/** What the single process of `procinit -- COMMAND` shares with a Procfile run. */
export interface SingleCommandContext {
  baseEnv: Readonly<Record<string, string>>;
  cwd: string;
  defaultUser: string | undefined;
  shutdownTimeoutMs: number;
  basePort: number | undefined;
}

/**
 * The process type name of a single command: the program's base name with anything outside
 * `[A-Za-z0-9_-]` turned into `-` (`/usr/bin/python3.12` → `python3-12`), so the log prefix
 * says what runs; `main` when nothing is left.
 */
export function singleCommandName(program: string): string {
  const base = program.split('/').filter(Boolean).at(-1) ?? '';
  const name = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return name === '' ? 'main' : name;
}

/** An argv as one line a user could paste into a shell, for logs. */
export function quoteArgv(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** Flags that select Procfile processes make no sense with `-- COMMAND`. */
export function singleCommandConflicts(cli: CliOptions): ProblemDetails[] {
  const flags: [string, unknown][] = [
    ['-f/--procfile', cli.procfile],
    ['-m/--formation', cli.formation],
    ['--only', cli.only],
  ];
  return flags
    .filter(([, value]) => value !== undefined)
    .map(([flag]) => ({
      code: 'cli.conflict',
      what: `${flag} cannot be combined with -- COMMAND`,
      why: 'with -- COMMAND procinit supervises that one command instead of a Procfile',
      fix: `drop ${flag}, or drop the command after --`,
    }));
}

/**
 * The one process of `procinit -- COMMAND ARGS` (SPEC §3): the argv as given (no shell),
 * restart never, critical, signals to its own pid. Its id is `NAME.1` like any other process.
 */
export function singleCommandProcess(argv: readonly string[], ctx: SingleCommandContext): ProcessSpec {
  const name = singleCommandName(argv[0] ?? '');
  const env: Record<string, string> = { ...ctx.baseEnv };
  if (ctx.basePort !== undefined) env.PORT = String(ctx.basePort);
  env.PROCINIT_PROCESS = `${name}.1`;
  env.PROCINIT_INSTANCE = '1';
  return {
    id: `${name}.1`,
    name,
    instance: 1,
    command: quoteArgv(argv),
    argv: [...argv],
    simple: true,
    env,
    cwd: ctx.cwd,
    ...(ctx.defaultUser === undefined ? {} : { user: ctx.defaultUser }),
    restart: 'never',
    backoff: { ...DEFAULTS.backoff },
    maxRestarts: 0,
    restartWindowMs: DEFAULTS.restartWindowMs,
    critical: true,
    stopTimeoutMs: ctx.shutdownTimeoutMs,
    signalTarget: 'process',
    dependsOn: {},
  };
}
