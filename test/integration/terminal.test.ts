import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild, fixturePath } from './built.js';
import { requireScript, runOnPty } from './pty.js';

const harness = fixturePath('terminal-harness.mjs');
const CTRL_C = '\x03';
const SIGTTOU = 22;

/** The harness's `RESULT {json}` line. */
function resultOf(output: string): Record<string, unknown> {
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line; the terminal showed:\n${output}`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
}

/** The command line that runs the harness (as session leader, or under a job-control shell). */
function harnessCommand(args: string, { jobControlShell = false } = {}): string {
  const command = `${process.execPath} ${harness} ${args}`;
  return jobControlShell ? `sh -mc '${command}; echo "sh: harness ended with $?"'` : command;
}

beforeAll(() => assertFreshBuild(['terminal', 'libc', 'reaper', 'proc-table']));

describe.skipIf(requireScript().skip)('the program owns the terminal (on a pseudo-terminal)', () => {
  it('makes the program the foreground group before it runs (in the child, before exec)', async () => {
    const { output } = await runOnPty(harnessCommand('--scenario check'));
    // The program's very first look, from /proc: its group already is the foreground group.
    const [, pgrp, tpgid] = /FIRST pgrp=(\d+) tpgid=(\d+)/.exec(output) ?? [];
    expect(pgrp).toBeDefined();
    expect(tpgid).toBe(pgrp);
    expect(resultOf(output)).toMatchObject({
      handover: 'in-child',
      code: 7,
      reclaimed: true,
      foregroundIsOurs: true,
    });
  });

  it('fallback: procinit hands the terminal over after spawning (the program may start in the background)', async () => {
    const { output } = await runOnPty(harnessCommand('--scenario check --parent-handover'));
    const [, pgrp, tpgid] = /CHILD pgrp=(\d+) tpgid=(\d+)/.exec(output) ?? [];
    expect(pgrp).toBeDefined();
    expect(tpgid).toBe(pgrp);
    expect(resultOf(output)).toMatchObject({
      handover: 'from-parent',
      code: 7,
      reclaimed: true,
      foregroundIsOurs: true,
    });
  });

  it.each([
    ['in-child', ''],
    ['from-parent', '--parent-handover'],
  ])('Ctrl-C reaches the program once and procinit not at all (%s)', async (handover, flag) => {
    const { output } = await runOnPty(harnessCommand(`--scenario interrupt ${flag}`), [
      { after: 'CHILD_READY', type: CTRL_C },
    ]);
    expect(output.match(/GOT_INT/g)).toHaveLength(1);
    expect(resultOf(output)).toMatchObject({ handover, code: 9, sigintsToProcinit: 0, reclaimed: true });
  });

  it('takes the terminal back also when run from a job-control shell (its group is not orphaned)', async () => {
    const { output } = await runOnPty(harnessCommand('--scenario check', { jobControlShell: true }));
    expect(resultOf(output)).toMatchObject({ code: 7, reclaimed: true, foregroundIsOurs: true });
    expect(output).toContain('sh: harness ended with 0');
  });

  it('negative control: a bare tcsetpgrp (SIGTTOU not blocked) gets procinit stopped by SIGTTOU', async () => {
    const { output } = await runOnPty(harnessCommand('--scenario unblocked', { jobControlShell: true }));
    expect(output).toContain('RECLAIMING');
    expect(output).not.toContain('RESULT');
    // A job-control shell reports a job stopped by signal N as 128 + N.
    expect(output).toContain(`sh: harness ended with ${128 + SIGTTOU}`);
  });

  it('negative control: as session leader (PID 1 under docker -t), the bare call is refused', async () => {
    const { output } = await runOnPty(harnessCommand('--scenario unblocked'));
    expect(output).toContain('RECLAIMING');
    expect(output).toMatch(/tcsetpgrp\(0, \d+\) failed: ENOTTY/);
  });
});
