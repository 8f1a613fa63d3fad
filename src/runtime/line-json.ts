import { isUtf8 } from 'node:buffer';
import type { OutputBuilder } from './output-builder.js';

/**
 * JSON string encoding of output lines, straight from bytes.
 *
 * Three tiers, each producing exactly the bytes of `JSON.stringify(line.toString('utf8'))`
 * (without its quotes):
 * 1. plain: no control character, `"` or `\`, and ASCII or valid UTF-8 → the bytes are copied;
 * 2. valid UTF-8 that needs escapes → escaped byte by byte (no string is made);
 * 3. invalid UTF-8 → decoded (bad bytes become U+FFFD, as Buffer#toString does) and stringified.
 * Valid UTF-8 never encodes a lone surrogate, so tiers 1 and 2 never meet what
 * JSON.stringify would escape beyond control characters, `"` and `\`.
 */

/** Per byte: 0 plain, 1 needs an escape, 2 non-ASCII (needs a UTF-8 validity check). */
const BYTE_CLASS = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) BYTE_CLASS[b] = 1;
BYTE_CLASS[0x22] = 1;
BYTE_CLASS[0x5c] = 1;
for (let b = 0x80; b < 0x100; b++) BYTE_CLASS[b] = 2;

const SHORT_ESCAPES: Record<number, string> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

/** The escape sequence of each byte that needs one, as bytes (`\u001b` lowercase like V8). */
const ESCAPES: (Buffer | undefined)[] = Array.from({ length: 256 }, (_, b) => {
  if (BYTE_CLASS[b] !== 1) return undefined;
  return Buffer.from(SHORT_ESCAPES[b] ?? `\\u${b.toString(16).padStart(4, '0')}`, 'latin1');
});

/** The longest escape (`\u001f`) is 6 bytes for 1. */
const MAX_ESCAPE_RATIO = 6;

/** OR of the byte classes of `src[start, end)`: 0 means the bytes can be copied as they are. */
export function classifyBytes(src: Uint8Array, start: number, end: number): number {
  let classes = 0;
  for (let i = start; i < end; i++) classes |= BYTE_CLASS[src[i]!]!;
  return classes;
}

/**
 * {@link classifyBytes} of the staged bytes `[start, end)`, four at a time (SWAR): a word has a
 * byte below 0x20 when `(w - 0x20202020) & ~w & 0x80808080` is not 0, a byte equal to c when
 * the same holds for `w ^ c*0x01010101` with 0x01010101, a byte from 0x80 when `w & 0x80808080`
 * is not 0 (exact as yes/no answers; see "Bit Twiddling Hacks", hasless and haszero). Measured
 * about 3x faster than a table lookup per byte on 100-byte lines.
 */
export function classifyStaged(out: OutputBuilder, start: number, end: number): number {
  const view = out.view;
  const delta = out.stageDelta;
  let escapes = 0;
  let high = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const word = view.getUint32(i + delta, true) | 0;
    const quote = word ^ 0x22222222;
    const backslash = word ^ 0x5c5c5c5c;
    high |= word;
    escapes |=
      (((word - 0x20202020) | 0) & ~word) |
      (((quote - 0x01010101) | 0) & ~quote) |
      (((backslash - 0x01010101) | 0) & ~backslash);
  }
  let classes = (escapes & 0x80808080) !== 0 ? 1 : 0;
  if ((high & 0x80808080) !== 0) classes |= 2;
  const buf = out.buf;
  for (; i < end; i++) classes |= BYTE_CLASS[buf[i + delta]!]!;
  return classes;
}

/**
 * Appends the JSON string body (no quotes) of the text whose UTF-8 bytes are `src[start, end)`;
 * `src` must be staged in `out` (plain text is copied from there).
 */
export function appendJsonStringBody(out: OutputBuilder, src: Buffer, start: number, end: number): void {
  const classes = classifyStaged(out, start, end);
  if (classes === 0 || (classes === 2 && isUtf8(src.subarray(start, end)))) {
    out.reserve(end - start);
    out.copyStaged(start, end);
  } else if ((classes & 2) === 0 || isUtf8(src.subarray(start, end))) {
    appendEscaped(out, src, start, end);
  } else {
    const json = JSON.stringify(src.toString('utf8', start, end));
    const body = json.slice(1, -1);
    out.reserve(Buffer.byteLength(body));
    out.pos += out.buf.write(body, out.pos, 'utf8');
  }
}

function appendEscaped(out: OutputBuilder, src: Uint8Array, start: number, end: number): void {
  out.reserve((end - start) * MAX_ESCAPE_RATIO);
  const buf = out.buf;
  let pos = out.pos;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    const sequence = ESCAPES[b];
    if (sequence === undefined) {
      buf[pos++] = b;
    } else {
      for (let j = 0; j < sequence.length; j++) buf[pos++] = sequence[j]!;
    }
  }
  out.pos = pos;
}
