import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireUnshare } from '../helpers/capabilities.js';
import { parseDockerfile } from '../helpers/dockerfile.js';
import { killAll, REPO_ROOT, type RunningProcess, start } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort, getJson, pid1Of, processesUnder, requirePython, uidOf, within } from './image-helpers.js';
import { applyChowns, type LaidOutImage, layOutFinalStage, listTree } from './image-rootfs.js';
import { ensureImageUser, type ImageUser } from './image-user.js';
import { processesInNamespace, UNSHARE, UNSHARE_ARGS } from './pid1-namespace.js';

// The image of Dockerfile.example, as near as a machine without a Docker engine gets: its final
// stage laid out under a temporary directory (image-rootfs.ts carries out its COPY, WORKDIR,
// ENV and ln -s), then procinit started as its ENTRYPOINT says, as PID 1 of a new PID namespace,
// as the image's non-root USER, with the image's environment only (env -i).
//
// What comes from where. From the layout only: procinit (the bundle, through the symlink on
// PATH), node (this test's node binary stands for the node image's), koffi.node and the app.
// From the host, because the final image has them from python:3.12-slim: python3 (a symlink to
// the system's, the only other thing on PATH), /bin/sh, /usr/bin/env, and the shared libraries
// node and python load. Not a chroot: python and its libraries would have to be copied in
// whole. PATH holds nothing else, so no ps and no curl: the kill-tree must use /proc, and the
// health check procinit's own client.

