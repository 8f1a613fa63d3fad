import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { trackChildProcesses } from '../../src/runtime/reaper.js';

describe('trackChildProcesses (real child_process)', () => {
  it('knows a child from the moment spawn() returns until its exit event, for spawn and execFile', async () => {
    const own = trackChildProcesses();
    expect(trackChildProcesses()).toBe(own); // idempotent: the prototype is patched once

    const spawned = spawn('sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    expect(own.has(spawned.pid!)).toBe(true);
    const [code] = await once(spawned, 'exit');
    expect(code).toBe(3); // tracking changes nothing about the exit report
    expect(own.has(spawned.pid!)).toBe(false);

    const executed = execFile('sh', ['-c', 'exit 0']);
    expect(own.has(executed.pid!)).toBe(true);
    await once(executed, 'exit');
    expect(own.has(executed.pid!)).toBe(false);
  });

  it('tracks nothing for a spawn that fails', async () => {
    const own = trackChildProcesses();
    const before = own.size;
    const failed = spawn('procinit-no-such-program', { stdio: 'ignore' });
    await once(failed, 'error');
    expect(failed.pid).toBeUndefined();
    expect(own.size).toBe(before);
  });
});
