import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  getpgrp,
  posixSpawn,
  SyscallError,
  tcgetpgrp,
  waitpidNoHang,
  withSignalsBlocked,
} from '../../src/runtime/libc.js';
import { readProcEntry } from '../../src/runtime/proc-table.js';
import { spawnFailureExitCode, spawnInForeground } from '../../src/runtime/terminal.js';
import { waitFor } from '../helpers/wait-for.js';

/** Waits for a child started with posixSpawn (libuv does not know it: we wait for it ourselves). */
function exitOf(pid: number) {
  return waitFor(() => waitpidNoHang(pid), { timeoutMs: 5_000, what: `posix_spawn child ${pid} to exit` });
}

const env = [`PATH=${process.env.PATH}`];

/** The blocked-signal mask of this process's main thread, from /proc. */
function blockedMask(): bigint {
  const status = readFileSync(`/proc/${process.pid}/task/${process.pid}/status`, 'utf8');
  return BigInt(`0x${/^SigBlk:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
}

const SIGTTOU_BIT = 1n << BigInt(constants.signals.SIGTTOU - 1);

describe('libc (real calls)', () => {
  it('reports a failed waitpid with the call, the errno name and its text', () => {
    let caught: unknown;
    try {
      waitpidNoHang(process.ppid); // our parent is not our child
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SyscallError);
    expect(caught).toMatchObject({
      code: 'ECHILD',
      errno: constants.errno.ECHILD,
      syscall: `waitpid(${process.ppid})`,
      message: `waitpid(${process.ppid}) failed: ECHILD (No child processes)`,
    });
  });

  it('refuses pids that would make waitpid wait for any child or a group', () => {
    for (const pid of [0, -1, -5, 1.5]) expect(() => waitpidNoHang(pid)).toThrow(RangeError);
  });

  it('getpgrp agrees with /proc', () => {
    expect(getpgrp()).toBe(readProcEntry(process.pid)?.pgid);
  });

  it('tcgetpgrp on something that is not a terminal fails with ENOTTY', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      expect(() => tcgetpgrp(fd)).toThrow(`tcgetpgrp(${fd}) failed: ENOTTY`);
    } finally {
      closeSync(fd);
    }
  });

  it('blocks signals in the main thread only while the callback runs, even when it throws', () => {
    const before = blockedMask();
    expect(before & SIGTTOU_BIT).toBe(0n);
    const inside = withSignalsBlocked([constants.signals.SIGTTOU], () => blockedMask());
    expect(inside & SIGTTOU_BIT).toBe(SIGTTOU_BIT);
    expect(blockedMask()).toBe(before);
    expect(() =>
      withSignalsBlocked([constants.signals.SIGTTOU], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(blockedMask()).toBe(before);
  });
});

describe('posixSpawn (real processes)', () => {
  it('starts the program in its own group when asked, with SIGPIPE back at its default', async () => {
    // exit 0 only if its group is its own pid; exit 2 if SIGPIPE (bit 12) is still ignored, as in Node.
    const script = [
      'set -- $(cat /proc/$$/stat); [ "$5" = "$1" ] || exit 1',
      'ign=$(grep SigIgn /proc/$$/status | cut -f2); [ $(( (0x$ign >> 12) & 1 )) = 0 ] || exit 2',
      'exit 0',
    ].join('; ');
    const pid = posixSpawn({ file: 'sh', argv: ['sh', '-c', script], env, processGroup: 0 });
    expect(await exitOf(pid)).toEqual({ pid, code: 0, signal: null });
  });

  it('keeps stdio only when asked: Node marks fds 0-2 close-on-exec', async () => {
    // No redirection in the probe: opening one would create the lowest free fd, maybe 1 itself.
    const probe = 'if [ -e /proc/$$/fd/1 ]; then exit 0; else exit 1; fi';
    const without = posixSpawn({ file: 'sh', argv: ['sh', '-c', probe], env });
    // Without adddup2(1, 1) the program starts with no fd 1 at all.
    expect((await exitOf(without)).code).toBe(1);
    const kept = posixSpawn({ file: 'sh', argv: ['sh', '-c', probe], env, inheritFds: [0, 1, 2] });
    expect((await exitOf(kept)).code).toBe(0);
  });

  it('fails with ENOENT for a missing program, which maps to exit 127 as in tini and shells', () => {
    let caught: unknown;
    try {
      posixSpawn({ file: 'procinit-no-such-program', argv: ['x'], env });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      code: 'ENOENT',
      message: expect.stringContaining('posix_spawnp(procinit-no-such-program)'),
    });
    expect(spawnFailureExitCode(caught)).toBe(127);
    expect(spawnFailureExitCode(Object.assign(new Error(), { code: 'EACCES' }))).toBe(126);
  });

  it('spawnInForeground without a terminal leaves the terminal alone but still isolates the group', async () => {
    const child = spawnInForeground(['sh', '-c', 'exit 4'], { env: process.env, ttyFd: 99 });
    expect(child).toMatchObject({ pgid: child.pid, handover: 'none' });
    expect((await exitOf(child.pid)).code).toBe(4);
  });
});
