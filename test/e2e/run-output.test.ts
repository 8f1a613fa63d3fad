import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { afterEach, describe, expect, it } from 'vitest';
import { type LineMode, type LineStream, lineText, streamOf } from '../fixtures/numbered-lines.mjs';
import { FIXTURES, killAll, projectDir, type RunningProcess, startProcinit } from '../helpers/procinit.js';

// SPEC §4 "Output": every line a child writes reaches procinit's stream of the same name, whole
// (never split, merged or interleaved), in order, in every --log-format. Four processes write
// 100,000 numbered lines each at full speed, through pipes, in 4,093-byte writes that cut lines in
// half; every line that comes out is compared with the exact text the fixture wrote.

const COUNT = 100_000;

interface Source {
  /** The process type, also the tag at the start of each of its lines. */
  name: string;
  mode: LineMode;
  noFinalNewline?: boolean;
}

const SOURCES: readonly Source[] = [
  { name: 'out', mode: 'stdout' },
  { name: 'mixed', mode: 'mixed' },
  { name: 'err', mode: 'stderr' },
  // The longest name, so the pretty prefix of every other process is padded to it.
  { name: 'no-final-newline', mode: 'stdout', noFinalNewline: true },
];

const idOf = (source: Source) => `${source.name}.1`;
const PREFIX_WIDTH = Math.max('procinit'.length, ...SOURCES.map((source) => idOf(source).length));

function projectFiles(): Record<string, string> {
  const fixture = `${FIXTURES}/numbered-lines.mjs`;
  const procfile = SOURCES.map(
    (s) =>
      `${s.name}: node ${fixture} ${s.name} ${COUNT} ${s.mode}${s.noFinalNewline ? ' --no-final-newline' : ''}`,
  );
  // restart: never, so each process runs once and procinit exits when all have ended.
  const config = ['processes:', ...SOURCES.map((s) => `  ${s.name}: { restart: never }`)];
  return { Procfile: `${procfile.join('\n')}\n`, 'procinit.yaml': `${config.join('\n')}\n` };
}

/** The first line number after `lastSeq` that the fixture writes to `stream` (past COUNT if none). */
function nextSeq(mode: LineMode, stream: LineStream, lastSeq: number): number {
  let seq = lastSeq + 1;
  while (seq <= COUNT && streamOf(mode, seq) !== stream) seq++;
  return seq;
}

interface Progress {
  lines: number;
  lastSeq: number;
}

/** What must have arrived from each process on each stream: every line, up to the last one. */
function expectedProgress(): Record<string, Progress> {
  const expected: Record<string, Progress> = {};
  for (const source of SOURCES) {
    for (const stream of ['stdout', 'stderr'] as const) {
      let lines = 0;
      let lastSeq = 0;
      for (let seq = nextSeq(source.mode, stream, 0); seq <= COUNT; seq = nextSeq(source.mode, stream, seq)) {
        lines++;
        lastSeq = seq;
      }
      if (lines > 0) expected[`${idOf(source)} ${stream}`] = { lines, lastSeq };
    }
  }
  return expected;
}

type Format = 'pretty' | 'json' | 'raw';

/**
 * Checks procinit's output one line at a time, keeping only counters, so 400,000 lines need no
 * more memory than a few. Each child line must be exactly the next line its process wrote to
 * that stream: a split, merged, reordered, lost or misrouted line is reported with its text.
 */
class OutputCheck {
  readonly progress = new Map<string, Progress>();
  /** Problems with children's lines: the first few, and how many there were. */
  readonly problems: string[] = [];
  problemCount = 0;
  /** procinit's own lines: the message of each, and what is wrong with them (json). */
  readonly procinitMessages: string[] = [];
  readonly procinitProblems: string[] = [];

  constructor(
    private readonly format: Format,
    private readonly startedAtMs: number,
  ) {}

  line(arrivedOn: LineStream, line: string): void {
    if (this.format === 'pretty') this.#pretty(arrivedOn, line);
    else if (this.format === 'json') this.#json(arrivedOn, line);
    else this.#raw(arrivedOn, line);
  }

