import { afterEach, describe, expect, it } from 'vitest';
import {
  childPids,
  descendantsOf,
  groupMembers,
  readChildTable,
  readProcEntry,
  readProcTable,
} from '../../src/runtime/proc-table.js';
import { killLeftovers, startSetsidTree } from './fixture-tree.js';

afterEach(killLeftovers);

describe('readProcTable (real /proc)', () => {
  it('finds this process with its real parent and group', () => {
    const self = readProcTable().find((entry) => entry.pid === process.pid);
    expect(self).toMatchObject({
      pid: process.pid,
      ppid: process.ppid,
      state: expect.stringMatching(/^[RS]$/),
    });
    expect(readProcEntry(process.pid)).toEqual(self);
  });

  it('finds a spawned tree, including the member that left the group', async () => {
    const tree = await startSetsidTree();
    const table = readProcTable();
    const below = descendantsOf(table, tree.root).map((entry) => entry.pid);
    expect(below.sort()).toEqual([tree.child, tree.middle, tree.grandchild, tree.escaper].sort());
    // root was spawned detached: its own session and group, which the escaper left.
    expect(
      groupMembers(table, tree.root)
        .map((entry) => entry.pid)
        .sort(),
    ).toEqual([tree.root, tree.child, tree.middle, tree.grandchild].sort());
    expect(readProcEntry(tree.escaper)).toMatchObject({
      ppid: tree.middle,
      pgid: tree.escaper,
      sid: tree.escaper,
    });
    expect(readProcEntry(tree.root)?.comm).toBe('node');
  });

  it('childPids lists direct children only, the same as the table says', async () => {
    const tree = await startSetsidTree();
    expect(childPids(tree.root)).toEqual(
      readProcTable()
        .filter((entry) => entry.ppid === tree.root)
        .map((entry) => entry.pid),
    );
    expect(childPids(tree.root)).toContain(tree.child);
    expect(childPids(tree.escaper)).toEqual([]);
    expect(childPids(2 ** 22 + 1)).toBeUndefined();
    expect(readChildTable(tree.root)).toEqual(readProcTable().filter((entry) => entry.ppid === tree.root));
  });

  it('returns undefined for a process that does not exist', () => {
    expect(readProcEntry(2 ** 22 + 1)).toBeUndefined();
  });
});
