import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayUser, type ThrowawayUser } from '../fixtures/preflight/throwaway-user.js';
import { requireRoot } from '../helpers/capabilities.js';
import { killAll } from '../helpers/procinit.js';
import {
  closeListeners,
  freePort,
  listenHttp,
  listenTcp,
  ownerAndMode,
  removeTempDirs,
  report,
  runProcinit,
  tempDir,
  writeProject,
} from './preflight-helpers.js';

// SPEC §3 and §7: `procinit check` prints the report without creating, waiting for or running
// anything. The whole project tree is compared before and after, down to each entry's ctime (a
// chmod or chown to the same value would still change it). Then `run` on the same project, as a
// control, does change it: the check's silence is not for lack of anything to do.

const { skip } = requireRoot();

/** Every entry under `root`: its mode, owner and ctime, by relative path. */
function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      entries[relative(root, path)] =
        `${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ctime ${stat.ctimeMs}`;
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(root);
  return entries;
}

describe.skipIf(skip)('procinit check changes nothing', () => {
  let user: ThrowawayUser;
  beforeAll(() => {
    user = createThrowawayUser();
  });
  afterEach(async () => {
    killAll();
    await closeListeners();
  });
  afterAll(() => {
    removeTempDirs();
    user?.remove();
  });

  it('creates no directory, changes no mode or owner, runs no task, waits for nothing, starts nothing', async () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const missing = join(root, 'new/uploads');
    const existing = join(root, 'existing');
    mkdirSync(join(existing, 'sub'), { recursive: true });
    chmodSync(existing, 0o755);
    writeFileSync(join(existing, 'sub/file.txt'), 'data', { mode: 0o644 });
    const [tcpPort, httpPort] = [await freePort(), await freePort()];
    writeProject(root, 'web: touch web-started\n', {
      processes: { web: { restart: 'never' } },
      preflight: {
        dirs: [
          { path: missing, mode: '0750', owner: user.name },
          { path: existing, mode: '0700', owner: user.name, recursive: true },
        ],
        ports_free: [await freePort()],
        // Down, with long timeouts: `run` would wait 10 minutes; `check` must not wait at all.
        wait_for: [
          { tcp: `127.0.0.1:${tcpPort}`, timeout: '10m' },
          { http: `http://127.0.0.1:${httpPort}/health`, timeout: '10m' },
        ],
        tasks: [{ name: 'migrate', run: 'touch task-ran' }],
      },
    });
    const before = snapshot(root);

    const check = await runProcinit(['check', '--log-format', 'json'], { cwd: root, timeoutMs: 15_000 });

    expect(check.code, check.output).toBe(0);
    expect(snapshot(root)).toEqual(before);
    const owner = `owner ${user.name}:${user.group} (${user.uid}:${user.gid})`;
    const notWaited = 'not reachable now (ECONNREFUSED); not waited for: procinit check waits for nothing';
    expect(report(check)).toEqual([
      `[ok]   dir ${missing}: missing: would be created, mode 0750, ${owner}`,
      `[ok]   dir ${existing}: exists; would change mode 0755 → 0700, owner 0:0 → ${user.uid}:${user.gid} (and below: not inspected)`,
      expect.stringMatching(/^\[ok\] {3}port \d+: free$/),
      `[warn] wait_for tcp 127.0.0.1:${tcpPort}: ${notWaited}`,
      `[warn] wait_for http http://127.0.0.1:${httpPort}/health: ${notWaited}`,
      '[ok]   task migrate: would run: `touch task-ran` (timeout 1h)',
      expect.stringMatching(
        /^check passed: 6 checks, 2 warnings, in \d+ms; nothing was created, waited for or run$/,
      ),
    ]);

    // Control: run does all of it, once the targets are up.
    await listenTcp(tcpPort);
    await listenHttp(httpPort, (_, res) => res.end('ok'));
    const run = await runProcinit(['--log-format', 'json'], { cwd: root });
    expect(run.code, run.output).toBe(0);
    const after = snapshot(root);
    expect(Object.keys(after)).toEqual(expect.arrayContaining(['new/uploads', 'task-ran', 'web-started']));
    expect(ownerAndMode(missing)).toEqual({ mode: '750', uid: user.uid, gid: user.gid });
    expect(ownerAndMode(existing)).toEqual({ mode: '700', uid: user.uid, gid: user.gid });
    expect(ownerAndMode(join(existing, 'sub/file.txt'))).toEqual({
      mode: '600',
      uid: user.uid,
      gid: user.gid,
    });
  });
});