  #pretty(arrivedOn: LineStream, line: string): void {
    const bar = line.indexOf(' | ');
    const name = line.slice(0, Math.max(bar, 0)).trimEnd();
    if (bar === -1 || line.slice(0, bar) !== name.padEnd(PREFIX_WIDTH)) {
      this.#problem(`${arrivedOn}: no "NAME | " prefix padded to ${PREFIX_WIDTH}: ${JSON.stringify(line)}`);
      return;
    }
    const body = line.slice(bar + 3);
    if (name === 'procinit') this.procinitMessages.push(body);
    else this.#child(name, arrivedOn, body);
  }

  #json(arrivedOn: LineStream, line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.#problem(`${arrivedOn}: not a JSON line: ${JSON.stringify(line.slice(0, 200))}`);
      return;
    }
    if (!('stream' in record)) {
      this.procinitMessages.push(String(record.msg));
      // A second "proc" key would make JSON.parse (and log pipelines) attribute the record to a child.
      const procKeys = line.split('"proc":').length - 1;
      if (record.proc !== 'procinit' || procKeys !== 1) {
        this.procinitProblems.push(
          `proc is ${JSON.stringify(record.proc)} (${procKeys} "proc" keys): ${line}`,
        );
      }
      return;
    }
    const { level, time, proc, stream, msg } = record;
    const shapeOk =
      Object.keys(record).join() === 'level,time,proc,stream,msg' &&
      (stream === 'stdout' ? level === 30 : typeof level === 'number') &&
      typeof time === 'number' &&
      time >= this.startedAtMs &&
      time <= Date.now() &&
      stream === arrivedOn &&
      typeof proc === 'string' &&
      typeof msg === 'string';
    if (!shapeOk) this.#problem(`${arrivedOn}: bad child record: ${line.slice(0, 200)}`);
    else this.#child(proc as string, arrivedOn, msg as string);
  }

  #raw(arrivedOn: LineStream, line: string): void {
    if (/^procinit +\| /.test(line)) {
      this.procinitMessages.push(line.slice(line.indexOf(' | ') + 3));
      return;
    }
    // Raw lines carry no name: the fixture's tag (the first word) says whose line it is.
    this.#child(`${line.slice(0, line.indexOf(' '))}.1`, arrivedOn, line);
  }

  #child(id: string, arrivedOn: LineStream, text: string): void {
    const source = SOURCES.find((candidate) => idOf(candidate) === id);
    if (!source) {
      this.#problem(
        `${arrivedOn}: a line from no known process (${JSON.stringify(id)}): ${text.slice(0, 200)}`,
      );
      return;
    }
    const key = `${id} ${arrivedOn}`;
    const progress = this.progress.get(key) ?? { lines: 0, lastSeq: 0 };
    const seq = nextSeq(source.mode, arrivedOn, progress.lastSeq);
    const expected = lineText(source.name, arrivedOn, seq);
    if (text !== expected) {
      this.#problem(
        `${key}: line ${progress.lines + 1} should be ${JSON.stringify(expected)}, is ${JSON.stringify(text.slice(0, 200))}`,
      );
    }
    this.progress.set(key, { lines: progress.lines + 1, lastSeq: seq });
  }

  #problem(text: string): void {
    this.problemCount++;
    if (this.problems.length < 5) this.problems.push(text);
  }

  summary() {
    return {
      problems: this.problems,
      problemCount: this.problemCount,
      progress: Object.fromEntries(this.progress),
    };
  }
}

/**
 * Calls `onLine` with each complete line of `stream` as it arrives; resolves, at its end, with
 * what came after the last newline ('' when the stream ended with a whole line).
 */
function readLines(stream: Readable, onLine: (line: string) => void): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  stream.on('data', (chunk: Buffer) => {
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      onLine(text.slice(start, newline));
      start = newline + 1;
    }
    carry = text.slice(start);
  });
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve(carry + decoder.end()));
    stream.on('error', reject);
  });
}

