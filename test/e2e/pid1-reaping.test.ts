import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireUnshare } from '../helpers/capabilities.js';
import { FIXTURES, killAll, projectDir } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';
import { nodeCommand, startPid1 } from './pid1-namespace.js';

afterEach(killAll);

const ORPHANS = 500;

// The negative control (with reaping off, the same 500 orphans stay zombies under PID 1) is in
// test/integration/reaper.test.ts ("negative control: with reaping off, every orphan stays a
// zombie"): it shows that this burst does make zombies, so the zero below is procinit's doing.
describe.skipIf(requireUnshare().skip)('procinit as PID 1 reaps orphans', () => {
  it(`leaves zero zombies after ${ORPHANS} orphaned grandchildren, and stays healthy`, async () => {
    const dir = projectDir({
      Procfile: [
        // Each `(sleep 0.05 &)` orphans its sleep: re-parented to PID 1, i.e. procinit.
        `orphans: sh ${join(FIXTURES, 'spawn-orphans.sh')} ${ORPHANS} 0.05`,
        `keeper: ${nodeCommand(join(FIXTURES, 'signal-reporter.mjs'), 'keeper')}`,
      ].join('\n'),
      'procinit.yaml': 'processes:\n  orphans: { restart: never }\nhealth: { port: 0 }\n',
    });
    const run = await startPid1(['-v', '--log-format', 'json'], { cwd: dir });
    await run.waitForOutput('READY keeper');
    await run.waitForOutput(`SPAWNED ${ORPHANS}`, 20_000);

    const reaped = () => run.records().filter((record) => record.event === 'orphan.reaped');
    let lastSeen = '';
    const settled = await waitFor(
      () => {
        const table = run.table();
        const zombies = table.filter((entry) => entry.state === 'Z').length;
        const sleeps = table.filter((entry) => entry.comm === 'sleep' && entry.state !== 'Z').length;
        lastSeen = `${reaped().length} reaped, ${zombies} zombies, ${sleeps} sleeps still running`;
        return reaped().length >= ORPHANS && zombies === 0 && sleeps === 0 ? table : undefined;
      },
      { timeoutMs: 20_000, what: 'every orphan reaped and no zombie left in the namespace' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${lastSeen}`);
    });
    // Every orphan reaped by procinit itself, each exactly once, with sleep's exit status.
    expect(reaped()).toHaveLength(ORPHANS);
    expect(new Set(reaped().map((record) => record.pid)).size).toBe(ORPHANS);
    expect(reaped().every((record) => record.code === 0 && record.signal === null)).toBe(true);
    // What is left: procinit as PID 1 and the keeper, nothing else.
    expect(settled.map((entry) => entry.comm)).toEqual(['node', 'node']);
    expect(settled.map((entry) => entry.pid)).toContain(1);

    // Healthy: still running, its reaper reported no error, the keeper was never touched,
    // and a SIGTERM still stops it gracefully.
    expect(run.alive()).toBe(true);
    expect(run.records().filter((record) => record.event === 'reaper.error')).toEqual([]);
    expect(run.stdout()).not.toContain('STOPPING keeper');
    run.signal('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('STOPPING keeper SIGTERM');
  });
});
