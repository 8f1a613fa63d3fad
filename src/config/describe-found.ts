import { maskText } from '../core/secrets.js';

/**
 * How a found value is shown: `"10 seconds"`, `12`, `a list`; strings are masked (built-in
 * secret patterns and `patterns`) and cut.
 */
export function describeFound(value: unknown, patterns: readonly string[] = []): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(maskText(shown, patterns));
  }
  return String(value);
}