/** Resolves with the exit code, or fails saying so if procinit has not exited in time. */
async function exitCodeWithin(run: RunningProcess, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`procinit did not exit within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs procinit over the four fixtures and checks its output as it streams by. */
async function runAndCheck(format: Format) {
  const startedAtMs = Date.now();
  const run = startProcinit(['--health-port', '0', '--log-format', format], {
    cwd: projectDir(projectFiles()),
  });
  const check = new OutputCheck(format, startedAtMs);
  // Why drop the helper's listeners: it keeps every byte (~50 MB here); the check keeps counters.
  const { stdout, stderr } = run.child;
  if (!stdout || !stderr) throw new Error('procinit was started without pipes');
  stdout.removeAllListeners('data');
  stderr.removeAllListeners('data');
  const trailing = Promise.all([
    readLines(stdout, (line) => check.line('stdout', line)),
    readLines(stderr, (line) => check.line('stderr', line)),
  ]);
  const exitCode = await exitCodeWithin(run, 40_000);
  const [stdoutTrailing, stderrTrailing] = await trailing;
  return { exitCode, check, stdoutTrailing, stderrTrailing };
}

afterEach(killAll);

describe('output of 4 processes × 100,000 lines (real processes, real pipes)', () => {
  it.each<Format>(['pretty', 'json', 'raw'])(
    '--log-format %s: every line whole, in order, on its own stream',
    async (format) => {
      const { exitCode, check, stdoutTrailing, stderrTrailing } = await runAndCheck(format);

      expect(exitCode).toBe(0);
      // Nothing split, merged, lost, reordered or on the wrong stream: each process's lines on
      // each stream are exactly 1..N of what it wrote there, including the last line of
      // no-final-newline.1, which it wrote without a newline.
      expect(check.summary()).toEqual({ problems: [], problemCount: 0, progress: expectedProgress() });
      // procinit's own output ends with whole lines too.
      expect({ stdoutTrailing, stderrTrailing }).toEqual({ stdoutTrailing: '', stderrTrailing: '' });
      // The exit summary: each process, its restarts and its last exit, then procinit's code.
      const summary = [
        ...SOURCES.map((s) => `${idOf(s)}: exited, 0 restarts, last exit 0`),
        'procinit exits with code 0',
      ];
      const missing = summary.filter((line) => !check.procinitMessages.some((msg) => msg.startsWith(line)));
      expect(missing).toEqual([]);
      // In json, procinit's own records say `"proc":"procinit"`, once, so they are never taken
      // for a child's line.
      expect(check.procinitProblems.slice(0, 3)).toEqual([]);
    },
  );

  it('control: the check catches a split, a merge, a lost line, a reorder and a wrong stream', () => {
    const prefix = (id: string) => `${id.padEnd(PREFIX_WIDTH)} | `;
    const line = (seq: number) => prefix('out.1') + lineText('out', 'stdout', seq);
    const cases: [string, [LineStream, string][]][] = [
      [
        'whole',
        [
          ['stdout', line(1)],
          ['stdout', line(2)],
        ],
      ],
      [
        'split',
        [
          ['stdout', line(1).slice(0, 30)],
          ['stdout', line(1).slice(30)],
        ],
      ],
      ['merged', [['stdout', line(1) + lineText('out', 'stdout', 2)]]],
      ['lost', [['stdout', line(2)]]],
      [
        'reordered',
        [
          ['stdout', line(2)],
          ['stdout', line(1)],
        ],
      ],
      ['wrong stream', [['stderr', line(1)]]],
      ['unpadded', [['stdout', `out.1 | ${lineText('out', 'stdout', 1)}`]]],
    ];
    const found = cases.map(([name, lines]) => {
      const check = new OutputCheck('pretty', 0);
      for (const [stream, text] of lines) check.line(stream, text);
      return [name, check.problemCount > 0];
    });
    expect(Object.fromEntries(found)).toEqual({
      whole: false,
      split: true,
      merged: true,
      lost: true,
      reordered: true,
      'wrong stream': true,
      unpadded: true,
    });
  });
});
