/**
 * One log record as a JSON line's text, as pino would write it: an Error as `{type, message,
 * stack, …its own fields}` (pino's err serializer), a bigint as its digits, a repeated or
 * circular object as `"[Circular]"`. It never throws: a record that cannot be written is lost.
 */
export function recordJson(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key: string, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    return value instanceof Error ? serializeError(value) : value;
  });
}

function serializeError(error: Error): Record<string, unknown> {
  // Own fields first (code, errno…), then the three pino always writes; message wins over a copy.
  return { ...error, type: error.name, message: error.message, stack: error.stack };
}
