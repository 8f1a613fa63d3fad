import { isUtf8 } from 'node:buffer';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogFormat } from '../../../src/config/resolved-config.js';
import { createLineEncoder } from '../../../src/runtime/line-encoders.js';
import {
  LineFramer,
  type LineListener,
  MAX_LINE_BYTES,
  utf8Boundary,
} from '../../../src/runtime/line-framer.js';
import { formatClock, formatPrefix } from '../../../src/runtime/line-prefix.js';
import { OutputBuilder } from '../../../src/runtime/output-builder.js';
import { createChildOutput } from '../../../src/runtime/output-child.js';
import { MemorySink } from '../../../src/runtime/output-memory-sink.js';

const NOW = 1_763_798_400_123;

interface FrameOptions {
  format?: LogFormat;
  color?: string;
  timestamps?: boolean;
  width?: number;
  maxLineBytes?: number;
  /** Tiny slabs make every unit cross a slab boundary: the slow paths of the builder. */
  slabBytes?: number;
  onLine?: LineListener;
}

/** Frames `chunks` as one source would, and returns the units (the last one from end()). */
function frame(
  chunks: Buffer[],
  options: FrameOptions = {},
): { units: Buffer[]; bytes: Buffer; lines: number } {
  const encoder = createLineEncoder({
    format: options.format ?? 'pretty',
    procId: 'web.1',
    stream: 'stdout',
    prefix: { width: options.width ?? 6, color: options.color },
    timestamps: options.timestamps ?? false,
  });
  const framer = new LineFramer(
    encoder,
    new OutputBuilder(options.slabBytes),
    () => NOW,
    options.onLine,
    options.maxLineBytes,
  );
  const units = chunks.map((chunk) => framer.push(chunk));
  units.push(framer.end());
  return { units, bytes: Buffer.concat(units), lines: framer.lines };
}

/** The lines of `input` as the spec says they come out: each with a `\n`, the last one too. */
function splitLines(input: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let at = input.indexOf(10); at !== -1; at = input.indexOf(10, start)) {
    lines.push(input.subarray(start, at + 1));
    start = at + 1;
  }
  if (start < input.length) lines.push(Buffer.concat([input.subarray(start), Buffer.from('\n')]));
  return lines;
}

/** What each format must produce for `input`, built independently of the encoders. */
function expected(input: Buffer, format: LogFormat): Buffer {
  const lines = splitLines(input);
  if (format === 'raw') return Buffer.concat(lines);
  if (format === 'pretty') return Buffer.concat(lines.flatMap((line) => [Buffer.from('web.1  | '), line]));
  return Buffer.concat(
    lines.map((line) => {
      let end = line.length - 1;
      if (end > 0 && line[end - 1] === 0x0d) end--;
      const msg = JSON.stringify(line.subarray(0, end).toString('utf8'));
      return Buffer.from(`{"level":30,"time":${NOW},"proc":"web.1","stream":"stdout","msg":${msg}}\n`);
    }),
  );
}

/** Every awkward thing at once: multibyte characters, CRLF, empty lines, controls, bad UTF-8. */
const AWKWARD = Buffer.concat([
  Buffer.from('héllo wörld 😀\r\n\n\nplain line\r\n"quoted" \\ back\x1b[31mred\x1b[0m\ttab\n'),
  Buffer.from('\x00ctrl\x7f\x1f\x08\x0c\n'),
  Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0xc3, 0x0a]),
  Buffer.from('\u2028sep\u2029 € ✓\r\rcr\nlast line without newline ✓'),
]);

