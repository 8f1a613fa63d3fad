import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createChildOutput } from '../../../src/runtime/output-child.js';
import { MemorySink } from '../../../src/runtime/output-memory-sink.js';
import { waitFor } from '../../helpers/wait-for.js';

const CHATTY = fileURLToPath(new URL('../../fixtures/chatty.mjs', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A sink that remembers the most it ever held. */
class WatchedSink extends MemorySink {
  maxBufferedBytes = 0;
  override write(chunk: Buffer): boolean {
    const ok = super.write(chunk);
    this.maxBufferedBytes = Math.max(this.maxBufferedBytes, this.bufferedBytes);
    return ok;
  }
}

/** Asserts that `check` holds on every look during `windowMs`: for what must NOT happen. */
async function holdsFor(windowMs: number, check: () => void): Promise<void> {
  const end = Date.now() + windowMs;
  while (Date.now() < end) {
    check();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  check();
}

function startChatty(count: number): ChildProcess {
  const child = spawn(process.execPath, [CHATTY, '--count', String(count), '--size', '100', '--tag', 'c'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  return child;
}

function expectAllLines(text: string, count: number): void {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(count);
  lines.forEach((line, i) => {
    const header = `c stdout ${String(i + 1).padStart(8, '0')} `;
    if (line !== `c.1 | ${header}${'x'.repeat(100 - header.length - 1)}`) {
      expect.fail(`line ${i + 1} is ${JSON.stringify(line)}`);
    }
  });
}

describe('backpressure', () => {
  it('pauses the source while the sink is over its mark, and loses nothing', async () => {
    const sink = new WatchedSink(64 * 1024);
    sink.stall();
    const output = createChildOutput({
      format: 'raw',
      color: false,
      timestamps: false,
      prefixWidth: 0,
      sinks: { stdout: sink, stderr: sink },
    });
    const source = new PassThrough({ highWaterMark: 16 * 1024 });
    const done = output.attach('p.1', 'stdout', source);
    const line = `${'z'.repeat(99)}\n`;
    let written = 0;
    // Write until the source itself says "slow down": that is what the child's pipe would feel.
    while (source.write(line)) written++;
    written++;
    await waitFor(() => source.isPaused(), { timeoutMs: 5000, what: 'the source to be paused' });
    expect(sink.maxBufferedBytes).toBeLessThanOrEqual(64 * 1024 + 16 * 1024 + 100);
    sink.release();
    source.end();
    await done;
    expect(sink.text()).toBe(line.repeat(written));
  });

  it('blocks a real child on its full pipe while the output is stalled; memory stays bounded', async () => {
    const highWaterMarkBytes = 256 * 1024;
    const sink = new WatchedSink(highWaterMarkBytes);
    sink.stall();
    const output = createChildOutput({
      format: 'pretty',
      color: false,
      timestamps: false,
      prefixWidth: 3,
      sinks: { stdout: sink, stderr: sink },
    });
    const count = 200_000;
    const child = startChatty(count);
    const done = output.attach('c.1', 'stdout', child.stdout!);
    await waitFor(() => sink.bufferedBytes > highWaterMarkBytes, {
      timeoutMs: 10_000,
      what: 'the sink to fill',
    });
    // 20 MB cannot fit in a pipe, a stream buffer and the sink: the child must be stuck.
    await holdsFor(300, () => {
      expect(child.exitCode).toBe(null);
      expect(sink.maxBufferedBytes).toBeLessThanOrEqual(highWaterMarkBytes + 128 * 1024);
    });
    sink.release();
    await done;
    expectAllLines(sink.text(), count);
    expect(output.lineCounts()).toEqual([{ proc: 'c.1', stream: 'stdout', lines: count }]);
  });

  it('negative control: a sink that never says "slow down" holds everything', async () => {
    const sink = new WatchedSink(Number.POSITIVE_INFINITY);
    sink.stall();
    const output = createChildOutput({
      format: 'pretty',
      color: false,
      timestamps: false,
      prefixWidth: 3,
      sinks: { stdout: sink, stderr: sink },
    });
    const count = 50_000;
    const done = output.attach('c.1', 'stdout', startChatty(count).stdout!);
    await done;
    expect(sink.maxBufferedBytes).toBeGreaterThan(count * 100);
    sink.release();
    expectAllLines(sink.text(), count);
  });
});
