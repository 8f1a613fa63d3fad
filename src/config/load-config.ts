import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ProblemDetails, ProcinitError } from '../errors.js';
import {
  CONFIG_FILE_NAMES,
  chooseConfigPath,
  chooseEnvFiles,
  chooseProcfilePath,
  displayPath,
  type FileChoice,
} from './config-paths.js';
import { parseEnvFile } from './env-file.js';
import type { ConfigFile } from './load-config-file.js';
import type { ProcfileInput } from './process-types.js';
import { parseProcfile } from './procfile.js';
import { type EnvFileInput, resolveConfig } from './resolve.js';
import { type Environ, resolveHealth } from './resolve-settings.js';
import type { CliOptions, ResolvedConfig } from './resolved-config.js';

/** What loadConfig needs from the process it runs in, passed in so tests need no globals. */
export interface LoadContext {
  environ: Environ;
  /** Absolute. */
  cwd: string;
  stdoutIsTTY: boolean;
}

type Read = { text: string } | { missing: true } | { problem: ProblemDetails };
type FileKind = 'config' | 'procfile' | 'env-file';

const KIND_NAMES: Record<FileKind, string> = {
  config: 'config file',
  procfile: 'Procfile',
  'env-file': 'env file',
};

/** Reads a file; a missing one is reported as such, any other failure as a problem. */
function readText(choice: FileChoice, kind: FileKind, cwd: string): Read {
  try {
    return { text: readFileSync(choice.path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !choice.required) return { missing: true };
    const name = displayPath(choice.path, cwd);
    const reason =
      code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    const problem: ProblemDetails = {
      code: code === 'ENOENT' ? `${kind}.not-found` : `${kind}.unreadable`,
      what: `${KIND_NAMES[kind]} ${JSON.stringify(name)} (from ${choice.from}): ${reason}`,
      ...(code === 'ENOENT' ? { fix: `create ${name}, or correct the path given by ${choice.from}` } : {}),
      ...(choice.where ? { where: choice.where } : {}),
    };
    return { problem };
  }
}

/** procinit.yaml (.yml, .json) in the working directory; two of them at once is a problem. */
function discoverConfig(cwd: string, problems: ProblemDetails[]): FileChoice | undefined {
  const found: FileChoice[] = [];
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) found.push({ path, from: 'default', required: false });
  }
  if (found.length > 1) {
    problems.push({
      code: 'config.ambiguous',
      what: `found ${found.map((choice) => displayPath(choice.path, cwd)).join(' and ')}`,
      why: 'procinit reads one configuration file',
      fix: 'keep one of them, or name the one to use with -c/--config',
    });
  }
  return found[0];
}

/**
 * Reads and validates procinit.yaml, if there is one. The YAML parser and the schema are
 * imported only then: a Procfile-only start never loads them (they are most of the bundle).
 */
async function loadConfigFile(
  cli: CliOptions,
  context: LoadContext,
  problems: ProblemDetails[],
): Promise<{ config?: ConfigFile & { path: string }; failed: boolean }> {
  const choice = chooseConfigPath(cli, context.environ, context.cwd) ?? discoverConfig(context.cwd, problems);
  if (!choice) return { failed: false };
  const read = readText(choice, 'config', context.cwd);
  if ('missing' in read) return { failed: false };
  if ('problem' in read) {
    problems.push(read.problem);
    return { failed: true };
  }
  const { parseConfigFile } = await import('./load-config-file.js');
  const parsed = parseConfigFile(read.text, displayPath(choice.path, context.cwd));
  if (!parsed.ok) {
    problems.push(...parsed.problems);
    // Its procfile: and env_file: may still be sound: then those files are checked too.
    return parsed.partial
      ? { config: { ...parsed.partial, path: choice.path }, failed: false }
      : { failed: true };
  }
  return { config: { ...parsed.config, path: choice.path }, failed: false };
}

