import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireUnshare } from '../helpers/capabilities.js';
import { FIXTURES, killAll, projectDir } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';
import { nodeCommand, type Pid1Run, startPid1 } from './pid1-namespace.js';

afterEach(killAll);

const reporter = (tag: string) => nodeCommand(join(FIXTURES, 'signal-reporter.mjs'), tag);

/** The pid procinit logged for a process (`process.spawned`), as seen inside the namespace. */
async function spawnedPid(run: Pid1Run, proc: string): Promise<number> {
  const record = await waitFor(
    () => run.records().find((r) => r.event === 'process.spawned' && r.process === proc),
    { timeoutMs: 10_000, what: `procinit to log process.spawned for ${proc}` },
  );
  return record.pid as number;
}

/** The pid a signal-reporter printed in its `WORD TAG <pid>` line. */
async function reportedPid(run: Pid1Run, word: string, tag: string): Promise<number> {
  const pattern = new RegExp(`${word} ${tag} (\\d+)`);
  await run.waitForOutput(pattern);
  return Number(pattern.exec(run.stdout())?.[1]);
}

describe.skipIf(requireUnshare().skip)('SIGHUP to procinit as PID 1 is forwarded', () => {
  it('to the program of a simple command itself: the shell exec’d it, so its pid is the supervised pid', async () => {
    const dir = projectDir({
      Procfile: `hup: ${reporter('solo')}\n`,
      'procinit.yaml': 'health: { port: 0 }\n',
    });
    const run = await startPid1(['-v', '--log-format', 'json'], { cwd: dir });
    const supervised = await spawnedPid(run, 'hup.1');
    expect(await reportedPid(run, 'READY', 'solo')).toBe(supervised);

    run.signal('SIGHUP');
    expect(await reportedPid(run, 'HUP', 'solo')).toBe(supervised);
    expect(run.alive()).toBe(true); // SIGHUP is forwarded, not a shutdown
    expect(run.stdout()).not.toContain('STOPPING solo');

    run.signal('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('to the whole process group of a compound command: both programs behind the shell get it', async () => {
    const dir = projectDir({
      Procfile: `pair: ${reporter('left')} & ${reporter('right')}; wait\n`,
      'procinit.yaml': 'health: { port: 0 }\n',
    });
    const run = await startPid1(['-v', '--log-format', 'json'], { cwd: dir });
    const shell = await spawnedPid(run, 'pair.1');
    const left = await reportedPid(run, 'READY', 'left');
    const right = await reportedPid(run, 'READY', 'right');
    // A compound command keeps its shell: the supervised pid is neither program.
    expect([left, right]).not.toContain(shell);

    run.signal('SIGHUP');
    expect(await reportedPid(run, 'HUP', 'left')).toBe(left);
    expect(await reportedPid(run, 'HUP', 'right')).toBe(right);
    expect(run.alive()).toBe(true);

    run.signal('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('STOPPING left SIGTERM');
    expect(run.stdout()).toContain('STOPPING right SIGTERM');
  });
});
