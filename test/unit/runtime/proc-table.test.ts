import { describe, expect, it } from 'vitest';
import {
  descendantsOf,
  groupMembers,
  type ProcEntry,
  parseStatLine,
  sessionMembers,
  zombieChildrenOf,
} from '../../../src/runtime/proc-table.js';

/** The tail of a real stat line after the session field: tty, tpgid, flags, times, … */
const TAIL = '0 -1 4194304 103 0 0 0 0 0 0 0 20 0 1 0 98582 3133440 383 18446744073709551615';

describe('parseStatLine', () => {
  it.each([
    [
      'a plain name',
      `5158 (cat) R 5113 5113 2796 ${TAIL}`,
      { pid: 5158, comm: 'cat', state: 'R', ppid: 5113, pgid: 5113, sid: 2796 },
    ],
    [
      'spaces in the name',
      `42 (Web Content) S 1 42 42 ${TAIL}`,
      { pid: 42, comm: 'Web Content', state: 'S', ppid: 1 },
    ],
    [
      'a ")" in the name',
      `7 (a) b) Z 3 4 5 ${TAIL}`,
      { pid: 7, comm: 'a) b', state: 'Z', ppid: 3, pgid: 4, sid: 5 },
    ],
    // A name built to look like the fields that follow it: only the LAST ")" ends it.
    [
      'fake fields in the name',
      `9 (x) R 1 (y) S 8 9 10 ${TAIL}`,
      { pid: 9, comm: 'x) R 1 (y', state: 'S', ppid: 8 },
    ],
    ['an empty name', `11 () S 1 11 11 ${TAIL}`, { pid: 11, comm: '', state: 'S' }],
    ['PID 1, parent 0', `1 (procinit) S 0 1 1 ${TAIL}`, { pid: 1, ppid: 0, pgid: 1, sid: 1 }],
    ['no fields beyond the session', '12 (sh) T 2 3 4', { pid: 12, state: 'T', sid: 4 }],
  ])('parses %s', (_what, line, expected) => {
    expect(parseStatLine(line)).toMatchObject(expected);
  });

  it.each([
    ['an empty line', ''],
    ['no parentheses', '12 sh S 1 2 3'],
    ['no pid', '(sh) S 1 2 3'],
    ['fields missing', '12 (sh) S 1'],
    ['a non-numeric ppid', '12 (sh) S x 2 3'],
    ['a long state', '12 (sh) SS 1 2 3'],
  ])('rejects %s, quoting it', (_what, line) => {
    expect(() => parseStatLine(line)).toThrow(`malformed /proc stat line: ${JSON.stringify(line)}`);
  });
});

function entry(pid: number, ppid: number, extra: Partial<ProcEntry> = {}): ProcEntry {
  return { pid, ppid, pgid: pid, sid: pid, state: 'S', comm: `p${pid}`, ...extra };
}

// 1 ─┬─ 10 ─┬─ 11 ─── 12
//    │      └─ 13 (left the group and session: setsid)
//    ├─ 20 (zombie)
//    └─ 30 ─── 31 (zombie)
const TABLE: ProcEntry[] = [
  entry(1, 0),
  entry(10, 1, { pgid: 10, sid: 10 }),
  entry(11, 10, { pgid: 10, sid: 10 }),
  entry(12, 11, { pgid: 10, sid: 10 }),
  entry(13, 10),
  entry(20, 1, { state: 'Z' }),
  entry(30, 1),
  entry(31, 30, { state: 'Z', pgid: 10, sid: 10 }),
];
const pids = (entries: ProcEntry[]) => entries.map((e) => e.pid);

describe('descendantsOf', () => {
  it('finds children and grandchildren, parents first, including those that left the group', () => {
    expect(pids(descendantsOf(TABLE, 10))).toEqual([11, 13, 12]);
  });

  it('finds the whole table below PID 1, without PID 1', () => {
    expect(pids(descendantsOf(TABLE, 1)).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 20, 30, 31]);
  });

  it('is empty for a leaf and for an unknown pid', () => {
    expect(descendantsOf(TABLE, 12)).toEqual([]);
    expect(descendantsOf(TABLE, 999)).toEqual([]);
  });

  it('terminates on a cycle (a table read while pids were reused)', () => {
    const cyclic = [entry(2, 3), entry(3, 2), entry(4, 3)];
    expect(pids(descendantsOf(cyclic, 2))).toEqual([3, 4]);
  });
});

describe('groupMembers, sessionMembers', () => {
  it('select by pgid and sid, wherever the members are in the tree', () => {
    expect(pids(groupMembers(TABLE, 10))).toEqual([10, 11, 12, 31]);
    expect(pids(sessionMembers(TABLE, 10))).toEqual([10, 11, 12, 31]);
    expect(pids(groupMembers(TABLE, 13))).toEqual([13]);
    expect(groupMembers(TABLE, 999)).toEqual([]);
  });
});

describe('zombieChildrenOf', () => {
  it('lists only direct children in state Z', () => {
    expect(pids(zombieChildrenOf(TABLE, 1))).toEqual([20]);
    expect(pids(zombieChildrenOf(TABLE, 30))).toEqual([31]);
    expect(zombieChildrenOf(TABLE, 10)).toEqual([]);
  });
});
