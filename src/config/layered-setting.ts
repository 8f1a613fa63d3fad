import type { ProblemDetails } from '../errors.js';
import { describeFound } from './describe-found.js';
import { DURATION_EXPECTED, parseDuration } from './duration.js';

/** A setting's value as one source gives it, or what was expected instead. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/** One source of a setting: `--health-port`, `PROCINIT_HEALTH_PORT`, procinit.yaml. */
export interface Layer<T> {
  /** How the user names the source: `--health-port`, `PROCINIT_HEALTH_PORT`. */
  label: string;
  /** The raw value; undefined (or, for variables, empty) when this source does not set it. */
  raw: unknown;
  parse(raw: unknown): Parsed<T>;
}

/**
 * The value of the first source that sets the setting (SPEC §2.3: flags, PROCINIT_* variables,
 * procinit.yaml, defaults). A source with a bad value is a problem, never skipped silently in
 * favour of the next one; the fallback then only lets resolution go on to find more problems.
 */
export function firstSet<T>(layers: readonly Layer<T>[], fallback: T, problems: ProblemDetails[]): T {
  for (const layer of layers) {
    if (layer.raw === undefined || layer.raw === '') continue;
    const parsed = layer.parse(layer.raw);
    if (parsed.ok) return parsed.value;
    problems.push({
      code: layer.label.startsWith('-') ? 'cli.invalid-value' : 'env.invalid-value',
      what: `${layer.label}: ${parsed.expected}, found ${describeFound(layer.raw)}`,
    });
    return fallback;
  }
  return fallback;
}

/** A value that was validated already (procinit.yaml after its schema). */
export function asIs<T>(raw: unknown): Parsed<T> {
  return { ok: true, value: raw as T };
}

/** A duration from a flag or variable. */
export function durationParser(raw: unknown): Parsed<number> {
  const parsed = parseDuration(raw);
  return parsed.ok ? { ok: true, value: parsed.ms } : { ok: false, expected: DURATION_EXPECTED };
}

/** A port (0-65535) from a flag (a number) or a variable (text). */
export function portParser(raw: unknown): Parsed<number> {
  const port = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535) {
    return { ok: true, value: port };
  }
  return { ok: false, expected: 'expected a port number (0-65535)' };
}

/** One of a fixed set of words. */
export function oneOfParser<T extends string>(allowed: readonly T[]): (raw: unknown) => Parsed<T> {
  return (raw) =>
    typeof raw === 'string' && (allowed as readonly string[]).includes(raw)
      ? { ok: true, value: raw as T }
      : { ok: false, expected: `expected ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` };
}

/** Any non-empty text. */
export function textParser(raw: unknown): Parsed<string> {
  return typeof raw === 'string' && raw.trim() !== ''
    ? { ok: true, value: raw }
    : { ok: false, expected: 'expected a non-empty value' };
}
