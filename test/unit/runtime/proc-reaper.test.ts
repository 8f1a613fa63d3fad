import { afterEach, describe, expect, it, vi } from 'vitest';
import { SyscallError, type WaitResult } from '../../../src/runtime/libc.js';
import type { ProcEntry } from '../../../src/runtime/proc-table.js';
import { createReaper, describeExit, type ReaperOptions } from '../../../src/runtime/reaper.js';

const SELF = 50;

function entry(pid: number, ppid: number, state = 'S'): ProcEntry {
  return { pid, ppid, pgid: pid, sid: pid, state, comm: `p${pid}` };
}

/** A fake /proc and waitpid: zombies of SELF are reaped (removed) by waitpid. */
function fakeSystem(initial: ProcEntry[], own: number[] = []) {
  let table = [...initial];
  const waited: number[] = [];
  const reaped: [number, WaitResult][] = [];
  const errors: Error[] = [];
  let scans = 0;
  const options: ReaperOptions = {
    pid: SELF,
    becomeSubreaper: false,
    sweepIntervalMs: 0,
    isOwnChild: (pid) => own.includes(pid),
    readTable: () => {
      scans++;
      return table;
    },
    waitpid: (pid) => {
      waited.push(pid);
      table = table.filter((e) => e.pid !== pid);
      return { pid, code: pid % 256, signal: null };
    },
    onReaped: (pid, status) => reaped.push([pid, status]),
    onError: (error) => errors.push(error),
  };
  return {
    options,
    waited,
    reaped,
    errors,
    scans: () => scans,
    add: (...entries: ProcEntry[]) => {
      table.push(...entries);
    },
  };
}

describe('reapNow', () => {
  it('waits for each zombie child that is not our own, by pid, and for nothing else', () => {
    const sys = fakeSystem(
      [entry(60, SELF, 'Z'), entry(61, SELF, 'Z'), entry(62, SELF), entry(63, 60, 'Z'), entry(64, SELF, 'Z')],
      [61],
    );
    const reaper = createReaper(sys.options);
    expect(reaper.reapNow()).toBe(2);
    // 61 is ours (libuv waits for it), 62 still runs, 63 is someone else's child.
    expect(sys.waited).toEqual([60, 64]);
    expect(sys.reaped.map(([pid]) => pid)).toEqual([60, 64]);
    expect(reaper.reapedTotal).toBe(2);
    expect(reaper.reapNow()).toBe(0);
    expect(reaper.reapedTotal).toBe(2);
  });

  it('passes over ECHILD (reaped meanwhile) silently and reports other failures', () => {
    const sys = fakeSystem([entry(60, SELF, 'Z'), entry(61, SELF, 'Z'), entry(62, SELF, 'Z')]);
    sys.options.waitpid = (pid) => {
      if (pid === 60) throw new SyscallError('waitpid(60)', 10, 'No child processes');
      if (pid === 61) throw new SyscallError('waitpid(61)', 4, 'Interrupted system call');
      return { pid, code: 0, signal: null };
    };
    const reaper = createReaper(sys.options);
    expect(reaper.reapNow()).toBe(1);
    expect(sys.errors.map((e) => e.message)).toEqual(['waitpid(61) failed: EINTR (Interrupted system call)']);
  });

  it('keeps reaping when onReaped throws, and reports the error', () => {
    const sys = fakeSystem([entry(60, SELF, 'Z'), entry(61, SELF, 'Z')]);
    sys.options.onReaped = () => {
      throw new Error('logger broke');
    };
    expect(createReaper(sys.options).reapNow()).toBe(2);
    expect(sys.errors.map((e) => e.message)).toEqual(['logger broke', 'logger broke']);
  });
});

