import { describe, expect, it } from 'vitest';
import {
  type KillDeps,
  killAllDescendants,
  killTree,
  type SignalSpec,
} from '../../../src/runtime/kill-tree.js';
import type { ProcEntry } from '../../../src/runtime/proc-table.js';

function entry(pid: number, ppid: number, extra: Partial<ProcEntry> = {}): ProcEntry {
  return { pid, ppid, pgid: pid, sid: pid, state: 'S', comm: `p${pid}`, ...extra };
}

/**
 * A fake kernel: SIGKILL removes a process and re-parents its children to PID 1 at once (as
 * Linux does), a group kill hits every member, SIGSTOP/SIGCONT change the state. `beforeRead`
 * may change the table before each read (a process forking meanwhile).
 */
function fakeKernel(initial: ProcEntry[], failures: Record<number, string> = {}) {
  let table = initial.map((e) => ({ ...e }));
  const kills: [number, SignalSpec][] = [];
  let reads = 0;
  const killOne = (pid: number, signal: SignalSpec) => {
    if (signal === 'SIGKILL') {
      // A zombie is dead already: it stays until its parent reaps it.
      table = table
        .filter((e) => e.pid !== pid || e.state === 'Z')
        .map((e) => (e.ppid === pid ? { ...e, ppid: 1 } : e));
    } else if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      table = table.map((e) => (e.pid === pid ? { ...e, state: signal === 'SIGSTOP' ? 'T' : 'S' } : e));
    }
  };
  const system = {
    beforeRead: (_read: number) => {},
    deps: {
      selfPid: 5,
      readTable: () => {
        system.beforeRead(reads++);
        return table;
      },
      kill: (pid, signal) => {
        kills.push([pid, signal]);
        const code = failures[pid];
        if (code) throw Object.assign(new Error(`kill ${pid}: ${code}`), { code });
        const members = table.filter((e) => (pid < 0 ? e.pgid === -pid : e.pid === pid)).map((e) => e.pid);
        if (members.length === 0) throw Object.assign(new Error(`kill ${pid}: ESRCH`), { code: 'ESRCH' });
        for (const member of members) killOne(member, signal);
      },
    } satisfies KillDeps as KillDeps,
    kills,
    table: () => table,
    add: (...entries: ProcEntry[]) => {
      table = [...table, ...entries];
    },
  };
  return system;
}

const by = (signal: SignalSpec, kills: [number, SignalSpec][]) =>
  kills.filter(([, s]) => s === signal).map(([p]) => p);

// 1 (init) ── 4 (shell) ── 5 (procinit, self) ─┬─ 10 (web, group 10) ─┬─ 11 (worker, group 10)
//                                               │                      ├─ 12 (setsid: own group) ── 15
//                                               │                      └─ 13 (zombie)
//                                               └─ 20 (other process, group 20)
const TABLE = [
  entry(1, 0),
  entry(4, 1),
  entry(5, 4),
  entry(10, 5, { pgid: 10, sid: 10 }),
  entry(11, 10, { pgid: 10, sid: 10 }),
  entry(12, 10),
  entry(13, 10, { pgid: 10, sid: 10, state: 'Z' }),
  entry(15, 12, { pgid: 12, sid: 12 }),
  entry(20, 5),
];

