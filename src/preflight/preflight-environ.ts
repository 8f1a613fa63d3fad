import { readFileSync } from 'node:fs';
import { parseEnvFile } from '../config/env-file.js';
import { envFromFiles } from '../config/resolve.js';
import type { Environ } from '../config/resolve-settings.js';
import type { ResolvedConfig } from '../config/resolved-config.js';

/**
 * The environment preflight checks and tasks see: procinit's own, plus the variables its env
 * files add (never overriding, SPEC §2.2), as every process gets them. A process's own `env:`
 * is not included: a required variable must be there for every process and task.
 *
 * The files were read and validated by loadConfig already; ResolvedConfig keeps only their
 * paths, so they are read again here (a file that vanished since reads as empty).
 */
export function preflightEnviron(config: ResolvedConfig, environ: Environ): Record<string, string> {
  const envFiles = config.sources.envFiles.map((path) => {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // gone since loadConfig read it: nothing to add
    }
    return { file: path, path, vars: parseEnvFile(text, path).vars };
  });
  const own = Object.fromEntries(
    Object.entries(environ).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return { ...own, ...envFromFiles(envFiles, environ) };
}
