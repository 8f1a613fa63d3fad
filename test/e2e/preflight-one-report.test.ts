import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/procinit.js';
import {
  closeListeners,
  freePort,
  listenTcp,
  removeTempDirs,
  report,
  runProcinit,
  tempDir,
  writeProject,
} from './preflight-helpers.js';

// SPEC §7: all checks run and are reported together, never stopping at the first failure; a
// failed preflight exits 78 (§8) and starts nothing: no task, no process, no waiting.

afterEach(async () => {
  killAll();
  await closeListeners();
});
afterAll(removeTempDirs);

describe('several different checks fail at once', () => {
  it.each(['check', 'run'] as const)(
    '%s reports every failure in one report, exits 78, starts nothing',
    async (command) => {
      const dir = tempDir();
      const held = await listenTcp();
      const down = await freePort();
      writeFileSync(join(dir, 'cache'), 'a file where a directory should be');
      const markers = { task: join(dir, 'task-ran'), web: join(dir, 'web-started') };
      writeProject(dir, `web: touch ${markers.web}\n`, {
        processes: { web: { restart: 'never', user: 'no-such-user-e2e' } },
        preflight: {
          env: { required: ['PREFLIGHT_E2E_FIRST', 'APP_MODE', 'PREFLIGHT_E2E_SECOND'] },
          dirs: [{ path: join(dir, 'cache') }],
          commands: ['sh', 'no-such-command-e2e'],
          ports_free: [held.port],
          // A long timeout: once other checks failed, waiting would only delay the report.
          wait_for: [{ tcp: `127.0.0.1:${down}`, timeout: '10m' }],
          tasks: [{ name: 'migrate', run: `touch ${markers.task}` }],
        },
      });

      const result = await runProcinit([command, '--log-format', 'json'], {
        cwd: dir,
        env: { APP_MODE: 'production' },
      });

      expect(result.code, result.output).toBe(78);
      const failing = [
        'env PREFLIGHT_E2E_FIRST',
        'env PREFLIGHT_E2E_SECOND',
        'user no-such-user-e2e',
        `dir ${join(dir, 'cache')}`,
        'command no-such-command-e2e',
        `port ${held.port}`,
      ];
      const lines = report(result);
      expect(lines.filter((line) => line.startsWith('[FAIL]')).map((line) => line.split(':')[0])).toEqual(
        failing.map((what) => `[FAIL] ${what}`),
      );
      // The passing checks are in the same report, so it says what was fine too.
      expect(lines).toContain('[ok]   env APP_MODE: set');
      expect(lines).toContainEqual(expect.stringMatching(/^\[ok\] {3}command sh: /));
      const nothing = command === 'check' ? 'nothing was created, waited for or run' : 'nothing was started';
      expect(lines.at(-1)).toBe(
        `${command === 'check' ? 'check' : 'preflight'} failed: 6 of 10 checks failed (${failing.join(', ')}); ${nothing}`,
      );
      // The wait was not waited (one attempt, a warning), and neither the task nor the process ran.
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^\\[warn\\] wait_for tcp 127\\.0\\.0\\.1:${down}: not reachable now`),
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(/^\[(ok|warn)\] +task migrate: (would run|not run)/),
      );
      expect(existsSync(markers.task)).toBe(false);
      expect(existsSync(markers.web)).toBe(false);
      // No process event at all (process.running is logged at info for every start).
      expect(result.records.filter((record) => record.event?.startsWith('process.'))).toEqual([]);
      expect(result.records.filter((record) => record.proc === 'web.1')).toEqual([]);
    },
  );
});