describe('killTree', () => {
  it('freezes the tree, then signals the group and each process; no SIGCONT after SIGKILL', () => {
    const sys = fakeKernel(TABLE);
    const result = killTree(10, { pgid: 10 }, 'SIGKILL', sys.deps);
    expect(sys.kills).toEqual([
      [10, 'SIGSTOP'],
      [11, 'SIGSTOP'],
      [12, 'SIGSTOP'],
      [15, 'SIGSTOP'],
      [-10, 'SIGKILL'],
      [10, 'SIGKILL'],
      [11, 'SIGKILL'], // ESRCH: the group kill got it; not a failure
      [12, 'SIGKILL'],
      [15, 'SIGKILL'],
    ]);
    expect(result).toEqual({ signalled: [12, 15], groupSignalled: true, failed: [] });
    expect(sys.table().map((e) => e.pid)).toEqual([1, 4, 5, 13, 20]);
  });

  it('kills the setsid grandchild even though killing its parent re-parents it away at once', () => {
    const sys = fakeKernel(TABLE);
    killTree(10, {}, 'SIGKILL', sys.deps);
    // Without the freeze, 12's death would move 15 under PID 1 before the walk reached it.
    expect(sys.table().map((e) => e.pid)).toEqual([1, 4, 5, 13, 20]);
  });

  it('thaws after any other signal, so stopped processes act on it', () => {
    const sys = fakeKernel(TABLE);
    killTree(10, { pgid: 10 }, 'SIGTERM', sys.deps);
    expect(by('SIGTERM', sys.kills)).toEqual([-10, 10, 11, 12, 15]);
    expect(by('SIGCONT', sys.kills)).toEqual([-10, 10, 11, 12, 15]);
    expect(sys.table().every((e) => e.state !== 'T')).toBe(true);
  });

  it('finds a child forked before its parent was stopped in the next read', () => {
    const sys = fakeKernel(TABLE);
    sys.beforeRead = (read) => {
      if (read === 1) sys.add(entry(14, 11, { pgid: 14, sid: 14 }));
    };
    killTree(10, {}, 'SIGKILL', sys.deps);
    expect(by('SIGSTOP', sys.kills)).toEqual([10, 11, 12, 15, 14]);
    expect(by('SIGKILL', sys.kills)).toContain(14);
  });

  it('gives up freezing after maxRounds against a process that forks forever, and still signals', () => {
    const sys = fakeKernel(TABLE);
    let next = 100;
    sys.beforeRead = () => sys.add(entry(next++, 10));
    sys.deps.maxRounds = 3;
    killTree(10, {}, 'SIGKILL', sys.deps);
    expect(by('SIGKILL', sys.kills).sort((a, b) => a - b)).toEqual([10, 11, 12, 15, 100, 101, 102]);
  });

  it('catches session members re-parented away from the tree before the kill (parent died first)', () => {
    const sys = fakeKernel([...TABLE, entry(30, 1, { pgid: 30, sid: 10 })]);
    killTree(10, { sid: 10 }, 'SIGKILL', sys.deps);
    expect(by('SIGKILL', sys.kills)).toContain(30);
  });

  it('ignores ESRCH (already gone) and reports other failures', () => {
    const sys = fakeKernel(TABLE, { 11: 'ESRCH', 12: 'EPERM' });
    const result = killTree(10, {}, 'SIGKILL', sys.deps);
    expect(result.failed).toEqual([{ pid: 12, code: 'EPERM' }]);
    expect(result.signalled).toEqual([10, 15]);
  });

  it('never stops or signals itself or its ancestors, even in the same group or session', () => {
    const shared = TABLE.map((e) => (e.pid === 1 ? e : { ...e, pgid: 4, sid: 4 }));
    const sys = fakeKernel(shared);
    killTree(10, { pgid: 4, sid: 4 }, 'SIGKILL', sys.deps);
    const touched = new Set(sys.kills.map(([pid]) => pid));
    for (const pid of [1, 4, 5, -4]) expect(touched.has(pid)).toBe(false);
    expect(by('SIGKILL', sys.kills).sort((a, b) => a - b)).toEqual([10, 11, 12, 15, 20]);
  });

  it('never signals process groups 0, 1 or -1 (kill(0), kill(-1) mean "everyone")', () => {
    const sys = fakeKernel([entry(4, 1), entry(5, 4)]);
    for (const pgid of [0, 1, -1]) killTree(99, { pgid }, 'SIGKILL', sys.deps);
    expect(sys.kills).toEqual([]);
  });

  it('refuses a root pid that is not a pid', () => {
    for (const pid of [0, -3, 1.5]) expect(() => killTree(pid)).toThrow(RangeError);
  });
});

describe('killAllDescendants', () => {
  it('kills every live descendant of procinit, and nothing else', () => {
    const sys = fakeKernel(TABLE);
    const result = killAllDescendants(5, 'SIGKILL', sys.deps);
    expect(by('SIGSTOP', sys.kills)).toEqual([10, 20, 11, 12, 15]);
    expect(result.groupSignalled).toBe(false);
    expect(sys.table().map((e) => e.pid)).toEqual([1, 4, 5, 13]);
  });
});
