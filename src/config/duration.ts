/**
 * Durations as users write them in procinit.yaml, PROCINIT_* variables and flags:
 * `500ms`, `10s`, `5m`, `1h`, combinations such as `1m30s`, or a bare number of seconds.
 */

/** What a duration looks like, for error messages ("expected …, found …"). */
export const DURATION_EXPECTED = 'expected a duration such as 500ms, 10s, 5m, 1h or a number of seconds';

/** The outcome of parsing a duration: milliseconds, or a message naming the bad value. */
export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// One or more `<number><unit>` parts, largest unit first is not enforced: `1m30s` and `30s1m`
// mean the same thing, and rejecting the second would help nobody.
const WITH_UNITS = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const BARE_SECONDS = /^\d+(?:\.\d+)?$/;

/** A regular expression for the string forms, for the JSON Schema of procinit.yaml. */
export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+$|^\\d+(?:\\.\\d+)?$';

function failure(input: unknown): DurationResult {
  return { ok: false, message: `${DURATION_EXPECTED}, found ${JSON.stringify(input) ?? String(input)}` };
}

/**
 * Parses a duration to whole milliseconds (rounded). A number, or a string of digits, is
 * seconds. Negative, non-finite and unit-less-but-not-numeric values are errors, returned as
 * values so a caller can report every bad value of a run together.
 */
export function parseDuration(input: unknown): DurationResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return failure(input);
    return { ok: true, ms: Math.round(input * 1000) };
  }
  if (typeof input !== 'string') return failure(input);
  const text = input.trim();
  if (BARE_SECONDS.test(text)) return { ok: true, ms: Math.round(Number(text) * 1000) };
  if (!WITH_UNITS.test(text)) return failure(input);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    ms += Number(amount) * (UNIT_MS[unit as string] ?? Number.NaN);
  }
  if (!Number.isFinite(ms)) return failure(input);
  return { ok: true, ms: Math.round(ms) };
}

/** Renders milliseconds back in the shortest exact form: `30000` → `30s`, `1500` → `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
