import { dirname } from 'node:path';
import type { ProcessSpec } from '../core/model.js';
import { BUILTIN_SECRET_PATTERNS } from '../core/secrets.js';
import type { ProblemDetails } from '../errors.js';
import type { ConfigFile } from './load-config-file.js';
import { collectProcessTypes, type ProcfileInput } from './process-types.js';
import { resolvePreflight } from './resolve-preflight.js';
import { selectProcesses, validBasePort } from './resolve-selection.js';
import { type Environ, resolveHealth, resolveLog, resolveShutdown } from './resolve-settings.js';
import type { CliOptions, ResolvedConfig } from './resolved-config.js';
import { singleCommandConflicts, singleCommandProcess } from './single-command.js';

/** A loaded .env file. */
export interface EnvFileInput {
  /** The name used in messages. */
  file: string;
  /** The absolute path, for `sources`. */
  path: string;
  vars: Readonly<Record<string, string>>;
}

/** Everything the resolver decides from; it reads no file and no global state. */
export interface ResolveInput {
  cli: CliOptions;
  environ: Environ;
  /** procinit's working directory (absolute). */
  cwd: string;
  stdoutIsTTY: boolean;
  /** Absent when there is no Procfile (allowed with `processes:` commands or `-- COMMAND`). */
  procfile?: ProcfileInput;
  /** Absent when there is no procinit.yaml. `path` is absolute. */
  config?: ConfigFile & { path: string };
  /** In load order: a later file wins over an earlier one. */
  envFiles?: readonly EnvFileInput[];
}

/** The resolved configuration, or every problem that prevents it. */
export type ResolveResult = { ok: true; config: ResolvedConfig } | { ok: false; problems: ProblemDetails[] };

/**
 * The variables env files add: those procinit's environment does not already set (SPEC §2.2:
 * env files never override), a later file winning over an earlier one.
 */
export function envFromFiles(envFiles: readonly EnvFileInput[], environ: Environ): Record<string, string> {
  const env = new Map<string, string>();
  for (const envFile of envFiles) {
    for (const [name, value] of Object.entries(envFile.vars)) {
      if (environ[name] === undefined) env.set(name, value);
    }
  }
  return Object.fromEntries(env);
}

function noProcessesProblem(procfile: ProcfileInput | undefined): ProblemDetails {
  return {
    code: 'config.no-processes',
    what: procfile
      ? `nothing to run: ${procfile.file} defines no process and procinit.yaml has no processes with a command`
      : 'nothing to run: no Procfile, and no processes with a command in procinit.yaml',
    fix:
      'create a Procfile with one line per process (web: gunicorn app:app), ' +
      'or define processes: NAME: command: in procinit.yaml, or run one command: procinit -- COMMAND ARGS',
  };
}

/** A Procfile run's processes, or the single command's. */
function resolveProcesses(
  input: ResolveInput,
  shared: { baseEnv: Record<string, string>; configDir: string; shutdownTimeoutMs: number },
  problems: ProblemDetails[],
): ProcessSpec[] {
  const { cli, config } = input;
  const defaultUser = config?.data.user;
  if (cli.command !== undefined) {
    problems.push(...singleCommandConflicts(cli));
    if (cli.command.length === 0) {
      problems.push({
        code: 'cli.missing-command',
        what: 'no command after --',
        fix: 'procinit -- COMMAND ARGS',
      });
      return [];
    }
    const basePort = validBasePort(cli.port, problems);
    const ctx = { ...shared, cwd: input.cwd, defaultUser, basePort };
    return [singleCommandProcess(cli.command, ctx)];
  }
  const before = problems.length;
  const types = collectProcessTypes(input.procfile, config, problems);
  if (types.length === 0) {
    // Options for types defined nowhere already say what is missing, more precisely.
    if (problems.length === before) problems.push(noProcessesProblem(input.procfile));
    return [];
  }
  const ctx = { ...shared, cwd: input.cwd, defaultUser, config };
  return selectProcesses(types, cli, input.environ, ctx, problems);
}

/**
 * Resolves flags, PROCINIT_* variables, procinit.yaml, the Procfile, env files and defaults
 * into one ResolvedConfig (SPEC §2.3), or returns every problem found. Pure: the caller reads
 * the files; paths written in procinit.yaml are taken from its directory.
 */
export function resolveConfig(input: ResolveInput): ResolveResult {
  const { cli, environ, config } = input;
  const problems: ProblemDetails[] = [];
  const data = config?.data ?? {};
  const configDir = config ? dirname(config.path) : input.cwd;
  const health = resolveHealth(cli, environ, data, problems);
  const shutdown = resolveShutdown(cli, environ, data, problems);
  const log = resolveLog(cli, environ, input.stdoutIsTTY, data, problems);
  const preflight = resolvePreflight(config, configDir, data.user, problems);
  const envFiles = input.envFiles ?? [];
  const baseEnv = envFromFiles(envFiles, environ);
  const processes = resolveProcesses(
    input,
    { baseEnv, configDir, shutdownTimeoutMs: shutdown.timeoutMs },
    problems,
  );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      sources: {
        ...(input.procfile && cli.command === undefined ? { procfile: input.procfile.path } : {}),
        ...(config ? { config: config.path } : {}),
        envFiles: envFiles.map((envFile) => envFile.path),
      },
      processes,
      singleCommand: cli.command !== undefined,
      ...(data.user === undefined ? {} : { user: data.user }),
      secretPatterns: [...BUILTIN_SECRET_PATTERNS, ...(data.preflight?.env?.secret ?? [])],
      preflight,
      health,
      shutdown,
      log,
    },
  };
}
