import { afterEach, describe, expect, it } from 'vitest';
import { killAllDescendants, killTree } from '../../src/runtime/kill-tree.js';
import { waitFor } from '../helpers/wait-for.js';
import { isDead, killLeftovers, startFixture, startSetsidTree } from './fixture-tree.js';

afterEach(killLeftovers);

/** Runs `fn` with a PATH where no `ps` (nor anything else) can be found. */
function withoutPs<T>(fn: () => T): T {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    return fn();
  } finally {
    process.env.PATH = path;
  }
}

describe('killTree (real processes)', () => {
  it('kills the root, its child, its grandchild and the grandchild that called setsid, without ps', async () => {
    const tree = await startSetsidTree();
    const result = withoutPs(() => killTree(tree.root, { pgid: tree.root }));
    expect(result.groupSignalled).toBe(true);
    expect(result.failed).toEqual([]);
    // The escaper is not in the group: only the /proc walk can have found it.
    expect(result.signalled).toContain(tree.escaper);
    for (const [name, pid] of Object.entries(tree)) {
      await waitFor(() => isDead(pid), { timeoutMs: 5_000, what: `${name} (${pid}) to die` });
    }
  });

  it('control: a process-group kill alone misses the grandchild that called setsid', async () => {
    const tree = await startSetsidTree();
    process.kill(-tree.root, 'SIGKILL');
    for (const pid of [tree.root, tree.child, tree.middle, tree.grandchild]) {
      await waitFor(() => isDead(pid), { timeoutMs: 5_000, what: `group member ${pid} to die` });
    }
    expect(isDead(tree.escaper)).toBe(false);
  });

  it('delivers other signals too: SIGTERM is ignored by the fixture, SIGKILL is not', async () => {
    const { ready, output } = await startFixture('ignore-sigterm.mjs');
    const pid = Number(ready);
    killTree(pid, { pgid: pid }, 'SIGTERM');
    await waitFor(() => output().includes('ignored SIGTERM'), {
      timeoutMs: 5_000,
      what: 'the SIGTERM to arrive',
    });
    expect(isDead(pid)).toBe(false);
    killTree(pid, { pgid: pid });
    await waitFor(() => isDead(pid), { timeoutMs: 5_000, what: 'SIGKILL to end it' });
  });
});

describe('killAllDescendants (real processes)', () => {
  it('kills every descendant of a process but not the process itself', async () => {
    const tree = await startSetsidTree();
    const result = withoutPs(() => killAllDescendants(tree.root));
    expect(result.signalled.sort()).toEqual([tree.child, tree.middle, tree.grandchild, tree.escaper].sort());
    for (const pid of [tree.child, tree.middle, tree.grandchild, tree.escaper]) {
      await waitFor(() => isDead(pid), { timeoutMs: 5_000, what: `descendant ${pid} to die` });
    }
    expect(isDead(tree.root)).toBe(false);
  });
});