describe('line framing', () => {
  describe.each(['pretty', 'raw', 'json'] as const)('%s', (format) => {
    it('frames unsplit input exactly', () => {
      expect(frame([AWKWARD], { format }).bytes).toEqual(expected(AWKWARD, format));
    });

    it('gives the same bytes whatever the chunk boundaries (every split point)', () => {
      const want = expected(AWKWARD, format);
      for (let i = 0; i <= AWKWARD.length; i++) {
        const got = frame([AWKWARD.subarray(0, i), AWKWARD.subarray(i)], { format }).bytes;
        if (!got.equals(want)) expect.fail(`split at ${i}: ${JSON.stringify(got.toString())}`);
      }
    });

    it('gives the same bytes for every pair of split points, on tiny slabs', () => {
      const want = expected(AWKWARD, format);
      for (let i = 0; i <= AWKWARD.length; i += 3) {
        for (let j = i; j <= AWKWARD.length; j++) {
          const chunks = [AWKWARD.subarray(0, i), AWKWARD.subarray(i, j), AWKWARD.subarray(j)];
          const got = frame(chunks, { format, slabBytes: 64 }).bytes;
          if (!got.equals(want)) expect.fail(`split at ${i}, ${j}: ${JSON.stringify(got.toString())}`);
        }
      }
    });

    it('gives the same bytes fed one byte at a time', () => {
      const chunks = [...AWKWARD].map((byte) => Buffer.from([byte]));
      expect(frame(chunks, { format }).bytes).toEqual(expected(AWKWARD, format));
    });

    it('produces one unit per chunk, each made of whole lines', () => {
      const { units } = frame([Buffer.from('a\nb'), Buffer.from('c\nd\ne'), Buffer.from('f')], { format });
      expect(units.map((unit) => unit.toString().split('\n').length - 1)).toEqual([1, 2, 0, 1]);
    });

    it('delivers a last line without a newline, adding one', () => {
      expect(frame([Buffer.from('only')], { format }).bytes).toEqual(expected(Buffer.from('only\n'), format));
    });

    it('writes nothing for no input, and nothing more for a stream ending after a newline', () => {
      expect(frame([], { format }).bytes.length).toBe(0);
      expect(frame([Buffer.from('x\n')], { format }).units.at(-1)!.length).toBe(0);
    });

    it('counts lines, including a last line without a newline', () => {
      expect(frame([AWKWARD.subarray(0, 7), AWKWARD.subarray(7)], { format }).lines).toBe(
        splitLines(AWKWARD).length,
      );
    });
  });

  it('writes the exact pretty bytes, with colour and with a time', () => {
    expect(frame([Buffer.from('hi\n')]).bytes.toString()).toBe('web.1  | hi\n');
    expect(frame([Buffer.from('hi\n')], { color: '36' }).bytes.toString()).toBe(
      '\x1b[36mweb.1  | \x1b[0mhi\n',
    );
    expect(frame([Buffer.from('hi\n')], { timestamps: true }).bytes.toString()).toBe(
      `${formatClock(NOW)} web.1  | hi\n`,
    );
    expect(frame([Buffer.from('hi\n')], { width: 2 }).bytes.toString()).toBe('web.1 | hi\n');
  });

  it('writes the exact json bytes', () => {
    expect(frame([Buffer.from('say "hi"\r\n')], { format: 'json' }).bytes.toString()).toBe(
      `{"level":30,"time":${NOW},"proc":"web.1","stream":"stdout","msg":"say \\"hi\\""}\n`,
    );
  });

  it('formats the clock as local HH:MM:SS.mmm', () => {
    expect(formatClock(new Date(2026, 10, 22, 9, 5, 7, 42).getTime())).toBe('09:05:07.042');
    expect(
      formatPrefix('procinit', { width: 10, color: '1' }, new Date(2026, 0, 1, 23, 59, 59, 999).getTime()),
    ).toBe('\x1b[1m23:59:59.999 procinit   | \x1b[0m');
  });
});

describe('long lines', () => {
  it('cuts a line longer than the limit into pieces, each a prefixed line', () => {
    const line = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    const chunks = [line.subarray(0, 5), line.subarray(5, 12), line.subarray(12), Buffer.from('\nnext\n')];
    const { bytes, lines } = frame(chunks, { maxLineBytes: 10 });
    expect(bytes.toString()).toBe(
      'web.1  | abcdefghij\nweb.1  | klmnopqrst\nweb.1  | uvwxyz\nweb.1  | next\n',
    );
    expect(lines).toBe(4);
  });

  it('cuts a 2.5 MiB line arriving in 64 KiB chunks into pieces of at most 1 MiB, never mid-character', () => {
    const line = Buffer.from('€'.repeat(Math.ceil((2.5 * MAX_LINE_BYTES) / 3)));
    const chunks: Buffer[] = [];
    for (let i = 0; i < line.length; i += 65536) chunks.push(line.subarray(i, i + 65536));
    chunks.push(Buffer.from('\n'));
    const { bytes } = frame(chunks, { format: 'raw' });
    const pieces = bytes.toString('latin1').split('\n').slice(0, -1);
    expect(pieces).toHaveLength(3);
    for (const piece of pieces) {
      const pieceBytes = Buffer.from(piece, 'latin1');
      expect(pieceBytes.length).toBeLessThanOrEqual(MAX_LINE_BYTES);
      expect(isUtf8(pieceBytes)).toBe(true);
    }
    // Buffer#equals: toEqual compares megabytes element by element, for seconds.
    expect(Buffer.from(pieces.join(''), 'latin1').equals(line)).toBe(true);
  });

  it('leaves a long line whole when it arrives in one chunk', () => {
    const line = Buffer.alloc(MAX_LINE_BYTES + 10, 'x');
    const { bytes } = frame([Buffer.concat([line, Buffer.from('\n')])], { format: 'raw' });
    expect(bytes.length).toBe(line.length + 1);
  });

  it('finds a cut point that does not split a UTF-8 character', () => {
    const text = Buffer.from('a€b');
    expect(utf8Boundary(text, 2)).toBe(1);
    expect(utf8Boundary(text, 3)).toBe(1);
    expect(utf8Boundary(text, 4)).toBe(4);
    expect(utf8Boundary(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80]), 5)).toBe(5);
  });
});

