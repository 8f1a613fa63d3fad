import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observe/logger.js';
import { createChildOutput, type OutputStreamName } from '../../../src/runtime/output-child.js';
import { createOutputSinks } from '../../../src/runtime/output-sinks.js';
import { waitFor } from '../../helpers/wait-for.js';

const CHATTY = fileURLToPath(new URL('../../fixtures/chatty.mjs', import.meta.url));

let dir: string;
const children: ChildProcess[] = [];
const fds: number[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procinit-order-'));
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const fd of fds.splice(0)) fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Source {
  tag: string;
  count: number;
  size: number;
  extra: string[];
}

/** Chatty children: small lines, one line per write, lines longer than a pipe chunk, no final newline. */
const SOURCES: Source[] = [
  { tag: 'small', count: 20_000, size: 40, extra: [] },
  { tag: 'oneper', count: 3_000, size: 120, extra: ['--batch', '1'] },
  { tag: 'long', count: 60, size: 70_000, extra: [] },
  { tag: 'nonl', count: 5_000, size: 300, extra: ['--no-final-newline'] },
];

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Runs every source on both streams, plus procinit log records, into the given fds. */
async function runAll(stdoutFd: number, stderrFd: number): Promise<void> {
  const sinks = createOutputSinks({ stdoutFd, stderrFd });
  const output = createChildOutput({
    format: 'pretty',
    color: false,
    timestamps: false,
    prefixWidth: 8,
    sinks,
  });
  const logger = createLogger({
    level: 'info',
    format: 'pretty',
    timestamps: false,
    color: false,
    sinks,
    prefixWidth: 8,
  });
  const attached: Promise<void>[] = [];
  for (const source of SOURCES) {
    const args = [
      CHATTY,
      '--stream',
      'both',
      '--tag',
      source.tag,
      '--count',
      String(source.count),
      '--size',
      String(source.size),
      ...source.extra,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    for (const stream of ['stdout', 'stderr'] as OutputStreamName[]) {
      attached.push(output.attach(`${source.tag}.1`, stream, child[stream]!));
    }
    attached.push(exited(child));
  }
  let logging = true;
  let records = 0;
  const logSome = (): void => {
    if (!logging) return;
    logger.info({ event: 'test.tick', n: records++ }, 'a record between the lines');
    setImmediate(logSome);
  };
  logSome();
  await Promise.all(attached);
  logging = false;
  logger.info({ event: 'test.done', records }, 'done');
  await sinks.flush();
}

/** Checks that every line is whole, comes from one source, and each source's lines are in order. */
function verify(text: string): void {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  const next = new Map<string, number>();
  let lastRecord = -1;
  for (const line of lines) {
    const record = /^procinit \| a record between the lines event=test\.tick n=(\d+)$/.exec(line);
    if (record) {
      expect(Number(record[1])).toBe(lastRecord + 1);
      lastRecord += 1;
      continue;
    }
    if (line.startsWith('procinit | done event=test.done')) continue;
    const match = /^(\w+)\.1 +\| (\w+) (stdout|stderr) (\d{8}) (x*)$/.exec(line);
    if (!match) expect.fail(`not a whole line: ${JSON.stringify(line.slice(0, 200))}`);
    const [, proc, tag, stream, seq, padding] = match;
    const source = SOURCES.find((s) => s.tag === tag)!;
    expect(proc).toBe(tag);
    const key = `${tag} ${stream}`;
    const want = next.get(key) ?? 1;
    if (Number(seq) !== want) expect.fail(`${key}: line ${seq} came where ${want} was due`);
    next.set(key, want + 1);
    expect(`${tag} ${stream} ${seq} ${padding}`.length).toBe(source.size - 1);
  }
  for (const source of SOURCES) {
    for (const stream of ['stdout', 'stderr'])
      expect(next.get(`${source.tag} ${stream}`)).toBe(source.count + 1);
  }
}

describe('several sources into one destination', () => {
  it('negative control: the checker catches a line cut by another', () => {
    const whole = (tag: string, stream: string, seq: number, size: number): string => {
      const text = `${tag} ${stream} ${String(seq).padStart(8, '0')} `;
      return `${tag}.1 | ${text}${'x'.repeat(size - text.length - 1)}`;
    };
    const line = whole('small', 'stdout', 1, 40);
    const cut = `${line.slice(0, 20)}\n${whole('nonl', 'stdout', 1, 300)}\n${line.slice(20)}\n`;
    expect(() => verify(cut)).toThrow(/not a whole line/);
  });

  it('keeps every line whole and in per-source order in a file shared by stdout and stderr', async () => {
    const file = path.join(dir, 'out.log');
    const fd = fs.openSync(file, 'a');
    fds.push(fd);
    await runAll(fd, fd);
    verify(fs.readFileSync(file, 'utf8'));
  });

  it('keeps every line whole and in per-source order through a real pipe read by another process', async () => {
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const file = path.join(dir, 'out.log');
    const outFd = fs.openSync(file, 'a');
    fds.push(outFd);
    const cat = spawn('cat', [fifo], { stdio: ['ignore', outFd, 'inherit'] });
    children.push(cat);
    // Blocks until cat has opened the reading end, which it does at once.
    const pipeFd = fs.openSync(fifo, 'w');
    await runAll(pipeFd, pipeFd);
    fs.closeSync(pipeFd);
    await waitFor(() => cat.exitCode !== null, {
      timeoutMs: 10_000,
      what: 'cat to reach the end of the pipe',
    });
    verify(fs.readFileSync(file, 'utf8'));
  });
});
