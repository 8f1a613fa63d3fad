import { afterEach, describe, expect, it } from 'vitest';
import { requireUnshare } from '../helpers/capabilities.js';
import { killAll, projectDir, startProcinit } from '../helpers/procinit.js';
import { startPid1 } from './pid1-namespace.js';

afterEach(killAll);

/** `procinit -- COMMAND`: the command, and the exit code procinit must end with (SPEC §3, §8). */
const cases: [string, string[], number][] = [
  ['an exit code', ['sh', '-c', 'exit 3'], 3],
  ['a death by SIGKILL as 128+9', ['sh', '-c', 'kill -9 $$'], 137],
];

// These two run procinit as an ordinary process: no capability needed, so no gate.
describe('single-command mode passes the exit status through', () => {
  it.each(cases)('%s: procinit -- %j', async (_what, argv, code) => {
    const run = startProcinit(['--', ...argv], { cwd: projectDir({}) });
    expect(await run.exited).toBe(code);
  });
});

describe.skipIf(requireUnshare().skip)('single-command mode passes the exit status through as PID 1', () => {
  it.each(cases)('%s: procinit -- %j', async (_what, argv, code) => {
    const run = await startPid1(['--', ...argv], { cwd: projectDir({}) });
    // unshare --fork exits with its child's code, and procinit is that child.
    expect(await run.exited).toBe(code);
    expect(run.stderr()).toContain(`procinit exits with code ${code}`);
  });
});
