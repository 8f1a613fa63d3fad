import type { Environ } from '../config/resolve-settings.js';
import type { PreflightSpec } from '../config/resolved-config.js';
import { isSecretName, SECRET_SET } from '../core/secrets.js';
import { type PreflightLine, preflightLine } from './preflight-line.js';

/**
 * How a set variable is shown. Values are never printed, not even non-secret ones: a value that
 * is not secret by name may still be one (`DB=postgres://u:pw@h`), and "set" is all the report
 * needs to say.
 */
function setDetail(name: string, secretPatterns: readonly string[]): string {
  return isSecretName(name, secretPatterns) ? SECRET_SET : 'set';
}

const FIX_HINT = 'with `docker run -e`, the orchestrator’s environment, or an env file (env_file:)';

/**
 * Checks `preflight.env`: every required variable must be set and non-empty (an empty value
 * fails, as `${VAR:?}` does in a start script: `-e DATABASE_URL=` is almost always a mistake);
 * an unset or empty optional one is a warning. Every variable gets its own line, so all missing
 * ones are reported together. `environ` is procinit's environment plus its env files.
 */
export function checkEnv(
  spec: PreflightSpec['env'],
  environ: Environ,
  secretPatterns: readonly string[],
): PreflightLine[] {
  const required = [...new Set(spec.required)];
  const optional = [...new Set(spec.optional)].filter((name) => !required.includes(name));
  const lines: PreflightLine[] = [];
  for (const name of required) {
    const value = environ[name];
    if (value === undefined || value === '') {
      lines.push(
        preflightLine('env', name, 'fail', value === undefined ? 'missing' : 'set but empty', {
          fix: `set ${name} ${FIX_HINT}`,
        }),
      );
    } else {
      lines.push(preflightLine('env', name, 'ok', setDetail(name, secretPatterns)));
    }
  }
  for (const name of optional) {
    const value = environ[name];
    if (value === undefined || value === '') {
      const detail = value === undefined ? 'not set (optional)' : 'set but empty (optional)';
      lines.push(preflightLine('env', name, 'warn', detail));
    } else {
      lines.push(preflightLine('env', name, 'ok', setDetail(name, secretPatterns)));
    }
  }
  return lines;
}
