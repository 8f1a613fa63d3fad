import { constants } from 'node:os';
import { DURATION_EXPECTED, DURATION_PATTERN, parseDuration } from './duration.js';
import { parseHostPort } from './host-port.js';
import * as z from './zod.js';

/**
 * Field schemas that procinit.yaml uses in several places. Custom messages are the
 * "expected …" half of a problem; the loader adds the "found …" half from the document.
 */

/** A duration: `500ms`, `10s`, `5m`, `1h`, `1m30s`, or a number of seconds; parsed to ms. */
export const durationField = z
  .union(
    [
      z.number().min(0, { error: DURATION_EXPECTED }),
      z.string().regex(new RegExp(DURATION_PATTERN), { error: DURATION_EXPECTED }),
    ],
    { error: DURATION_EXPECTED },
  )
  .transform((value) => {
    const parsed = parseDuration(value);
    // The union already checked the form, so this cannot fail; NaN would surface in tests.
    return parsed.ok ? parsed.ms : Number.NaN;
  });

/**
 * A duration that must be longer than zero: a probe every 0 ms would spin procinit's own
 * event loop, and an attempt that times out at once could never succeed.
 */
export const positiveDurationField = durationField.refine((ms) => ms > 0, {
  error: 'expected a duration longer than zero, such as 500ms or 10s',
});

/** A non-empty string. */
export const nonEmptyString = z.string().min(1, { error: 'expected a non-empty string' });

/** A whole number at least `min`. */
export function intAtLeast(min: number) {
  return z.int({ error: 'expected a whole number' }).min(min, { error: `expected a whole number ≥ ${min}` });
}

/** A TCP port number. */
export const portNumber = z
  .int({ error: 'expected a port number (0-65535)' })
  .min(0, { error: 'expected a port number (0-65535)' })
  .max(65535, { error: 'expected a port number (0-65535)' });

/** A TCP address: `db:5432`. */
export const hostPortField = z
  .string({ error: 'expected "host:port", e.g. "db:5432"' })
  .refine((text) => parseHostPort(text) !== undefined, { error: 'expected "host:port", e.g. "db:5432"' });

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:';
}

/** An http:// or https:// URL. */
export const httpUrlField = z
  .string({ error: 'expected an http:// or https:// URL' })
  .refine(isHttpUrl, { error: 'expected an http:// or https:// URL' });

function isRegExp(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

/** A JavaScript regular expression. */
export const regExpField = z
  .string({ error: 'expected a regular expression' })
  .refine(isRegExp, { error: 'expected a valid JavaScript regular expression' });

const SIGNAL_NAMES = Object.keys(constants.signals);

/** `SIGTERM`, `TERM` or `term` → `SIGTERM`; undefined for a name the OS does not know. */
export function normalizeSignalName(text: string): NodeJS.Signals | undefined {
  const upper = text.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return SIGNAL_NAMES.includes(name) ? (name as NodeJS.Signals) : undefined;
}

/** A signal name, normalized to `SIGTERM` form. */
export const signalField = z
  .string({ error: 'expected a signal name such as SIGTERM' })
  .refine((text) => normalizeSignalName(text) !== undefined, {
    error: 'expected a signal name such as SIGTERM, SIGINT or SIGQUIT',
  })
  .transform((text) => normalizeSignalName(text) as NodeJS.Signals);

/** An environment variable name. */
export const envNameField = z
  .string({ error: 'expected a variable name' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a variable name (letters, digits and _)' });

/**
 * An environment value. Numbers and booleans are accepted and turned into text, since
 * `WORKERS: 4` and `DEBUG: false` are what people write, and YAML would otherwise reject them.
 */
export const envValueField = z
  .union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })
  .transform((value) => String(value));

/** An octal file mode as a string, `"0750"`. */
export const modeField = z
  .string({
    error: 'expected an octal mode in quotes, such as "0750" (YAML reads an unquoted 0750 as the number 750)',
  })
  .regex(/^0?[0-7]{3,4}$/, { error: 'expected an octal mode such as "0750"' })
  .transform((text) => Number.parseInt(text, 8));
