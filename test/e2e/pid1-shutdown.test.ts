import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireUnshare } from '../helpers/capabilities.js';
import { FIXTURES, killAll, projectDir } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  endedIn,
  type JsonRecord,
  liveGroupMembers,
  nodeCommand,
  type Pid1Run,
  processesInNamespace,
  startPid1,
} from './pid1-namespace.js';

afterEach(killAll);

const reporter = (tag: string) => nodeCommand(join(FIXTURES, 'signal-reporter.mjs'), tag);
const stubbornTree = nodeCommand(join(FIXTURES, 'ignore-sigterm-tree.mjs'));
const ignoreSigterm = nodeCommand(join(FIXTURES, 'ignore-sigterm.mjs'));

/**
 * A PATH on which nothing at all can be found, `ps` included: every Procfile command below is
 * an absolute path (`/bin/sh -c` is too), so procinit runs without needing one. The fixture
 * checks it from inside, on the PATH procinit passed down (`psOnPath`).
 */
const NO_PS_PATH = '/nonexistent';

/** The READY line of ignore-sigterm-tree.mjs: pids inside the namespace. */
interface TreePids {
  child: number;
  escaper: number;
  psOnPath: boolean;
}

async function treeReady(run: Pid1Run): Promise<TreePids> {
  const line = await waitFor(
    () =>
      run.records().find((record) => record.proc === 'stubborn.1' && record.msg?.startsWith('READY {'))?.msg,
    { timeoutMs: 10_000, what: `stubborn.1 to print READY\n${run.stdout()}${run.stderr()}` },
  );
  return JSON.parse(line.slice('READY '.length)) as TreePids;
}

const eventsOf = (run: Pid1Run, event: string): JsonRecord[] =>
  run.records().filter((record) => record.event === event);

describe.skipIf(requireUnshare().skip)('SIGTERM to procinit as PID 1', () => {
  it('stops three well-behaved children, exits 0, and leaves nothing in the namespace or its group', async () => {
    const dir = projectDir({
      Procfile: ['a', 'b', 'c'].map((tag) => `${tag}: ${reporter(tag)}`).join('\n'),
      'procinit.yaml': 'health: { port: 0 }\n',
    });
    const run = await startPid1(['-v', '--log-format', 'json'], { cwd: dir });
    for (const tag of ['a', 'b', 'c']) await run.waitForOutput(`READY ${tag} `);
    expect(run.table()).toHaveLength(4); // procinit and the three children

    run.signal('SIGTERM');
    expect(await run.exited).toBe(0);

    // Each child got SIGTERM and exited 0 on its own (no escalation), before procinit exited.
    for (const tag of ['a', 'b', 'c']) expect(run.stdout()).toContain(`STOPPING ${tag} SIGTERM`);
    const exits = eventsOf(run, 'process.exited');
    expect(exits.map((record) => [record.process, record.code, record.signal]).sort()).toEqual([
      ['a.1', 0, null],
      ['b.1', 0, null],
      ['c.1', 0, null],
    ]);
    expect(eventsOf(run, 'shutdown.escalated')).toEqual([]);
    const order = run.records().map((record) => record.event);
    expect(order.lastIndexOf('process.exited')).toBeLessThan(order.indexOf('procinit.exiting'));
    // Nothing left: no process anywhere in procinit's PID namespace, none in the test's group.
    expect(processesInNamespace(run.pidNamespace)).toEqual([]);
    expect(liveGroupMembers(run.unsharePid)).toEqual([]);
  });

  it('after stop_timeout, SIGKILLs a child that ignores SIGTERM and its setsid grandchild, without ps; exits 1', async () => {
    // holder (a long stop_timeout) keeps procinit running after stubborn's escalation: only so
    // can the test see who killed the grandchild. Once PID 1 exits, the kernel kills whatever
    // is left in the namespace, which would hide a tree walk that missed it.
    const dir = projectDir({
      Procfile: `stubborn: ${stubbornTree}\nholder: ${ignoreSigterm}\n`,
      'procinit.yaml': [
        'shutdown: { timeout: 500ms }',
        'health: { port: 0 }',
        'processes:',
        '  holder: { stop_timeout: 3s }',
      ].join('\n'),
    });
    const run = await startPid1(['-v', '--log-format', 'json'], { cwd: dir, env: { PATH: NO_PS_PATH } });
    const pids = await treeReady(run);
    await run.waitForOutput(/"proc":"holder\.1".*READY/);
    expect(pids.psOnPath).toBe(false);
    const escaper = run.table().find((entry) => entry.pid === pids.escaper);
    // The grandchild left the program's process group and session: only the tree walk finds it.
    expect(escaper).toMatchObject({ ppid: pids.child, pgid: pids.escaper, sid: pids.escaper });

    const sentAtMs = Date.now();
    run.signal('SIGTERM');
    await run.waitForOutput(`IGNORED SIGTERM ${pids.child}`);
    await waitFor(() => endedIn(run.table(), pids.child) && endedIn(run.table(), pids.escaper), {
      timeoutMs: 2_500,
      what: `the child (${pids.child}) and its setsid grandchild (${pids.escaper}) to be killed`,
    });
    const killedAfterMs = Date.now() - sentAtMs;
    expect(run.alive()).toBe(true); // procinit killed them: the namespace still stands
    expect(killedAfterMs).toBeGreaterThanOrEqual(450); // not before the 500 ms stop_timeout

    expect(await run.exited).toBe(1);
    const escalated = eventsOf(run, 'shutdown.escalated').map((record) => record.process);
    expect(escalated).toEqual(['stubborn.1', 'holder.1']);
    expect(eventsOf(run, 'process.exited').find((record) => record.process === 'stubborn.1')).toMatchObject({
      code: null,
      signal: 'SIGKILL',
    });
    expect(processesInNamespace(run.pidNamespace)).toEqual([]);
    expect(liveGroupMembers(run.unsharePid)).toEqual([]);
  });

  it('a second SIGTERM during shutdown escalates at once, long before a 30 s stop_timeout; exits 1', async () => {
    const dir = projectDir({
      Procfile: `stubborn: ${stubbornTree}\n`,
      'procinit.yaml': 'shutdown: { timeout: 30s }\nhealth: { port: 0 }\n',
    });
    const run = await startPid1(['-v', '--log-format', 'json'], { cwd: dir, env: { PATH: NO_PS_PATH } });
    const pids = await treeReady(run);
    expect(pids.psOnPath).toBe(false);

    run.signal('SIGTERM');
    await run.waitForOutput(`IGNORED SIGTERM ${pids.child}`); // shutdown is under way
    const secondAtMs = Date.now();
    run.signal('SIGTERM');
    expect(await run.exited).toBe(1);
    expect(Date.now() - secondAtMs).toBeLessThan(5_000);
    expect(eventsOf(run, 'shutdown.escalated').map((record) => record.process)).toEqual(['stubborn.1']);
    expect(eventsOf(run, 'process.exited')).toMatchObject([
      { process: 'stubborn.1', code: null, signal: 'SIGKILL' },
    ]);
  });
});
