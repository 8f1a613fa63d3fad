import { stripAnsi } from './line-ansi.js';
import type { LineEncoder } from './line-encoders.js';
import type { OutputBuilder } from './output-builder.js';

/** A line longer than this that arrives across chunks is cut into pieces of at most this size. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Receives each line as text: without its `\n` (and `\r`), with terminal colour codes removed.
 * Return `false` to stop receiving lines (e.g. once a readiness pattern matched).
 */
export type LineListener = (line: string) => unknown;

const NEWLINE = 0x0a;

/** Newline positions of the current chunk; shared, since chunks are framed one at a time. */
let newlines: Int32Array = new Int32Array(4096);
/** The one newline of a line framed on its own (a line joined from a carry, a piece, the last line). */
const SINGLE = new Int32Array(1);

/**
 * Cuts one stream's bytes into whole lines and encodes them, one output unit per chunk.
 *
 * The bytes after the last newline of a chunk wait in a carry until their newline arrives; so a
 * line split across chunks (mid-line, mid-character, between `\r` and `\n`) comes out whole. On
 * the hot path the chunk is scanned with indexOf (memchr) and its lines are copied once into the
 * unit; no string is made unless a line listener is set.
 */
export class LineFramer {
  /** Lines emitted so far (pieces of a cut line count one each). */
  lines = 0;
  #carry: Buffer[] = [];
  #carryBytes = 0;
  #listener: LineListener | undefined;

  constructor(
    private readonly encoder: LineEncoder,
    private readonly out: OutputBuilder,
    private readonly now: () => number,
    listener?: LineListener,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    this.#listener = listener;
  }

  /** Frames a chunk; returns the unit to write (empty when the chunk completed no line). */
  push(chunk: Buffer): Buffer {
    let count = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
      if (count === newlines.length) newlines = growInt32(newlines);
      newlines[count++] = at;
    }
    if (count === 0) {
      this.#hold(chunk);
      return this.out.take();
    }
    const nl = newlines;
    const tailStart = nl[count - 1]! + 1;
    const nowMs = this.encoder.usesClock ? this.now() : 0;
    let start = 0;
    let from = 0;
    if (this.#carryBytes > 0) {
      start = nl[0]! + 1;
      from = 1;
      this.#emitSingle(this.#takeCarry(chunk.subarray(0, start)), nowMs);
    }
    if (from < count) {
      this.encoder.encode(this.out, chunk, start, nl, from, count, nowMs);
      this.lines += count - from;
      if (this.#listener) this.#tell(chunk, start, nl, from, count);
    }
    if (tailStart < chunk.length) this.#hold(Buffer.from(chunk.subarray(tailStart)));
    return this.out.take();
  }

  /** The stream ended: a last line without a newline still goes out, with one added. */
  end(): Buffer {
    if (this.#carryBytes > 0) {
      this.#emitSingle(this.#takeCarry(NEWLINE_BUFFER), this.encoder.usesClock ? this.now() : 0);
    }
    return this.out.take();
  }

  /** Keeps bytes that have no newline yet; past the limit, cuts them into pieces (each a line). */
  #hold(bytes: Buffer): void {
    this.#carry.push(bytes);
    this.#carryBytes += bytes.length;
    if (this.#carryBytes <= this.maxLineBytes) return;
    const nowMs = this.encoder.usesClock ? this.now() : 0;
    let rest = Buffer.concat(this.#carry, this.#carryBytes);
    while (rest.length > this.maxLineBytes) {
      const cut = utf8Boundary(rest, this.maxLineBytes);
      const piece = Buffer.allocUnsafe(cut + 1);
      rest.copy(piece, 0, 0, cut);
      piece[cut] = NEWLINE;
      this.#emitSingle(piece, nowMs);
      rest = rest.subarray(cut);
    }
    this.#carry = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.#carryBytes = rest.length;
  }

  /** The carried bytes followed by `end` (which ends with the newline), as one buffer. */
  #takeCarry(end: Buffer): Buffer {
    this.#carry.push(end);
    const line = Buffer.concat(this.#carry, this.#carryBytes + end.length);
    this.#carry = [];
    this.#carryBytes = 0;
    return line;
  }

  /** Encodes `line`, which ends with its newline. */
  #emitSingle(line: Buffer, nowMs: number): void {
    SINGLE[0] = line.length - 1;
    this.encoder.encode(this.out, line, 0, SINGLE, 0, 1, nowMs);
    this.lines += 1;
    if (this.#listener) this.#tell(line, 0, SINGLE, 0, 1);
  }

  /** Listeners run synchronously while a chunk is framed: they must not push into a framer. */
  #tell(src: Buffer, start: number, nl: Int32Array, from: number, to: number): void {
    let lineStart = start;
    for (let k = from; k < to && this.#listener; k++) {
      const newline = nl[k]!;
      const end = newline > lineStart && src[newline - 1] === 0x0d ? newline - 1 : newline;
      if (this.#listener(stripAnsi(src.toString('utf8', lineStart, end))) === false)
        this.#listener = undefined;
      lineStart = newline + 1;
    }
  }
}

const NEWLINE_BUFFER = Buffer.from('\n');

function growInt32(array: Int32Array): Int32Array {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/**
 * Where to cut `bytes` at or before `limit` without splitting a UTF-8 character: back over at
 * most three continuation bytes (10xxxxxx). Not UTF-8 at all? Then cut at the limit.
 */
export function utf8Boundary(bytes: Uint8Array, limit: number): number {
  for (let cut = limit; cut > limit - 4 && cut > 0; cut--) {
    if ((bytes[cut]! & 0xc0) !== 0x80) return cut;
  }
  return limit;
}