describe('line listener', () => {
  it('receives each line as text without its newline, CR or colour codes', () => {
    const seen: string[] = [];
    frame([Buffer.from('\x1b[32mREADY\x1b[0m on :80'), Buffer.from('00\r\n\nbye')], {
      onLine: (line) => {
        seen.push(line);
      },
    });
    expect(seen).toEqual(['READY on :8000', '', 'bye']);
  });

  it('stops being called once it returns false', () => {
    const seen: string[] = [];
    frame([Buffer.from('a\nb\nc\n')], {
      onLine: (line) => {
        seen.push(line);
        return line !== 'b';
      },
    });
    expect(seen).toEqual(['a', 'b']);
  });
});

describe('createChildOutput', () => {
  it('sends each stream to the sink of the same name and counts lines per process and stream', async () => {
    const stdout = new MemorySink();
    const stderr = new MemorySink();
    const output = createChildOutput({
      format: 'pretty',
      color: false,
      timestamps: false,
      prefixWidth: 8,
      sinks: { stdout, stderr },
    });
    const out = new PassThrough();
    const err = new PassThrough();
    const done = Promise.all([output.attach('web.1', 'stdout', out), output.attach('web.1', 'stderr', err)]);
    out.end('one\ntwo\nthree');
    err.end('oops\n');
    await done;
    expect(stdout.text()).toBe('web.1    | one\nweb.1    | two\nweb.1    | three\n');
    expect(stderr.text()).toBe('web.1    | oops\n');
    expect(output.lineCounts()).toEqual([
      { proc: 'web.1', stream: 'stdout', lines: 3 },
      { proc: 'web.1', stream: 'stderr', lines: 1 },
    ]);
  });

  it('gives each process its own colour, in the order given, and keeps it across restarts', async () => {
    const sink = new MemorySink();
    const output = createChildOutput({
      format: 'pretty',
      color: true,
      timestamps: false,
      prefixWidth: 5,
      sinks: { stdout: sink, stderr: sink },
      procIds: ['web.1', 'worker.1'],
    });
    for (const id of ['worker.1', 'web.1', 'worker.1']) {
      const stream = new PassThrough();
      const done = output.attach(id, 'stdout', stream);
      stream.end('x\n');
      await done;
    }
    expect(sink.text()).toBe(
      '\x1b[33mworker.1 | \x1b[0mx\n\x1b[36mweb.1 | \x1b[0mx\n\x1b[33mworker.1 | \x1b[0mx\n',
    );
    expect(output.lineCounts()).toContainEqual({ proc: 'worker.1', stream: 'stdout', lines: 2 });
  });

  it('resolves on an error or a destroy, delivering what was read', async () => {
    const sink = new MemorySink();
    const output = createChildOutput({
      format: 'raw',
      color: false,
      timestamps: false,
      prefixWidth: 0,
      sinks: { stdout: sink, stderr: sink },
    });
    const failing = new PassThrough();
    const done = output.attach('a.1', 'stdout', failing);
    failing.write('partial');
    await new Promise((resolve) => setImmediate(resolve));
    failing.destroy(new Error('EIO'));
    await done;
    expect(sink.text()).toBe('partial\n');
  });
});