const { skip: noUnshare } = requireUnshare();
const SETPRIV = spawnSync('/bin/sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
const TOKEN = 'image-test-token';
const API = 'http://127.0.0.1:8000';
const PYTHON = noUnshare ? undefined : requirePython();

describe.skipIf(noUnshare || PYTHON === undefined)('the image of Dockerfile.example', () => {
  let tmp: string;
  let image: LaidOutImage;
  let user: ImageUser;
  let env: Record<string, string>;
  let app: string;

  /** argv that runs `command` as the image's USER with the image's environment only. */
  const asImageUser = (command: readonly string[]) => [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--init-groups',
    '--',
    '/usr/bin/env',
    '-i',
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
    ...command,
  ];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'procinit-image-'));
    chmodSync(tmp, 0o755); // the image's user must reach the rootfs
    const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile.example'), 'utf8'));
    image = layOutFinalStage(dockerfile, join(tmp, 'rootfs'), {
      repoRoot: REPO_ROOT,
      dockerignore: readFileSync(join(REPO_ROOT, 'Dockerfile.example.dockerignore'), 'utf8'),
      nodeBinary: process.execPath,
    });
    user = ensureImageUser((image.user ?? '').split(':')[0] as string);
    applyChowns(image, user);
    const hostBin = join(tmp, 'host-bin');
    mkdirSync(hostBin);
    symlinkSync(PYTHON as string, join(hostBin, 'python3'));
    app = join(image.rootfs, image.workdir);
    env = {
      // python:3.12-slim's PATH starts with /usr/local/bin, where the Dockerfile puts node and procinit.
      PATH: `${join(image.rootfs, 'usr/local/bin')}:${hostBin}`,
      LANG: 'C.UTF-8', // python:3.12-slim's
      HOME: app, // Docker sets HOME from the USER's passwd entry: /app
      ...image.env,
      API_TOKEN: TOKEN, // docker run -e API_TOKEN=...
      PROCINIT_HEALTH_PORT: String(await freePort()), // not 8099: other tests may be using it
    };
  });

  afterAll(() => {
    killAll();
    user?.remove();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('holds node, the bundle, koffi.node and the app, and no node_modules, ps or curl', () => {
    const tree = listTree(image.rootfs);
    expect(tree.filter((path) => path.includes('node_modules'))).toEqual([]);
    expect(tree.filter((path) => path.startsWith('usr/local/bin/'))).toEqual([
      'usr/local/bin/node',
      'usr/local/bin/procinit',
    ]);
    expect(tree).toContain('usr/local/lib/procinit/procinit.cjs');
    expect(tree).toContain('usr/local/lib/procinit/procinit-bundle.js');
    expect(tree).toContain('usr/local/lib/procinit/procinit-bundle.js.cache');
    expect(tree).toContain('usr/local/lib/procinit/procinit-config-libs.js');
    expect(tree).toContain('usr/local/lib/procinit/procinit-config-libs.js.cache');
    expect(tree).toContain('usr/local/lib/procinit/procinit-metrics-libs.js');
    expect(tree).toContain('usr/local/lib/procinit/build/koffi/linux_x64/koffi.node');
    expect(tree).toContain('app/procinit.yaml');
    const found = (name: string) =>
      spawnSync('/bin/sh', ['-c', `command -v ${name}`], { env, encoding: 'utf8' });
    expect(found('node').stdout.trim()).toBe(join(image.rootfs, 'usr/local/bin/node'));
    expect(found('procinit').stdout.trim()).toBe(join(image.rootfs, 'usr/local/bin/procinit'));
    expect(found('ps').status).not.toBe(0);
    expect(found('curl').status).not.toBe(0);
  });

  it('serves the API, turns healthy, passes procinit healthcheck, and stops on SIGTERM with 0 and nothing left', async () => {
    const run = start(UNSHARE, [...UNSHARE_ARGS, SETPRIV, ...asImageUser(image.entrypoint)], { cwd: app });
    // Every wait below ends at once if procinit exits: a failed preflight (78) shows as such.
    const died = run.exited.then((code) => Promise.reject(new Error(`procinit exited with ${code}`)));
    died.catch(() => {}); // it does exit, at the end
    whileRunning = (promise) => Promise.race([promise, died]);
    try {
      const hostPid = await procinitAsPid1(run);
      const pidNamespace = readlinkSync(`/proc/${hostPid}/ns/pid`);
      expect(uidOf(hostPid), 'procinit runs as the image user').toBe(user.uid);

      await expectServing();
      await expectHealthy();
      await expectHealthcheckPasses();
      await expectUploadProcessed();

      process.kill(hostPid, 'SIGTERM');
      expect(await within(run.exited, 20_000, 'procinit to exit after SIGTERM')).toBe(0);
      const output = run.stdout() + run.stderr();
      for (const id of ['api.1', 'worker.1', 'worker.2'])
        expect(output).toMatch(new RegExp(`${id} ended: exit 0\\b`));
      expect(output).toMatch(/procinit exits with code 0/);
      await waitFor(() => processesInNamespace(pidNamespace).length === 0, {
        timeoutMs: 5_000,
        what: 'the namespace to empty',
      });
      expect(processesUnder(tmp), 'processes of the image left running').toEqual([]);
    } catch (error) {
      console.error(`procinit's output:\n${run.stdout()}${run.stderr()}`);
      throw error;
    }
  });

  /** Fails as soon as procinit exits; set by the test that starts it. */
  let whileRunning: <T>(promise: Promise<T>) => Promise<T> = (promise) => promise;

  /** procinit's host pid once it runs (from the rootfs) as PID 1 of the new namespace. */
  function procinitAsPid1(run: RunningProcess): Promise<number> {
    const procinitPath = join(image.rootfs, 'usr/local/bin', image.entrypoint[0] as string);
    const pid = waitFor(() => pid1Of(run.child.pid as number, procinitPath), {
      timeoutMs: 10_000,
      what: 'procinit to run as PID 1',
    });
    return whileRunning(pid);
  }

  /** The API answers on its port, from the image's user. */
  async function expectServing(): Promise<void> {
    const answer = await whileRunning(
      waitFor(() => getJson(`${API}/`).catch(() => undefined), {
        timeoutMs: 20_000,
        what: `the API on ${API}`,
      }),
    );
    expect(answer).toEqual({ status: 200, body: { service: 'api', process: 'api.1' } });
  }

  /** /health turns 200 once the API's readiness probe passed and the workers run. */
  async function expectHealthy(): Promise<void> {
    const health = `http://127.0.0.1:${env.PROCINIT_HEALTH_PORT}/health`;
    const { body } = await whileRunning(
      waitFor(
        () =>
          getJson(health).then(
            (answer) => (answer.status === 200 ? answer : undefined),
            () => undefined,
          ),
        {
          timeoutMs: 20_000,
          what: `${health} to answer 200`,
        },
      ),
    );
    const processes = body.processes as { id: string; state: string; ready: boolean }[];
    expect(processes.map(({ id, state, ready }) => [id, state, ready])).toEqual([
      ['api.1', 'running', true],
      ['worker.1', 'running', true],
      ['worker.2', 'running', true],
    ]);
  }

  /** The HEALTHCHECK's command, run from the rootfs as the image's user, as Docker would. */
  async function expectHealthcheckPasses(): Promise<void> {
    const check = start(SETPRIV, asImageUser(image.healthcheck), { cwd: app });
    const code = await within(check.exited, 15_000, 'procinit healthcheck to exit');
    expect(code, check.stdout() + check.stderr()).toBe(0);
  }

  /** An upload goes through the API, the spool directory, a worker and the migrated database. */
  async function expectUploadProcessed(): Promise<void> {
    const content = 'a file for the worker\n';
    const unauthorized = await getJson(`${API}/uploads`, { method: 'POST', body: content });
    expect(unauthorized.status).toBe(401);
    const headers = { authorization: `Bearer ${TOKEN}` };
    const queued = await getJson(`${API}/uploads`, { method: 'POST', body: content, headers });
    expect(queued.status).toBe(202);
    const done = await whileRunning(
      waitFor(
        () =>
          getJson(`${API}/uploads/${queued.body.id}`).then(({ body }) =>
            body.status === 'done' ? body : undefined,
          ),
        { timeoutMs: 10_000, what: `upload ${queued.body.id} to be processed` },
      ),
    );
    expect(done.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(done.processed_by).toMatch(/^worker\.[12]$/);
  }
});
