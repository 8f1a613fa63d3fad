import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, killAll, projectDir, type RunningProcess, startProcinit } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';

// SPEC §4 "Restart" and §9: a crashing process is restarted after an exponential backoff
// (initial, doubling, capped at max, reset after reset_after of uptime), and -v explains each
// decision. Real processes, real timers: the delays are short (100 ms to 1 s) so the suite stays
// fast, and each delay is checked against the time procinit really waited, not only its log.

type LogRecord = Record<string, unknown>;

/** procinit's stdout as JSON records (--log-format json): its own events and children's lines. */
function records(run: RunningProcess): LogRecord[] {
  return run
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

const eventsOf = (run: RunningProcess, event: string) => records(run).filter((r) => r.event === event);

/** Resolves with the exit code, or fails with the output so far if procinit has not exited in time. */
async function exitCodeWithin(run: RunningProcess, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`procinit did not exit within ${timeoutMs} ms\n${run.stdout()}${run.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A project whose `worker` runs crash-after.mjs with these uptimes (ms per run; the last repeats). */
function crashingWorker(uptimesMs: readonly number[], backoff: string): string {
  return projectDir({
    Procfile: `worker: node ${FIXTURES}/crash-after.mjs starts.txt ${uptimesMs.join(',')}\n`,
    'procinit.yaml': `processes:\n  worker:\n    backoff: ${backoff}\n`,
  });
}

/** Starts procinit (json, -v) and waits until it has scheduled `restarts` restarts. */
async function runUntilRestarts(cwd: string, restarts: number): Promise<RunningProcess> {
  const run = startProcinit(['--health-port', '0', '--log-format', 'json', '-v'], { cwd });
  await waitFor(() => eventsOf(run, 'restart.scheduled').length >= restarts, {
    timeoutMs: 15_000,
    what: `${restarts} restart.scheduled events`,
    intervalMs: 20,
  });
  return run;
}

/** What actually happened: each run as the child saw it, and each scheduled delay as procinit kept it. */
function history(run: RunningProcess) {
  const all = records(run);
  const scheduled = all.filter((r) => r.event === 'restart.scheduled');
  const spawned = all.filter((r) => r.event === 'process.spawned');
  const starts = all
    .filter((r) => r.stream === 'stdout' && String(r.msg).startsWith('START '))
    .map((r) => String(r.msg).replace(/ pid=\d+$/, ''));
  // How long procinit really waited: from scheduling restart i to spawning run i + 2.
  const waitedMs = scheduled
    .slice(0, spawned.length - 1)
    .map((r, i) => (spawned[i + 1]?.time as number) - (r.time as number));
  return { all, scheduled, spawned, starts, waitedMs };
}

afterEach(killAll);

describe('restarts with backoff (real processes, real timers)', () => {
  it('doubles the delay from initial up to max, restarts the same worker.1 each time, counts restarts right', async () => {
    const run = await runUntilRestarts(crashingWorker([0], '{ initial: 100ms, max: 1s }'), 6);
    // The sixth restart is waiting out its 1 s delay: stop procinit now.
    run.child.kill('SIGTERM');
    expect(await exitCodeWithin(run, 10_000)).toBe(0);

    const { all, scheduled, spawned, starts, waitedMs } = history(run);
    expect(scheduled.slice(0, 6).map((r) => [r.attempt, r.delayMs, r.policy])).toEqual([
      [1, 100, 'always'],
      [2, 200, 'always'],
      [3, 400, 'always'],
      [4, 800, 'always'],
      [5, 1000, 'always'],
      [6, 1000, 'always'],
    ]);
    // Every run is the same process, worker.1, and procinit gave it that name.
    expect(spawned.map((r) => (r.env as Record<string, string>).PROCINIT_PROCESS)).toEqual(
      spawned.map(() => 'worker.1'),
    );
    expect(starts).toEqual(spawned.map((_, i) => `START worker.1 run=${i + 1}`));
    expect(spawned.length).toBeGreaterThanOrEqual(6);
    // procinit really waited each delay (the log does not just say so), and not much longer.
    waitedMs.forEach((waited, i) => {
      const delayMs = scheduled[i]?.delayMs as number;
      expect(waited, `restart ${i + 1}`).toBeGreaterThanOrEqual(delayMs - 2);
      expect(waited, `restart ${i + 1}`).toBeLessThan(delayMs + 1000);
    });
    // The restart count in the exit summary is the number of runs after the first.
    const summary = all.find((r) => r.event === 'summary' && String(r.msg).startsWith('worker.1:'));
    expect(summary?.restarts).toBe(starts.length - 1);
    expect(summary?.msg).toBe(`worker.1: exited, ${starts.length - 1} restarts, last exit 1`);
  });

  it('starts over at the initial delay after a run longer than reset_after, and only then', async () => {
    // Runs 1-3 crash at once; run 4 stays up 1.5 s (> reset_after); run 5 crashes at once; run 6
    // stays up 200 ms (< reset_after, the control: no reset); then quick crashes again.
    const cwd = crashingWorker([0, 0, 0, 1500, 0, 200, 0], '{ initial: 100ms, max: 1s, reset_after: 1s }');
    const run = await runUntilRestarts(cwd, 6);
    run.child.kill('SIGTERM');
    expect(await exitCodeWithin(run, 10_000)).toBe(0);

    const { scheduled } = history(run);
    const decisions = scheduled.slice(0, 6).map((r) => ({
      delayMs: r.delayMs,
      streak: r.streak,
      longRun: (r.uptimeMs as number) >= 1000,
    }));
    expect(decisions).toEqual([
      { delayMs: 100, streak: 1, longRun: false },
      { delayMs: 200, streak: 2, longRun: false },
      { delayMs: 400, streak: 3, longRun: false },
      { delayMs: 100, streak: 1, longRun: true },
      { delayMs: 200, streak: 2, longRun: false },
      { delayMs: 400, streak: 3, longRun: false },
    ]);
  });

  it.each([
    { who: 'a process alone', critical: false, expected: ['worker.1: failed, 3 restarts, last exit 4'] },
    {
      who: 'a critical process',
      critical: true,
      expected: ['worker.1: failed, 3 restarts, last exit 4', 'other.1: exited, 0 restarts, last exit 0'],
    },
  ])(
    'max_restarts: 3 → $who is failed after exactly 3 restarts, and procinit exits 4',
    async ({ critical, expected }) => {
      // Exits 4 at once, every run; 100+200+400 ms of backoff give other.1 time to be READY.
      const procfile = [`worker: node ${FIXTURES}/crash-after.mjs starts.txt 0 4`];
      if (critical) procfile.push(`other: node ${FIXTURES}/exit-with.mjs 0`);
      const worker = `{ critical: ${critical}, max_restarts: 3, backoff: { initial: 100ms } }`;
      const cwd = projectDir({
        Procfile: `${procfile.join('\n')}\n`,
        'procinit.yaml': `processes:\n  worker: ${worker}\n`,
      });
      const run = startProcinit(['--health-port', '0', '--log-format', 'json'], { cwd });
      expect(await exitCodeWithin(run, 10_000)).toBe(4);

      const { all, starts } = history(run);
      expect(starts).toEqual([
        'START worker.1 run=1',
        'START worker.1 run=2',
        'START worker.1 run=3',
        'START worker.1 run=4',
      ]);
      expect(all.filter((r) => r.event === 'process.failed').map((r) => r.msg)).toEqual([
        expect.stringMatching(/^worker\.1 failed: 3 restarts within 60000 ms/),
      ]);
      const summary = all.filter((r) => r.event === 'summary').map((r) => r.msg);
      expect(summary).toEqual([...expected, 'procinit exits with code 4']);
      // A critical process that failed stops the others.
      if (critical)
        expect(all.some((r) => r.stream === 'stdout' && r.msg === 'other.1 got SIGTERM')).toBe(true);
    },
  );

  it('-v explains every exit and every restart decision, including not restarting', async () => {
    const cwd = projectDir({
      Procfile: [
        `worker: node ${FIXTURES}/crash-after.mjs starts.txt 0`,
        'oneshot: exit 0',
        'careful: exit 0',
        '',
      ].join('\n'),
      'procinit.yaml': [
        'processes:',
        '  worker: { backoff: { initial: 100ms, max: 1s } }',
        '  oneshot: { restart: never }',
        '  careful: { restart: on-failure }',
        '',
      ].join('\n'),
    });
    const run = startProcinit(['--health-port', '0', '-v'], { cwd });
    await waitFor(() => (run.stdout().match(/restarts in \d+ ms/g) ?? []).length >= 3, {
      timeoutMs: 10_000,
      what: 'three restart decisions in the -v output',
    });
    run.child.kill('SIGTERM');
    expect(await exitCodeWithin(run, 10_000)).toBe(0);

    const lines = run.stdout().split('\n');
    const decisions = lines.filter((line) => / event=restart\.(scheduled|skipped)\b/.test(line));
    expect(decisions.filter((line) => line.includes('worker.1')).slice(0, 3)).toEqual([
      expect.stringMatching(
        /^procinit +\| worker\.1 restarts in 100 ms \(restart: always, attempt 1\) event=restart\.scheduled .*policy=always attempt=1 delayMs=100\b/,
      ),
      expect.stringMatching(
        /^procinit +\| worker\.1 restarts in 200 ms .*policy=always attempt=2 delayMs=200\b/,
      ),
      expect.stringMatching(
        /^procinit +\| worker\.1 restarts in 400 ms .*policy=always attempt=3 delayMs=400\b/,
      ),
    ]);
    expect(decisions.filter((line) => !line.includes('worker.1')).sort()).toEqual([
      expect.stringMatching(
        /^procinit +\| DEBUG careful\.1 is not restarted \(restart: on-failure\).*policy=on-failure/,
      ),
      expect.stringMatching(
        /^procinit +\| DEBUG oneshot\.1 is not restarted \(restart: never\).*policy=never/,
      ),
    ]);
    // Each exit, with its code, signal and uptime, comes before the decision it led to.
    const workerExits = lines.filter((line) => /worker\.1 ended: exit 1 event=process\.exited/.test(line));
    expect(workerExits.length).toBeGreaterThanOrEqual(3);
    for (const line of workerExits) expect(line).toMatch(/code=1 signal=null uptimeMs=\d+/);
    const firstExit = lines.findIndex((line) => line.includes('worker.1 ended: exit 1'));
    const firstDecision = lines.findIndex((line) => line.includes('worker.1 restarts in 100 ms'));
    expect(firstExit).toBeGreaterThanOrEqual(0);
    expect(firstExit).toBeLessThan(firstDecision);
  });
});
