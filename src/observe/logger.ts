import pino from 'pino';
import type { LogFormat, LogLevel } from '../config/resolved-config.js';
import { PROCINIT_COLOR } from '../runtime/line-prefix.js';
import type { OutputSink } from '../runtime/output-sink.js';
import { renderPrettyRecord } from './logger-pretty.js';

/** procinit's own logger: pino's API (`logger.info({ event: 'process.spawned', pid }, 'msg')`). */
export type Logger = pino.Logger;

/** The name procinit's own lines carry: `"proc":"procinit"` in json, `procinit | ` in pretty. */
export const PROCINIT_PROC = 'procinit';

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

/**
 * Creates procinit's logger. Records are pino's JSON: `{"level":30,"time":…,"proc":"procinit",
 * "event":"process.spawned",…,"msg":"…"}`; in json format written as they are, in pretty and
 * raw rendered as `procinit | msg key=value …`. Each record is one unit on the stdout sink, so
 * it never lands inside a child's line.
 *
 * Why no worker-thread transport: pino's transports run in a thread and can lose the last
 * records at exit. Here a record is in the sink's queue when the log call returns; the exit path
 * must call `sinks.flushSync()` (or `await sinks.flush()`), and then nothing is lost.
 */
export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? Date.now;
  const sink = options.sinks.stdout;
  const render = createRenderer(options);
  const destination = {
    write(record: string): void {
      sink.write(Buffer.from(render(record)));
    },
    flush(callback?: (error?: Error) => void): void {
      sink.flush().then(() => callback?.(), callback);
    },
    flushSync(): void {
      sink.flushSync();
    },
  };
  return pino(
    {
      level: options.level,
      base: { proc: PROCINIT_PROC },
      timestamp: () => `,"time":${now()}`,
    },
    destination,
  );
}

/** pino's JSON line → the bytes to write, per format. */
function createRenderer(options: LoggerOptions): (record: string) => string {
  if (options.format === 'json') return (record) => record;
  const prettyOptions = {
    name: PROCINIT_PROC,
    prefix: { width: options.prefixWidth, color: options.color ? PROCINIT_COLOR : undefined },
    timestamps: options.timestamps,
    color: options.color,
    stacks: options.level === 'debug' || options.level === 'trace',
  };
  return (record) => {
    try {
      return renderPrettyRecord(JSON.parse(record) as Record<string, unknown>, prettyOptions);
    } catch {
      // Never lose a record: one we cannot parse goes out as pino wrote it.
      return record;
    }
  };
}
