import type { LogFormat } from '../config/resolved-config.js';
import { createLineEncoder, type OutputStreamName } from './line-encoders.js';
import { LineFramer, type LineListener } from './line-framer.js';
import { processColor } from './line-prefix.js';
import { OutputBuilder } from './output-builder.js';
import type { OutputSink } from './output-sink.js';

export type { OutputStreamName } from './line-encoders.js';
export type { LineListener } from './line-framer.js';

export interface ChildOutputOptions {
  format: LogFormat;
  /** Colour the pretty prefix (a terminal, FORCE_COLOR, and not NO_COLOR / --no-color). */
  color: boolean;
  /** Pretty only: show `HH:MM:SS.mmm` before the name (`--timestamps`). */
  timestamps: boolean;
  /** Pad names to this width: the longest process id (and `procinit`). */
  prefixWidth: number;
  /** Where each stream's lines go: usually `createOutputSinks()`. */
  sinks: { stdout: OutputSink; stderr: OutputSink };
  /** Epoch milliseconds; read once per chunk, only for json and timestamps. Default Date.now. */
  now?: () => number;
  /**
   * The processes in Procfile order, so colours do not depend on which starts first. Ids not
   * listed get the next colours in the order they are first attached.
   */
  procIds?: readonly string[];
}

/** Lines written so far by one process on one stream (for `procinit_output_lines_total`). */
export interface LineCount {
  proc: string;
  stream: OutputStreamName;
  lines: number;
}

/** Carries children's output to procinit's stdout and stderr. */
export interface ChildOutput {
  /**
   * Frames `readable` (a child's stdout or stderr pipe) into whole lines and writes them to the
   * sink of the same name. Resolves, never rejects, once the stream has ended (or failed, or
   * been destroyed) and its last line — with a newline added if it had none — was handed to the
   * sink, in order before anything written to that sink afterwards; `await sinks.flush()` for
   * the bytes to reach the fd. When the sink is above its high-water mark the readable is
   * paused (so the child blocks on its full pipe) until the sink drains.
   * `onLine`, when given, receives each line as text (see {@link LineListener}).
   */
  attach(
    procId: string,
    stream: OutputStreamName,
    readable: NodeJS.ReadableStream,
    onLine?: LineListener,
  ): Promise<void>;
  /** Counts per process and stream, including streams that have ended; restarts accumulate. */
  lineCounts(): LineCount[];
}

/** Creates the output of children, in one format, onto the given sinks. */
export function createChildOutput(options: ChildOutputOptions): ChildOutput {
  const now = options.now ?? Date.now;
  const builder = new OutputBuilder();
  const colorIndex = new Map<string, number>((options.procIds ?? []).map((id, index) => [id, index]));
  const counts = new Map<string, LineCount>();

  const colorOf = (procId: string): string | undefined => {
    if (!options.color) return undefined;
    let index = colorIndex.get(procId);
    if (index === undefined) {
      index = colorIndex.size;
      colorIndex.set(procId, index);
    }
    return processColor(index);
  };

  const countOf = (proc: string, stream: OutputStreamName): LineCount => {
    const key = `${stream}:${proc}`;
    let count = counts.get(key);
    if (!count) {
      count = { proc, stream, lines: 0 };
      counts.set(key, count);
    }
    return count;
  };

  return {
    attach(procId, stream, readable, onLine) {
      const encoder = createLineEncoder({
        format: options.format,
        procId,
        stream,
        prefix: { width: options.prefixWidth, color: colorOf(procId) },
        timestamps: options.timestamps,
      });
      const framer = new LineFramer(encoder, builder, now, onLine);
      return pipeLines(readable, framer, options.sinks[stream], countOf(procId, stream));
    },
    lineCounts: () => [...counts.values()].map((count) => ({ ...count })),
  };
}

/** Moves one readable's lines into the sink, pausing it while the sink is over its mark. */
function pipeLines(
  readable: NodeJS.ReadableStream,
  framer: LineFramer,
  sink: OutputSink,
  count: LineCount,
): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const resume = (): void => {
      if (!finished) readable.resume();
    };
    const write = (unit: Buffer): boolean => {
      count.lines += framer.lines;
      framer.lines = 0;
      return unit.length === 0 || sink.write(unit);
    };
    const onData = (chunk: Buffer | string): void => {
      if (!write(framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk))) {
        readable.pause();
        sink.onceDrain(resume);
      }
    };
    const finish = (): void => {
      if (finished) return;
      finished = true;
      readable.removeListener('data', onData);
      readable.removeListener('end', finish);
      readable.removeListener('close', finish);
      // The 'error' listener stays: an error emitted after the end must not crash procinit.
      write(framer.end());
      // Nothing more can come: closing now skips Node's half-close of a socket that was never
      // written to (end, finish, then destroy), which costs every child's exit ~0.1 ms a stream.
      (readable as { destroy?: () => void }).destroy?.();
      resolve();
    };
    readable.on('data', onData);
    readable.on('end', finish);
    readable.on('close', finish);
    // A read error (rare on a pipe) ends the stream: deliver what was read, never throw.
    readable.on('error', finish);
  });
}
