import { afterEach, describe, expect, it } from 'vitest';
import {
  app,
  freePort,
  proc,
  startProject,
  stopProjects,
  waitForEvent,
  waitForHealth,
} from './health-e2e-helpers.js';

// SPEC §2.2 depends_on: a dependent starts only once its dependency is `ready`, `started` or
// `completed`, and waits in `pending` (visible in /health) meanwhile. The order is checked on
// timestamps the processes record themselves, against the moment each condition came to hold.

afterEach(stopProjects);

/**
 * worker comes first in the Procfile, so only depends_on can put it after api. Each dependent
 * waits on one condition, so each condition is the one that decides: db is ready once its port
 * accepts, migrate is a one-shot that ends when told, api's own readiness is held back.
 */
async function startChain(dbPort: number, migrateRestart: string) {
  return startProject(
    [
      `worker: ${app('worker')}`,
      `db: ${app('db', '--tcp', dbPort)}`,
      `migrate: ${app('migrate')}`,
      `api: ${app('api')}`,
      `jobs: ${app('jobs')}`,
      '',
    ].join('\n'),
    [
      'processes:',
      '  worker:',
      '    depends_on: { api: started }',
      '  db:',
      `    readiness: { tcp: "127.0.0.1:${dbPort}", interval: 50ms, timeout: 500ms }`,
      '  migrate:',
      `    restart: ${migrateRestart}`,
      '  api:',
      '    depends_on: { db: ready }',
      '    readiness: { exec: "test -e api.ready", interval: 50ms }',
      '  jobs:',
      '    depends_on: { migrate: completed }',
      '',
    ].join('\n'),
    { files: { 'db.down': '' } },
  );
}

const stateOf = (body: Parameters<typeof proc>[0], ...ids: string[]) => ids.map((id) => proc(body, id).state);

describe('depends_on, observed on the processes’ own clocks', () => {
  it('ready, started and completed each hold before the dependent starts; pending meanwhile', async () => {
    const project = await startChain(await freePort(), 'on-failure');
    const { run, port } = project;

    // db runs but refuses connections, migrate runs: api, worker and jobs wait, never spawned.
    await waitForEvent(run, 'probe.attempt', 'db.1', { result: 'fail' });
    let body = await waitForHealth(
      port,
      (b) => stateOf(b, 'db.1', 'migrate.1').every((state) => state === 'running'),
      'db.1 and migrate.1 running',
    );
    expect(stateOf(body, 'worker.1', 'api.1', 'jobs.1')).toEqual(['pending', 'pending', 'pending']);
    for (const id of ['worker.1', 'api.1', 'jobs.1']) {
      expect(proc(body, id)).toMatchObject({ pid: null, started_at: null, ready: false });
    }
    expect([body.code, body.status]).toEqual([503, 'starting']);

    // ready: db ready starts api, and api started (not ready) starts worker; jobs still waits.
    const dbOpenedMs = Date.now();
    project.remove('db.down');
    body = await waitForHealth(
      port,
      (b) => stateOf(b, 'api.1', 'worker.1').every((state) => state === 'running'),
      'api.1 and worker.1 running',
    );
    expect(proc(body, 'db.1').ready).toBe(true);
    expect(proc(body, 'api.1').ready).toBe(false);
    expect(stateOf(body, 'migrate.1', 'jobs.1')).toEqual(['running', 'pending']);
    expect(project.starts('jobs')).toEqual([]);

    const dbReadyMs = (await waitForEvent(run, 'probe.readiness', 'db.1', { ready: true })).time;
    const apiSpawnedMs = Date.parse(proc(body, 'api.1').started_at!);
    const api = await project.started('api');
    const worker = await project.started('worker');
    expect(dbReadyMs).toBeGreaterThanOrEqual(dbOpenedMs);
    // ready: api started (by procinit's clock and by its own) after db's readiness held.
    expect(apiSpawnedMs).toBeGreaterThanOrEqual(dbReadyMs);
    expect(api.ms).toBeGreaterThanOrEqual(dbReadyMs);
    // started: worker after api was spawned (api's readiness had nothing to do with it).
    expect(worker.ms).toBeGreaterThanOrEqual(apiSpawnedMs);
    expect(Date.parse(proc(body, 'worker.1').started_at!)).toBeGreaterThanOrEqual(apiSpawnedMs);
    expect([api.pid, worker.pid]).toEqual([proc(body, 'api.1').pid, proc(body, 'worker.1').pid]);

    // completed: migrate exits 0, then jobs starts.
    project.write('migrate.finish');
    body = await waitForHealth(port, (b) => proc(b, 'jobs.1').state === 'running', 'jobs.1 running');
    expect(proc(body, 'migrate.1')).toMatchObject({ state: 'exited', last_exit: { code: 0, signal: null } });
    const jobs = await project.started('jobs');
    expect(jobs.ms).toBeGreaterThanOrEqual(project.stamp('migrate.done'));
    expect(Date.parse(proc(body, 'jobs.1').started_at!)).toBeGreaterThanOrEqual(
      Date.parse(proc(body, 'migrate.1').last_exit!.at),
    );
    expect([body.code, body.status]).toEqual([503, 'starting']);

    // The one-shot that exited 0 counts as fine: healthy once api is ready.
    project.write('api.ready');
    body = await waitForHealth(port, (b) => b.status === 'healthy', 'healthy');
    expect(body.code).toBe(200);
  });

  it('a dependent of a one-shot that failed never starts: exited, never spawned, unhealthy', async () => {
    const project = await startChain(await freePort(), 'never');
    const { port } = project;
    await waitForHealth(port, (b) => proc(b, 'migrate.1').state === 'running', 'migrate.1 running');
    project.write('migrate.crash');
    const body = await waitForHealth(
      port,
      (b) => stateOf(b, 'migrate.1', 'jobs.1').every((state) => state === 'exited'),
      'migrate.1 and jobs.1 exited',
    );
    expect(proc(body, 'migrate.1').last_exit).toMatchObject({ code: 1, signal: null });
    expect(proc(body, 'jobs.1')).toMatchObject({ pid: null, started_at: null, last_exit: null });
    expect([body.code, body.status]).toEqual([503, 'unhealthy']);
    expect(project.starts('jobs')).toEqual([]);
  });
});
