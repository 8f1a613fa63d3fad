import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFdSink, type FdWriteMode } from '../../../src/runtime/output-fd-sink.js';
import { createOutputSinks } from '../../../src/runtime/output-sinks.js';
import { waitFor } from '../../helpers/wait-for.js';

let dir: string;
const openFds: number[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procinit-sink-'));
});

afterEach(() => {
  for (const fd of openFds.splice(0)) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed by the test
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(file: string, flags: string | number): number {
  const fd = fs.openSync(file, flags);
  openFds.push(fd);
  return fd;
}

/** A FIFO whose both ends are non-blocking: the writer sees partial writes and EAGAIN. */
function nonBlockingFifo(): { readFd: number; writeFd: number } {
  const fifo = path.join(dir, 'fifo');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  const readFd = open(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writeFd = open(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return { readFd, writeFd };
}

/** Reads what is in a non-blocking fd now. */
function drain(fd: number, into: Buffer[]): number {
  const buffer = Buffer.alloc(1 << 16);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return total;
      throw error;
    }
    if (n === 0) return total;
    into.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
  }
}

/** Units of varied sizes, each naming its number, so order and wholeness can be checked. */
function numberedUnits(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`unit ${i} ${'x'.repeat((i * 7919) % 3000)}\n`));
}

describe('fd sink', () => {
  it.each(['sync', 'async'] as FdWriteMode[])('writes units to a file in order (%s)', async (mode) => {
    const file = path.join(dir, 'out');
    const sink = createFdSink(open(file, 'a'), { mode });
    const units = numberedUnits(2000);
    for (const unit of units) sink.write(unit);
    await sink.flush();
    expect(sink.bufferedBytes).toBe(0);
    expect(fs.readFileSync(file).equals(Buffer.concat(units))).toBe(true);
  });

  it.each(['sync', 'async'] as FdWriteMode[])(
    'keeps order through partial writes and EAGAIN on a full non-blocking pipe (%s)',
    async (mode) => {
      const { readFd, writeFd } = nonBlockingFifo();
      const sink = createFdSink(writeFd, { mode, highWaterMarkBytes: 256 * 1024 });
      const units = numberedUnits(1500);
      const want = Buffer.concat(units);
      expect(want.length).toBeGreaterThan(1024 * 1024);
      for (const unit of units) sink.write(unit);
      const got: Buffer[] = [];
      let received = 0;
      await waitFor(
        () => {
          received += drain(readFd, got);
          return received >= want.length;
        },
        { timeoutMs: 20_000, what: `all ${want.length} bytes through the pipe (got ${received})` },
      );
      await sink.flush();
      expect(Buffer.concat(got).equals(want)).toBe(true);
    },
  );

  it('says "slow down" above the high-water mark and calls back once drained', async () => {
    const { readFd, writeFd } = nonBlockingFifo();
    const sink = createFdSink(writeFd, { mode: 'async', highWaterMarkBytes: 128 * 1024 });
    const unit = Buffer.alloc(32 * 1024, 'y');
    let accepted = 0;
    while (sink.write(unit)) accepted++;
    // The pipe holds 64 KiB; the rest waits in the sink, just past the mark.
    expect(accepted).toBeLessThan(16);
    expect(sink.bufferedBytes).toBeLessThanOrEqual(128 * 1024 + unit.length);
    let drained = false;
    sink.onceDrain(() => {
      drained = true;
    });
    const got: Buffer[] = [];
    await waitFor(
      () => {
        drain(readFd, got);
        return drained;
      },
      { timeoutMs: 10_000, what: 'the drain callback' },
    );
    expect(sink.bufferedBytes).toBeLessThanOrEqual(32 * 1024);
    // Empty the sink before afterEach closes its fd: a write still pending would land in
    // whatever file a later test opens under the same fd number.
    let flushed = false;
    void sink.flush().then(() => {
      flushed = true;
    });
    await waitFor(
      () => {
        drain(readFd, got);
        return flushed;
      },
      { timeoutMs: 10_000, what: 'the sink to flush' },
    );
  });

  it('reports a closed reader (EPIPE) once, then drops output instead of blocking', async () => {
    const { readFd, writeFd } = nonBlockingFifo();
    fs.closeSync(readFd);
    const errors: string[] = [];
    const sink = createFdSink(writeFd, { mode: 'async', onError: (error) => errors.push(error.code ?? '') });
    sink.write(Buffer.from('lost\n'));
    await sink.flush();
    expect(sink.write(Buffer.from('also lost\n'))).toBe(true);
    await sink.flush();
    expect(errors).toEqual(['EPIPE']);
    expect(sink.droppedBytes).toBe('lost\nalso lost\n'.length);
  });

  it('drops output on a full disk (ENOSPC), reports it once, and keeps trying later output', async () => {
    const errors: string[] = [];
    const sink = createFdSink(open('/dev/full', 'w'), {
      mode: 'sync',
      onError: (error) => errors.push(error.code ?? ''),
    });
    sink.write(Buffer.from('one\n'));
    await sink.flush();
    sink.write(Buffer.from('two\n'));
    await sink.flush();
    expect(errors).toEqual(['ENOSPC']);
    expect(sink.droppedBytes).toBe(8);
    expect(sink.bufferedBytes).toBe(0);
  });

  it.each(['sync', 'async'] as FdWriteMode[])(
    'flushSync writes everything queued before returning (%s)',
    (mode) => {
      const file = path.join(dir, 'out');
      const sink = createFdSink(open(file, 'a'), { mode });
      sink.write(Buffer.from('first\n'));
      // async: the first unit is in flight on the threadpool; sync: all wait for the setImmediate.
      const rest = numberedUnits(50);
      for (const unit of rest) sink.write(unit);
      sink.flushSync();
      const written = fs.readFileSync(file, 'utf8');
      for (const unit of rest) expect(written).toContain(unit.toString());
    },
  );
});

describe('createOutputSinks', () => {
  it('shares one writer when stdout and stderr reach the same file', () => {
    const file = path.join(dir, 'both');
    const fd = open(file, 'a');
    const sinks = createOutputSinks({ stdoutFd: fd, stderrFd: open(file, 'a') });
    expect(sinks.stderr).toBe(sinks.stdout);
    const other = createOutputSinks({ stdoutFd: fd, stderrFd: open(path.join(dir, 'other'), 'a') });
    expect(other.stderr).not.toBe(other.stdout);
  });

  it('flush and flushSync cover both sinks', async () => {
    const out = path.join(dir, 'out');
    const err = path.join(dir, 'err');
    const sinks = createOutputSinks({ stdoutFd: open(out, 'a'), stderrFd: open(err, 'a'), mode: 'async' });
    sinks.stdout.write(Buffer.from('to stdout\n'));
    sinks.stderr.write(Buffer.from('to stderr\n'));
    await sinks.flush();
    expect(fs.readFileSync(out, 'utf8')).toBe('to stdout\n');
    expect(fs.readFileSync(err, 'utf8')).toBe('to stderr\n');
  });
});
