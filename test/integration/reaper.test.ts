import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireUnshare } from '../helpers/capabilities.js';
import { assertFreshBuild, fixturePath } from './built.js';

const harness = fixturePath('reaper-harness.mjs');
const ORPHANS = 500;

/** What reaper-harness.mjs reports (see its header). */
interface HarnessResult {
  pid: number;
  subreaper: boolean;
  stealCheckCode: number | null;
  reapedDuringCheck: number;
  spawnerCode?: number;
  keeperCode?: number | null;
  zombies?: number;
  reapedTotal: number;
  reapedCodes: Record<string, number>;
  scans: number;
  error?: string;
}

async function runHarness(args: string[], { asPid1 }: { asPid1: boolean }): Promise<HarnessResult> {
  const argv = [process.execPath, harness, '--orphans', String(ORPHANS), '--timeout-ms', '20000', ...args];
  const [file, ...rest] = asPid1 ? ['unshare', '--pid', '--fork', '--mount-proc', ...argv] : argv;
  const { stdout } = await promisify(execFile)(file!, rest, { timeout: 50_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the harness printed no RESULT line:\n${stdout}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as HarnessResult;
  if (result.error) throw new Error(`the harness failed: ${result.error}`);
  return result;
}

beforeAll(() => assertFreshBuild(['reaper', 'libc', 'proc-table']));

const expectedHealthy = {
  stealCheckCode: 42, // reapNow() ran while our own child was a zombie, and left it to libuv
  reapedDuringCheck: 0,
  spawnerCode: 0,
  keeperCode: 43, // our long-lived child's exit code still reaches child_process
  zombies: 0,
  reapedTotal: ORPHANS,
  reapedCodes: { 0: ORPHANS },
};

describe.skipIf(requireUnshare().skip)('reaper as PID 1 (unshare --pid --fork --mount-proc)', () => {
  it(`reaps ${ORPHANS} orphans and steals no exit status of our own children`, async () => {
    const result = await runHarness(['--reap', 'on'], { asPid1: true });
    expect(result).toMatchObject({ pid: 1, subreaper: false, ...expectedHealthy });
    expect(result.scans).toBeLessThan(ORPHANS / 4); // SIGCHLD bursts are coalesced
  });

  it('negative control: with reaping off, every orphan stays a zombie', async () => {
    const result = await runHarness(['--reap', 'off'], { asPid1: true });
    expect(result).toMatchObject({ pid: 1, zombies: ORPHANS, reapedTotal: 0, keeperCode: 43 });
  });

  it('negative control: a reaper that cannot tell its own children steals their exit status', async () => {
    const result = await runHarness(['--reap', 'on', '--own', 'never'], { asPid1: true });
    // child_process never saw its child exit: libuv's waitpid got ECHILD and dropped it.
    expect(result).toMatchObject({ pid: 1, stealCheckCode: null, reapedDuringCheck: 1 });
  });
});

describe('reaper as child subreaper (not PID 1)', () => {
  it(`becomes the subreaper, reaps ${ORPHANS} orphans and steals nothing`, async () => {
    const result = await runHarness(['--reap', 'on'], { asPid1: false });
    expect(result).toMatchObject({ subreaper: true, ...expectedHealthy });
    expect(result.pid).not.toBe(1);
  });
});
