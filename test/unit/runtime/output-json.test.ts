import { describe, expect, it } from 'vitest';
import { appendJsonStringBody, classifyBytes, classifyStaged } from '../../../src/runtime/line-json.js';
import { OutputBuilder } from '../../../src/runtime/output-builder.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lines biased towards what matters: ASCII, escapes, multibyte characters, and broken UTF-8. */
function randomLine(next: () => number): Buffer {
  const pieces: Buffer[] = [];
  const length = Math.floor(next() * 40);
  for (let i = 0; i < length; i++) {
    const pick = next();
    if (pick < 0.5) pieces.push(Buffer.from([0x20 + Math.floor(next() * 95)]));
    else if (pick < 0.65) pieces.push(Buffer.from([Math.floor(next() * 0x20)]));
    else if (pick < 0.72) pieces.push(Buffer.from(next() < 0.5 ? '"' : '\\'));
    else if (pick < 0.85)
      pieces.push(Buffer.from(['é', '€', '😀', '\u2028', '\x7f', '\u0080'][Math.floor(next() * 6)]!));
    else pieces.push(Buffer.from([0x80 + Math.floor(next() * 0x80)]));
  }
  return Buffer.concat(pieces);
}

/** What the encoder writes for `line`, as a JSON string literal. */
function encode(line: Buffer): Buffer {
  const out = new OutputBuilder(64);
  out.stage(line, 0, line.length);
  out.reserve(1);
  out.buf[out.pos++] = 0x22;
  appendJsonStringBody(out, line, 0, line.length);
  out.reserve(1);
  out.buf[out.pos++] = 0x22;
  return out.take();
}

describe('JSON string encoding of output lines', () => {
  it.each([
    ['plain ASCII', 'GET /health 200 12ms'],
    ['quotes and backslashes', 'say "hi" C:\\path'],
    ['control characters', '\x00\x01\x08\t\n\x0b\x0c\r\x1b[31m\x1f'],
    ['DEL and non-ASCII', '\x7f é € 😀'],
    ['line and paragraph separators', 'a\u2028b\u2029c'],
    ['empty', ''],
  ])('matches JSON.stringify exactly: %s', (_name, text) => {
    const line = Buffer.from(text);
    expect(encode(line).toString()).toBe(JSON.stringify(text));
  });

  it('matches JSON.stringify(line.toString()) byte for byte on 20,000 random lines, and round-trips', () => {
    const next = random(42);
    for (let i = 0; i < 20_000; i++) {
      const line = randomLine(next);
      const text = line.toString('utf8');
      const got = encode(line);
      if (!got.equals(Buffer.from(JSON.stringify(text)))) {
        expect.fail(`line ${line.toString('hex')}: got ${got.toString()}`);
      }
      expect(JSON.parse(got.toString('utf8'))).toBe(text);
    }
  });

  it('replaces invalid UTF-8 with U+FFFD, as Buffer#toString does', () => {
    const line = Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    expect(JSON.parse(encode(line).toString())).toBe(line.toString('utf8'));
    expect(encode(line).toString()).toContain('\ufffd');
  });

  it('classifies four bytes at a time exactly as byte by byte, at every alignment', () => {
    const next = random(7);
    for (let i = 0; i < 5000; i++) {
      const line = randomLine(next);
      const out = new OutputBuilder(256);
      out.stage(line, 0, line.length);
      for (let start = 0; start < Math.min(4, line.length); start++) {
        expect(classifyStaged(out, start, line.length)).toBe(classifyBytes(line, start, line.length));
      }
    }
  });

  it('classifies each byte value alone and inside a word', () => {
    for (let b = 0; b < 256; b++) {
      const alone = Buffer.from([b]);
      const inWord = Buffer.from([0x41, 0x41, b, 0x41, 0x41, 0x41, 0x41, 0x41]);
      for (const bytes of [alone, inWord]) {
        const out = new OutputBuilder(64);
        out.stage(bytes, 0, bytes.length);
        const want = b < 0x20 || b === 0x22 || b === 0x5c ? 1 : b >= 0x80 ? 2 : 0;
        expect(classifyStaged(out, 0, bytes.length)).toBe(want);
      }
    }
  });
});
