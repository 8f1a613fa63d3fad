/**
 * One line of the preflight report (SPEC §7): what was checked, the result, and for a failure
 * what to do. Every check kind produces these; the renderer turns them into the report.
 */

/** The kinds of check, in the order the report lists them. */
export type CheckKind = 'env' | 'user' | 'dir' | 'command' | 'port' | 'wait_for' | 'task';

/** `fail` makes preflight fail (exit 78); `warn` is shown but does not. */
export type Severity = 'ok' | 'warn' | 'fail';

export interface PreflightLine {
  check: CheckKind;
  /** What was checked: a variable name, a path, `tcp db:5432` (values never; URLs masked). */
  subject: string;
  /** False only for `fail`. */
  ok: boolean;
  severity: Severity;
  /** The result: `set (hidden)`, `created, mode 0750, owner appuser:appuser`, `exit 3`. */
  detail: string;
  /** For a failure (and some warnings): what to do about it. */
  fix?: string;
  /** How long this check took. */
  durationMs: number;
}

/** Builds a line; `ok` follows from the severity. */
export function preflightLine(
  check: CheckKind,
  subject: string,
  severity: Severity,
  detail: string,
  options: { fix?: string | undefined; durationMs?: number } = {},
): PreflightLine {
  return {
    check,
    subject,
    ok: severity !== 'fail',
    severity,
    detail,
    ...(options.fix === undefined ? {} : { fix: options.fix }),
    durationMs: options.durationMs ?? 0,
  };
}

/** Runs `fn` and sets the line's duration to how long it took, by `now`. */
export function timed(now: () => number, fn: () => PreflightLine): PreflightLine {
  const startMs = now();
  const line = fn();
  return { ...line, durationMs: Math.max(0, now() - startMs) };
}

/** Like {@link timed}, for a check that waits. */
export async function timedAsync(
  now: () => number,
  fn: () => Promise<PreflightLine>,
): Promise<PreflightLine> {
  const startMs = now();
  const line = await fn();
  return { ...line, durationMs: Math.max(0, now() - startMs) };
}

/** True when any line fails. */
export function anyFailed(lines: readonly PreflightLine[]): boolean {
  return lines.some((line) => line.severity === 'fail');
}

/** A measured duration for people: `450ms`, `2.8s`, `1m05s` (formatDuration is for config values). */
export function formatElapsed(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()}s`;
  const seconds = Math.round(ms / 1_000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
