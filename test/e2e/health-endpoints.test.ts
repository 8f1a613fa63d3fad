import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/procinit.js';
import {
  app,
  eventsOf,
  exitCodeWithin,
  type HealthBody,
  proc,
  request,
  startProject,
  stopProjects,
  waitForEvent,
  waitForHealth,
} from './health-e2e-helpers.js';

// SPEC §6: the status codes and JSON bodies of /health, /healthz, /readyz and /livez in each
// overall state (starting, healthy, unhealthy, stopping), HEAD, 405 and 404, from one run of the
// binary taken through every state: web's readiness is held back, then given; worker crashes
// into a long backoff; SIGTERM with shutdown.drain, and web is slow to stop.

afterEach(stopProjects);

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const VERDICT_PATHS = ['/health', '/healthz', '/readyz'];
const ALL_PATHS = [...VERDICT_PATHS, '/livez', '/metrics'];
const JSON_TYPE = 'application/json; charset=utf-8';
const PROCESS_KEYS = [
  'id',
  'name',
  'instance',
  'state',
  'ready',
  'pid',
  'restarts',
  'started_at',
  'last_exit',
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Overall = HealthBody['status'];

/** The body of SPEC §6, field by field: nothing missing, nothing more. */
function expectHealthBody(body: HealthBody, status: Overall, startedMs: number): void {
  expect(Object.keys(body)).toEqual(['status', 'uptime_s', 'version', 'processes']);
  expect(body.status).toBe(status);
  expect(body.version).toBe(VERSION);
  expect(body.uptime_s).toBeGreaterThan(0);
  expect(body.uptime_s).toBeLessThanOrEqual((Date.now() - startedMs) / 1000 + 0.05);
  expect(body.processes.map((p) => p.id)).toEqual(['web.1', 'worker.1']);
  for (const p of body.processes) {
    expect(Object.keys(p)).toEqual(PROCESS_KEYS);
    expect(p).toMatchObject({ name: p.id.split('.')[0], instance: 1 });
    expect(typeof p.ready).toBe('boolean');
    expect(p.started_at).toMatch(ISO);
    expect(Date.parse(p.started_at!)).toBeGreaterThanOrEqual(startedMs);
    if (p.last_exit) {
      expect(Object.keys(p.last_exit)).toEqual(['code', 'signal', 'at']);
      expect(p.last_exit.at).toMatch(ISO);
    }
  }
}

/** Every verdict endpoint, by GET and HEAD, agrees on `status`; /livez says whether procinit is live. */
async function expectEndpoints(port: number, startedMs: number, status: Overall, live: boolean) {
  const code = status === 'healthy' ? 200 : 503;
  for (const path of VERDICT_PATHS) {
    const get = await request(port, path);
    expect([path, get.status]).toEqual([path, code]);
    expect(get.headers).toMatchObject({ 'content-type': JSON_TYPE, 'cache-control': 'no-store' });
    expect(Number(get.headers['content-length'])).toBe(Buffer.byteLength(get.body));
    expectHealthBody(JSON.parse(get.body) as HealthBody, status, startedMs);
    const head = await request(port, path, 'HEAD');
    expect([path, head.status, head.body]).toEqual([path, code, '']);
    expect(head.headers['content-type']).toBe(JSON_TYPE);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  }
  for (const method of ['GET', 'HEAD']) {
    const livez = await request(port, '/livez', method);
    expect([method, livez.status]).toEqual([method, live ? 200 : 503]);
    expect(livez.headers['content-type']).toBe(JSON_TYPE);
    if (method === 'GET') {
      expect(JSON.parse(livez.body)).toEqual(
        live ? { status: 'alive' } : { status: 'not alive', live: false, reason: 'stopping' },
      );
    }
  }
}

describe('the health endpoints of a running procinit, state by state', () => {
  it('starting → healthy → unhealthy → stopping (during drain, then while a process stops)', async () => {
    const project = await startProject(
      `web: ${app('web', '--slow-stop', 1500)}\nworker: ${app('worker')}\n`,
      [
        'processes:',
        '  web:',
        '    readiness: { exec: "test -e web.ready", interval: 50ms }',
        '  worker:',
        '    backoff: { initial: 60s, max: 60s }',
        'shutdown: { drain: 3s }',
        '',
      ].join('\n'),
    );
    const { run, port, startedMs } = project;

    // starting: web's probe has failed; worker (no probe) is ready.
    await waitForEvent(run, 'probe.attempt', 'web.1', { result: 'fail' });
    let body = await waitForHealth(port, (b) => proc(b, 'worker.1').state === 'running', 'worker.1 running');
    expect(proc(body, 'web.1')).toMatchObject({
      state: 'running',
      ready: false,
      restarts: 0,
      last_exit: null,
    });
    expect(proc(body, 'worker.1')).toMatchObject({ ready: true });
    await expectEndpoints(port, startedMs, 'starting', true);

    project.write('web.ready');
    body = await waitForHealth(port, (b) => b.status === 'healthy', 'healthy');
    await expectEndpoints(port, startedMs, 'healthy', true);
    const web = proc(body, 'web.1');
    expect(web.pid).toBe((await project.started('web')).pid);
    expect((await request(port, '/health?verbose=1')).status).toBe(200);

    // unhealthy: worker crashed and waits out a 60 s backoff; procinit itself is still live.
    project.write('worker.crash');
    body = await waitForHealth(port, (b) => proc(b, 'worker.1').state === 'backoff', 'worker.1 in backoff');
    expect(proc(body, 'worker.1')).toMatchObject({
      pid: null,
      ready: false,
      last_exit: { code: 1, signal: null },
    });
    await expectEndpoints(port, startedMs, 'unhealthy', true);

    // stopping, during the drain: nothing is signalled yet, web still runs under the same pid.
    const sigtermMs = Date.now();
    run.child.kill('SIGTERM');
    body = await waitForHealth(port, (b) => b.status === 'stopping', 'status stopping');
    expect(proc(body, 'web.1')).toMatchObject({ state: 'running', pid: web.pid });
    expect(proc(body, 'worker.1').state).toBe('exited');
    await expectEndpoints(port, startedMs, 'stopping', false);
    expect(project.starts('web')).toHaveLength(1);
    expect(() => project.stamp('web.sigterm'), 'web was signalled before the drain ended').toThrow(/ENOENT/);

    // stopping, after the drain: web got SIGTERM and takes its time.
    body = await waitForHealth(port, (b) => proc(b, 'web.1').state === 'stopping', 'web.1 stopping');
    await expectEndpoints(port, startedMs, 'stopping', false);
    expect(await exitCodeWithin(run, 10_000)).toBe(0);
    expect(project.stamp('web.sigterm') - sigtermMs).toBeGreaterThanOrEqual(3000);
    await expect(request(port, '/health')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('HEAD, 405 for other methods on every path, 404 for unknown paths; no request runs a probe', async () => {
    // One attempt at start, the next in an hour: any later attempt would come from a request.
    const project = await startProject(
      `web: ${app('web')}\n`,
      'processes:\n  web:\n    readiness: { exec: "true", interval: 1h }\n',
    );
    const { run, port } = project;
    await waitForHealth(port, (b) => b.status === 'healthy', 'healthy');

    for (const path of ALL_PATHS) {
      const head = await request(port, path, 'HEAD');
      expect([path, head.status, head.body]).toEqual([path, 200, '']);
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        const answer = await request(port, path, method);
        expect([method, path, answer.status]).toEqual([method, path, 405]);
        expect(answer.headers.allow).toBe('GET, HEAD');
        expect(JSON.parse(answer.body)).toEqual({ error: 'method not allowed', allow: ['GET', 'HEAD'] });
      }
    }
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/nope'],
      ['GET', '/health/'],
      ['GET', '/HEALTH'],
      ['GET', '/metrics/x'],
      ['POST', '/nope'],
      ['HEAD', '/nope'],
    ] as const) {
      const answer = await request(port, path, method);
      expect([method, path, answer.status]).toEqual([method, path, 404]);
      if (method !== 'HEAD') {
        expect(JSON.parse(answer.body)).toEqual({ error: 'not found', paths: ALL_PATHS });
      }
    }
    // None of that disturbed the server, nor ran the probe again.
    expect((await request(port, '/health')).status).toBe(200);
    expect(eventsOf(run, 'probe.attempt', 'web.1')).toHaveLength(1);
  });
});