/** Reads and parses the Procfile, if there is one. */
function loadProcfile(
  choice: FileChoice,
  cwd: string,
  problems: ProblemDetails[],
): ProcfileInput | undefined {
  const read = readText(choice, 'procfile', cwd);
  if ('missing' in read) return undefined;
  if ('problem' in read) {
    problems.push(read.problem);
    return undefined;
  }
  const file = displayPath(choice.path, cwd);
  const parsed = parseProcfile(read.text, file);
  problems.push(...parsed.problems);
  return { file, path: choice.path, entries: parsed.entries };
}

/** Reads and parses the env files that exist (or must exist). */
function loadEnvFiles(choices: FileChoice[], cwd: string, problems: ProblemDetails[]): EnvFileInput[] {
  const loaded: EnvFileInput[] = [];
  for (const choice of choices) {
    const read = readText(choice, 'env-file', cwd);
    if ('missing' in read) continue;
    if ('problem' in read) {
      problems.push(read.problem);
      continue;
    }
    const file = displayPath(choice.path, cwd);
    const parsed = parseEnvFile(read.text, file);
    problems.push(...parsed.problems);
    loaded.push({ file, path: choice.path, vars: parsed.vars });
  }
  return loaded;
}

/**
 * Loads the whole configuration (SPEC §2): procinit.yaml, the Procfile and env files, then
 * flags, PROCINIT_* variables and defaults over them. The only config code that touches the
 * file system. Throws ProcinitError (exit 2) holding every problem found: all problems of
 * all files first; resolution problems (flags, formation, depends_on…) once the files are
 * sound, since resolving broken files would mostly report consequences.
 */
export async function loadConfig(cli: CliOptions, context: LoadContext): Promise<ResolvedConfig> {
  const { environ, cwd } = context;
  const problems: ProblemDetails[] = [];
  const { config, failed } = await loadConfigFile(cli, context, problems);
  const singleCommand = cli.command !== undefined;
  let procfile: ProcfileInput | undefined;
  // When procinit.yaml is too broken to tell its `procfile:`, only a Procfile named by a
  // flag or variable is read, rather than guessing at ./Procfile.
  const procfileChoice = chooseProcfilePath(cli, environ, cwd, config);
  if (!singleCommand && (!failed || procfileChoice.from !== 'default')) {
    procfile = loadProcfile(procfileChoice, cwd, problems);
  }
  const envFiles = loadEnvFiles(chooseEnvFiles(cli, environ, cwd, config), cwd, problems);
  if (problems.length > 0) throw new ProcinitError(problems, 2);
  const result = resolveConfig({
    cli,
    environ,
    cwd,
    stdoutIsTTY: context.stdoutIsTTY,
    ...(procfile ? { procfile } : {}),
    ...(config ? { config } : {}),
    envFiles,
  });
  if (!result.ok) throw new ProcinitError(result.problems, 2);
  return result.config;
}

/**
 * Where `procinit healthcheck` asks (SPEC §3): the port from --port, PROCINIT_HEALTH_PORT,
 * health.port of procinit.yaml (-c, PROCINIT_CONFIG or the working directory), 8099; the host
 * likewise, with 127.0.0.1 when the server listens on every address (0.0.0.0 or ::).
 */
export async function loadHealthTarget(
  flags: { port?: number; host?: string; config?: string },
  context: Omit<LoadContext, 'stdoutIsTTY'>,
): Promise<{ port: number; host: string }> {
  const problems: ProblemDetails[] = [];
  const cli: CliOptions = {
    ...(flags.config === undefined ? {} : { config: flags.config }),
    ...(flags.port === undefined ? {} : { healthPort: flags.port }),
    ...(flags.host === undefined ? {} : { healthHost: flags.host }),
  };
  const { config } = await loadConfigFile(cli, { ...context, stdoutIsTTY: false }, problems);
  const health = resolveHealth(cli, context.environ, config?.data ?? {}, problems);
  if (problems.length > 0) throw new ProcinitError(problems, 2);
  const everywhere = health.host === '0.0.0.0' || health.host === '::' || health.host === '[::]';
  return { port: health.port, host: everywhere ? '127.0.0.1' : health.host };
}
