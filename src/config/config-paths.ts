import { isAbsolute, relative, resolve } from 'node:path';
import type { SourceLocation } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import type { ConfigFile } from './load-config-file.js';
import type { Environ } from './resolve-settings.js';
import type { CliOptions } from './resolved-config.js';

/** The names procinit.yaml is looked for under, in order, in the working directory. */
export const CONFIG_FILE_NAMES = ['procinit.yaml', 'procinit.yml', 'procinit.json'] as const;

/** A file to read, where its name came from, and whether it must exist. */
export interface FileChoice {
  /** Absolute path. */
  path: string;
  /** `-f/--procfile`, `PROCINIT_PROCFILE`, `procfile in procinit.yaml`, or `default`. */
  from: string;
  /** Named explicitly (SPEC §2.3): a missing file is then an error. */
  required: boolean;
  /** Where procinit.yaml names it, when it does. */
  where?: SourceLocation;
}

/** A path as shown to the user: relative to the working directory when inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** procinit.yaml named by -c or PROCINIT_CONFIG; undefined means: look in the working directory. */
export function chooseConfigPath(cli: CliOptions, environ: Environ, cwd: string): FileChoice | undefined {
  if (cli.config !== undefined)
    return { path: resolve(cwd, cli.config), from: '-c/--config', required: true };
  if (environ.PROCINIT_CONFIG) {
    return { path: resolve(cwd, environ.PROCINIT_CONFIG), from: 'PROCINIT_CONFIG', required: true };
  }
  return undefined;
}

/** The Procfile: -f, PROCINIT_PROCFILE, `procfile:` (from procinit.yaml's directory), ./Procfile. */
export function chooseProcfilePath(
  cli: CliOptions,
  environ: Environ,
  cwd: string,
  config: (ConfigFile & { path: string }) | undefined,
): FileChoice {
  if (cli.procfile !== undefined)
    return { path: resolve(cwd, cli.procfile), from: '-f/--procfile', required: true };
  if (environ.PROCINIT_PROCFILE) {
    return { path: resolve(cwd, environ.PROCINIT_PROCFILE), from: 'PROCINIT_PROCFILE', required: true };
  }
  const fromConfig = config?.data.procfile;
  if (config && fromConfig !== undefined) {
    return {
      path: resolve(config.path, '..', fromConfig),
      from: `procfile in ${config.file}`,
      required: true,
      where: config.locate(['procfile']),
    };
  }
  return { path: resolve(cwd, DEFAULTS.procfile), from: 'default', required: false };
}

/**
 * The env files, in load order. A higher-precedence source replaces the lower ones
 * (SPEC §2.3): -e files, else PROCINIT_ENV_FILE (comma-separated), else `env_file:`. Files
 * named by a flag or variable must exist; those of procinit.yaml are loaded if present.
 */
export function chooseEnvFiles(
  cli: CliOptions,
  environ: Environ,
  cwd: string,
  config: (ConfigFile & { path: string }) | undefined,
): FileChoice[] {
  if (cli.envFiles !== undefined && cli.envFiles.length > 0) {
    return cli.envFiles.map((file) => ({ path: resolve(cwd, file), from: '-e/--env-file', required: true }));
  }
  if (environ.PROCINIT_ENV_FILE) {
    return environ.PROCINIT_ENV_FILE.split(',')
      .map((file) => file.trim())
      .filter((file) => file !== '')
      .map((file) => ({ path: resolve(cwd, file), from: 'PROCINIT_ENV_FILE', required: true }));
  }
  const fromConfig = config?.data.env_file;
  if (!config || fromConfig === undefined) return [];
  const files = typeof fromConfig === 'string' ? [fromConfig] : fromConfig;
  return files.map((file, index) => ({
    path: resolve(config.path, '..', file),
    from: `env_file in ${config.file}`,
    required: false,
    where: config.locate(typeof fromConfig === 'string' ? ['env_file'] : ['env_file', index]),
  }));
}
