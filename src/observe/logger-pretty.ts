import { formatPrefix, type PrefixStyle } from '../runtime/line-prefix.js';

/** pino's numeric levels and how the pretty format labels them (info needs no label). */
const LEVEL_LABELS: Readonly<Record<number, { label: string; color: string }>> = {
  10: { label: 'TRACE', color: '2' },
  20: { label: 'DEBUG', color: '2' },
  40: { label: 'WARN', color: '33' },
  50: { label: 'ERROR', color: '31' },
  60: { label: 'FATAL', color: '31' },
};

/** Keys every record has, shown in the prefix or not at all. */
const FIXED_KEYS = new Set(['level', 'time', 'proc', 'msg']);

export interface PrettyRecordOptions {
  /** The name column: `procinit`, its width and colour. */
  name: string;
  prefix: PrefixStyle;
  /** Show `HH:MM:SS.mmm` (the record's time) before the name. */
  timestamps: boolean;
  /** Colour the level label. */
  color: boolean;
  /** Print an error's stack, one prefixed line per frame (at debug and trace). */
  stacks: boolean;
}

/** A value as `key=value` shows it: bare when unambiguous, else JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') {
    return /^[^\s"=\\\x00-\x1f\x7f]+$/.test(value) ? value : JSON.stringify(value);
  }
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? String(value);
}

/** Control characters (newlines above all) would break the one-record-one-line rule: escape them. */
function escapeControls(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

function isSerializedError(value: unknown): value is { message?: unknown; stack?: unknown } {
  return typeof value === 'object' && value !== null && 'message' in value && 'stack' in value;
}

/**
 * Renders one of pino's JSON records as `procinit | [LEVEL ]msg key=value …\n`: the fields in
 * the order they were logged (`event` first by convention), an error as its message (and, with
 * `stacks`, its stack on following lines with the same prefix).
 */
export function renderPrettyRecord(record: Record<string, unknown>, options: PrettyRecordOptions): string {
  const time = typeof record.time === 'number' ? record.time : undefined;
  const prefix = formatPrefix(options.name, options.prefix, options.timestamps ? time : undefined);
  const parts: string[] = [];
  const level = LEVEL_LABELS[typeof record.level === 'number' ? record.level : 30];
  if (level) parts.push(options.color ? `\x1b[${level.color}m${level.label}\x1b[0m` : level.label);
  if (typeof record.msg === 'string' && record.msg !== '') parts.push(escapeControls(record.msg));
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (FIXED_KEYS.has(key)) continue;
    if (isSerializedError(value)) {
      parts.push(`${key}=${formatValue(value.message)}`);
      if (options.stacks && typeof value.stack === 'string') stacks.push(value.stack);
    } else {
      parts.push(`${key}=${formatValue(value)}`);
    }
  }
  let text = `${prefix}${parts.join(' ')}\n`;
  for (const stack of stacks) {
    for (const line of stack.split('\n').slice(1)) text += `${prefix}  ${escapeControls(line.trim())}\n`;
  }
  return text;
}
