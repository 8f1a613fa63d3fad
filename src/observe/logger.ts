import type { LogFormat, LogLevel } from '../config/resolved-config.js';
import { PROCINIT_COLOR } from '../runtime/line-prefix.js';
import type { OutputSink } from '../runtime/output-sink.js';
import { renderPrettyRecord } from './logger-pretty.js';
import { recordJson } from './logger-record.js';

/** The name procinit's own lines carry: `"proc":"procinit"` in json, `procinit | ` in pretty. */
export const PROCINIT_PROC = 'procinit';

/** pino's numbers for the levels, kept so `level` in json records means what it means in pino. */
const LEVEL_NUMBERS: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
};

/** One level's method: `logger.info({ event: 'process.spawned', pid }, 'msg')` or `logger.info('msg')`. */
export interface LogMethod {
  (fields: object, msg?: string): void;
  (msg: string): void;
}

/** procinit's own logger, with pino's method shape (the callers' interfaces name that shape). */
export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  /** Whether a record at `level` would be written: callers skip building fields nobody sees. */
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Pretty and raw: show `HH:MM:SS.mmm` before the name, as children's lines do. */
  timestamps: boolean;
  color: boolean;
  /** Records go to `sinks.stdout`, the writer children's stdout lines go through too. */
  sinks: { stdout: OutputSink };
  /** The width children's names are padded to, so the columns line up. */
  prefixWidth: number;
  /** Epoch milliseconds for `time`. Default Date.now. */
  now?: () => number;
}

/** A record before rendering: pino's keys, in pino's order (the fields between proc and msg). */
export type LogRecord = Record<string, unknown> & { level: number; time: number; proc: string };

/**
 * Creates procinit's logger. Records are pino's JSON: `{"level":30,"time":…,"proc":"procinit",
 * "event":"process.spawned",…,"msg":"…"}`; in json format written as that, in pretty and raw
 * rendered as `procinit | msg key=value …`. Each record is one unit on the stdout sink, so it
 * never lands inside a child's line; it is in the sink's queue when the call returns, and the exit
 * path's `sinks.flushSync()` (or `await sinks.flush()`) writes it, so nothing is lost.
 *
 * Why not pino itself (it was, until the start-up benchmark): procinit writes flat records to its
 * own sink, and pino's module graph (thread-stream and worker_threads for transports, sonic-boom)
 * cost every start about 1.5 ms and 0.4 MiB (bench rows 1 and 2) for nothing procinit used,
 * while pretty output had to parse pino's JSON back.
 */
export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? Date.now;
  const sink = options.sinks.stdout;
  const threshold = LEVEL_NUMBERS[options.level];
  const render = createRenderer(options);
  const method =
    (level: number): LogMethod =>
    (first: object | string, msg?: string): void => {
      if (level < threshold) return;
      const record: LogRecord = { level, time: now(), proc: PROCINIT_PROC };
      if (typeof first === 'string') record.msg = first;
      else {
        Object.assign(record, first);
        if (msg !== undefined) record.msg = msg;
      }
      sink.write(Buffer.from(render(record)));
    };
  return {
    trace: method(LEVEL_NUMBERS.trace),
    debug: method(LEVEL_NUMBERS.debug),
    info: method(LEVEL_NUMBERS.info),
    warn: method(LEVEL_NUMBERS.warn),
    error: method(LEVEL_NUMBERS.error),
    isLevelEnabled: (level) => LEVEL_NUMBERS[level] >= threshold,
  };
}

/** A record → the bytes to write, per format. */
function createRenderer(options: LoggerOptions): (record: LogRecord) => string {
  if (options.format === 'json') return (record) => `${recordJson(record)}\n`;
  const prettyOptions = {
    name: PROCINIT_PROC,
    prefix: { width: options.prefixWidth, color: options.color ? PROCINIT_COLOR : undefined },
    timestamps: options.timestamps,
    color: options.color,
    stacks: options.level === 'debug' || options.level === 'trace',
  };
  return (record) => renderPrettyRecord(record, prettyOptions);
}
