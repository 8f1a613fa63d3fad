import { maskText } from '../core/secrets.js';
import type { EventLogger } from '../runtime/supervisor-loop.js';
import { formatElapsed, type PreflightLine, type Severity } from './preflight-line.js';
import type { PreflightResult } from './run-preflight.js';

const LABELS: Readonly<Record<Severity, string>> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]' };

/**
 * One report line: `[FAIL] env SECRET_KEY: missing; fix: set SECRET_KEY …`. Everything goes
 * through maskText once more: the checks never put a value in a line, and this makes sure a
 * `NAME=value` or URL password that slipped into an error message is hidden anyway.
 */
export function formatPreflightLine(line: PreflightLine, secretPatterns: readonly string[]): string {
  const fix = line.fix === undefined ? '' : `; fix: ${line.fix}`;
  return maskText(
    `${LABELS[line.severity]} ${line.check} ${line.subject}: ${line.detail}${fix}`,
    secretPatterns,
  );
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The last line: `preflight passed: 9 checks, 1 warning, in 1.2s` or what failed. */
export function summarizePreflight(result: PreflightResult): string {
  const failed = result.lines.filter((line) => line.severity === 'fail');
  const warnings = result.lines.filter((line) => line.severity === 'warn').length;
  const took = formatElapsed(result.durationMs);
  const name = result.mode === 'check' ? 'check' : 'preflight';
  const nothing = result.mode === 'check' ? '; nothing was created, waited for or run' : '';
  if (failed.length === 0) {
    const warned = warnings > 0 ? `, ${plural(warnings, 'warning')}` : '';
    return `${name} passed: ${plural(result.lines.length, 'check')}${warned}, in ${took}${nothing}`;
  }
  const which = failed.map((line) => `${line.check} ${line.subject}`).join(', ');
  const stop = result.mode === 'run' ? '; nothing was started' : nothing;
  return maskText(
    `${name} failed: ${failed.length} of ${plural(result.lines.length, 'check')} failed (${which})${stop}`,
    result.secretPatterns,
  );
}

/** The whole report as text lines: one per check, then the summary. */
export function renderPreflightReport(result: PreflightResult): string[] {
  return [
    ...result.lines.map((line) => formatPreflightLine(line, result.secretPatterns)),
    summarizePreflight(result),
  ];
}

/**
 * Logs the report through procinit's logger (SPEC §7: one line per check, before any process
 * starts, on success too). Passing lines at info; warnings at warn and failures at error, so
 * that `-q` (warn and above) still shows why a container did not start.
 */
export function logPreflightReport(result: PreflightResult, logger: EventLogger): void {
  if (result.lines.length === 0) return;
  for (const line of result.lines) {
    const fields = { event: 'preflight.check', check: line.check, result: line.severity };
    const text = formatPreflightLine(line, result.secretPatterns);
    if (line.severity === 'ok') logger.info(fields, text);
    else if (line.severity === 'warn') logger.warn(fields, text);
    else logger.error(fields, text);
  }
  const summary = summarizePreflight(result);
  const fields = {
    event: result.ok ? 'preflight.passed' : 'preflight.failed',
    durationMs: result.durationMs,
    ...(result.failedTask ? { task: result.failedTask.name, code: result.failedTask.exitCode } : {}),
  };
  if (result.ok) logger.info(fields, summary);
  else logger.error(fields, summary);
}
