import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { maskText } from '../core/secrets.js';
import { type PreflightLine, preflightLine, timed } from './preflight-line.js';

/** True for a regular file that may be executed (as root: any execute bit). */
function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `name` resolves as `execvp` would resolve it: a name with a `/` is taken as a path
 * (relative to `cwd`), anything else is looked up in each PATH directory in turn. An empty
 * PATH entry means the working directory, as POSIX says.
 */
export function findExecutable(name: string, pathEnv: string | undefined, cwd: string): string | undefined {
  if (name.includes('/')) {
    const path = isAbsolute(name) ? name : resolve(cwd, name);
    return isExecutableFile(path) ? path : undefined;
  }
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    const candidate = join(dir === '' ? cwd : resolve(cwd, dir), name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Checks `preflight.commands`: each must resolve on the PATH procinit passes to its processes
 * (`environ.PATH`, after env files), so `gunicorn: not found` shows up before anything starts.
 */
export function checkCommands(
  commands: readonly string[],
  options: { pathEnv: string | undefined; cwd: string; now: () => number; secretPatterns: readonly string[] },
): PreflightLine[] {
  return commands.map((name) =>
    timed(options.now, () => {
      const found = findExecutable(name, options.pathEnv, options.cwd);
      if (found) return preflightLine('command', name, 'ok', found);
      if (name.includes('/')) {
        return preflightLine('command', name, 'fail', 'not found, or not an executable file', {
          fix: 'install it in the image at this path, or make it executable (chmod +x)',
        });
      }
      const path = maskText(options.pathEnv ?? '(unset)', options.secretPatterns);
      return preflightLine('command', name, 'fail', `not found on PATH=${path}`, {
        fix: `install ${name} in the image, or add its directory to PATH`,
      });
    }),
  );
}
