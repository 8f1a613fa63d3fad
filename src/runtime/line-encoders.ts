import type { LogFormat } from '../config/resolved-config.js';
import { appendJsonStringBody } from './line-json.js';
import { formatPrefix, type PrefixStyle } from './line-prefix.js';
import { BytePattern, type OutputBuilder } from './output-builder.js';

/** Which of a child's streams a line came from; it goes out on procinit's stream of that name. */
export type OutputStreamName = 'stdout' | 'stderr';

/**
 * The `level` of a child's line in the json format: 30 (info) for both streams. Many servers
 * (gunicorn, celery, Python's logging, nginx) write ordinary messages to stderr; calling all of
 * them errors would set off alerts in log pipelines. The `stream` field says where a line came from.
 */
export const CHILD_LINE_LEVEL: Readonly<Record<OutputStreamName, number>> = { stdout: 30, stderr: 30 };

/**
 * Turns complete lines of one source into output bytes. The lines are `src[start, nl[from]]`,
 * then `src[nl[k-1]+1, nl[k]]` up to `k = to - 1`: each ends with its `\n` at `nl[k]`.
 */
export interface LineEncoder {
  /** Whether `encode` needs the time (the caller reads the clock once per chunk, only then). */
  readonly usesClock: boolean;
  encode(
    out: OutputBuilder,
    src: Buffer,
    start: number,
    nl: Int32Array,
    from: number,
    to: number,
    nowMs: number,
  ): void;
}

export interface LineEncoderOptions {
  format: LogFormat;
  /** The process id shown: `web.1`. */
  procId: string;
  stream: OutputStreamName;
  /** Pretty only: name width and colour. */
  prefix: PrefixStyle;
  /** Pretty only: show the time before the name. */
  timestamps: boolean;
}

/** Creates the encoder of one source's lines in the given format. */
export function createLineEncoder(options: LineEncoderOptions): LineEncoder {
  switch (options.format) {
    case 'pretty':
      return new PrettyEncoder(options.procId, options.prefix, options.timestamps);
    case 'json':
      return new JsonEncoder(options.procId, options.stream);
    case 'raw':
      return RAW_ENCODER;
  }
}

/** `raw`: the bytes unchanged; whole lines only, like the other formats. */
const RAW_ENCODER: LineEncoder = {
  usesClock: false,
  encode(out, src, start, nl, _from, to) {
    const end = nl[to - 1]! + 1;
    out.reserve(end - start);
    out.copy(src, start, end);
  },
};

/** `pretty`: `web.1 | ` before each line; the line's bytes (colours, `\r`) unchanged. */
class PrettyEncoder implements LineEncoder {
  readonly usesClock: boolean;
  #prefix: BytePattern;
  #prefixMs = Number.NaN;

  constructor(
    private readonly procId: string,
    private readonly style: PrefixStyle,
    timestamps: boolean,
  ) {
    this.usesClock = timestamps;
    this.#prefix = new BytePattern(formatPrefix(procId, style));
  }

  encode(
    out: OutputBuilder,
    src: Buffer,
    start: number,
    nl: Int32Array,
    from: number,
    to: number,
    nowMs: number,
  ) {
    if (this.usesClock && nowMs !== this.#prefixMs) {
      this.#prefix = new BytePattern(formatPrefix(this.procId, this.style, nowMs));
      this.#prefixMs = nowMs;
    }
    const prefix = this.#prefix;
    const end = nl[to - 1]! + 1;
    out.stage(src, start, end);
    out.reserve(end - start + (to - from) * prefix.length);
    let lineStart = start;
    for (let k = from; k < to; k++) {
      const lineEnd = nl[k]! + 1;
      out.appendPattern(prefix);
      out.copyStaged(lineStart, lineEnd);
      lineStart = lineEnd;
    }
  }
}

const JSON_TAIL = new BytePattern('"}\n');

/**
 * `json`: `{"level":30,"time":…,"proc":"web.1","stream":"stdout","msg":"…"}` per line; `msg` is
 * the line without its `\n` or `\r\n`. The header is built once per chunk (one clock read).
 */
class JsonEncoder implements LineEncoder {
  readonly usesClock = true;
  readonly #headStart: string;
  readonly #headEnd: string;
  #header = new BytePattern('');
  #headerMs = Number.NaN;

  constructor(procId: string, stream: OutputStreamName) {
    this.#headStart = `{"level":${CHILD_LINE_LEVEL[stream]},"time":`;
    this.#headEnd = `,"proc":${JSON.stringify(procId)},"stream":"${stream}","msg":"`;
  }

  encode(
    out: OutputBuilder,
    src: Buffer,
    start: number,
    nl: Int32Array,
    from: number,
    to: number,
    nowMs: number,
  ) {
    if (nowMs !== this.#headerMs) {
      this.#header = new BytePattern(this.#headStart + Math.trunc(nowMs) + this.#headEnd);
      this.#headerMs = nowMs;
    }
    const header = this.#header;
    out.stage(src, start, nl[to - 1]! + 1);
    let lineStart = start;
    for (let k = from; k < to; k++) {
      const newline = nl[k]!;
      const msgEnd = newline > lineStart && src[newline - 1] === 0x0d ? newline - 1 : newline;
      out.reserve(header.length);
      out.appendPattern(header);
      appendJsonStringBody(out, src, lineStart, msgEnd);
      out.reserve(JSON_TAIL.length);
      out.appendPattern(JSON_TAIL);
      lineStart = newline + 1;
    }
  }
}