describe('start, SIGCHLD', () => {
  let stop: (() => void) | undefined;
  afterEach(() => {
    stop?.();
    vi.useRealTimers();
  });

  it('reaps what is already there on start, then on SIGCHLD', async () => {
    vi.useFakeTimers();
    const sys = fakeSystem([entry(60, SELF, 'Z')]);
    const reaper = createReaper({ ...sys.options, now: () => Date.now() });
    reaper.start();
    stop = () => reaper.stop();
    await vi.advanceTimersByTimeAsync(100);
    expect(sys.waited).toEqual([60]);

    sys.add(entry(61, SELF, 'Z'));
    process.emit('SIGCHLD', 'SIGCHLD');
    await vi.advanceTimersByTimeAsync(100);
    expect(sys.waited).toEqual([60, 61]);
  });

  it('coalesces a burst of SIGCHLDs into one scan, and rescans after a scan that reaped', async () => {
    vi.useFakeTimers();
    const sys = fakeSystem([]);
    const reaper = createReaper({ ...sys.options, now: () => Date.now(), minScanGapMs: 20 });
    reaper.start();
    stop = () => reaper.stop();
    await vi.advanceTimersByTimeAsync(100);
    const before = sys.scans();

    sys.add(...Array.from({ length: 500 }, (_, i) => entry(1000 + i, SELF, 'Z')));
    for (let i = 0; i < 500; i++) process.emit('SIGCHLD', 'SIGCHLD');
    await vi.advanceTimersByTimeAsync(100);
    expect(reaper.reapedTotal).toBe(500);
    // One scan reaped all 500; one more found nothing, and the 499 other signals were merged.
    expect(sys.scans() - before).toBe(2);
  });

  it('spaces scans at least minScanGapMs apart', async () => {
    vi.useFakeTimers();
    const sys = fakeSystem([]);
    const scanTimes: number[] = [];
    const readTable = sys.options.readTable!;
    const reaper = createReaper({
      ...sys.options,
      now: () => Date.now(),
      minScanGapMs: 20,
      readTable: () => {
        scanTimes.push(Date.now());
        return readTable();
      },
    });
    reaper.start();
    stop = () => reaper.stop();
    for (let i = 0; i < 10; i++) {
      process.emit('SIGCHLD', 'SIGCHLD');
      await vi.advanceTimersByTimeAsync(5);
    }
    await vi.advanceTimersByTimeAsync(100);
    const gaps = scanTimes.slice(1).map((t, i) => t - scanTimes[i]!);
    expect(gaps.every((gap) => gap >= 20)).toBe(true);
    expect(scanTimes.length).toBeLessThanOrEqual(4);
  });

  it('stops listening on stop()', async () => {
    vi.useFakeTimers();
    const sys = fakeSystem([]);
    const reaper = createReaper({ ...sys.options, now: () => Date.now() });
    const listeners = process.listenerCount('SIGCHLD');
    reaper.start();
    expect(process.listenerCount('SIGCHLD')).toBe(listeners + 1);
    reaper.stop();
    expect(process.listenerCount('SIGCHLD')).toBe(listeners);
    sys.add(entry(60, SELF, 'Z'));
    process.emit('SIGCHLD', 'SIGCHLD');
    await vi.advanceTimersByTimeAsync(100);
    expect(sys.waited).toEqual([]);
  });

  it('reports an unreadable /proc instead of throwing from a timer', async () => {
    vi.useFakeTimers();
    const sys = fakeSystem([]);
    const reaper = createReaper({
      ...sys.options,
      now: () => Date.now(),
      readTable: () => {
        throw Object.assign(new Error("ENOENT: no such file or directory, scandir '/proc'"), {
          code: 'ENOENT',
        });
      },
    });
    reaper.start();
    stop = () => reaper.stop();
    await vi.advanceTimersByTimeAsync(100);
    expect(sys.errors.map((e) => e.message)).toEqual(["ENOENT: no such file or directory, scandir '/proc'"]);
  });
});

describe('watch', () => {
  it('hands a watched child to its own callback, not onReaped, and does not count it', () => {
    const sys = fakeSystem([entry(60, SELF, 'Z'), entry(61, SELF, 'Z')]);
    const reaper = createReaper(sys.options);
    const exits: WaitResult[] = [];
    reaper.watch(61, (status) => exits.push(status));
    expect(reaper.reapNow()).toBe(1);
    expect(exits).toEqual([{ pid: 61, code: 61, signal: null }]);
    expect(sys.reaped.map(([pid]) => pid)).toEqual([60]);
    expect(reaper.reapedTotal).toBe(1);
  });

  it('reaps a watched child that had ended before watch() was called', async () => {
    vi.useFakeTimers();
    try {
      const sys = fakeSystem([]);
      const reaper = createReaper({ ...sys.options, now: () => Date.now() });
      reaper.start();
      await vi.advanceTimersByTimeAsync(100);
      sys.add(entry(70, SELF, 'Z')); // its SIGCHLD came and went
      const exits: number[] = [];
      reaper.watch(70, (status) => exits.push(status.pid));
      await vi.advanceTimersByTimeAsync(100);
      expect(exits).toEqual([70]);
      reaper.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('describeExit', () => {
  it('says how an orphan ended', () => {
    expect(describeExit({ pid: 1, code: 3, signal: null })).toBe('exited with 3');
    expect(describeExit({ pid: 1, code: null, signal: 9 })).toBe('killed by SIGKILL');
  });
});
