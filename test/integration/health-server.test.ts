import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createHealthServer, type HealthLogger } from '../../src/observe/health-server.js';
import type { Logger } from '../../src/observe/logger.js';
import type { EventLogger } from '../../src/runtime/supervisor-loop.js';
import type { Harness } from '../unit/core/driver.js';
import { closeServers, fetchPath, LEAKS, START_MS, serve, twoProcesses } from './health-helpers.js';

afterEach(closeServers);

const HEALTH_PATHS = ['/health', '/healthz', '/readyz'];

function healthy(): Harness {
  const h = twoProcesses();
  h.ready('web.1', true, START_MS + 300);
  return h;
}

const STATES = {
  starting: () => twoProcesses(),
  healthy,
  unhealthy: () => {
    const h = healthy();
    h.exited('worker.1', 1, START_MS + 1000);
    return h;
  },
  stopping: () => {
    const h = twoProcesses({ drainMs: 5000 });
    h.ready('web.1', true, START_MS + 300);
    h.signal('SIGTERM', START_MS + 2000);
    return h;
  },
};

describe('health server: routes', () => {
  it.each(HEALTH_PATHS)('GET %s answers the health body as JSON', async (path) => {
    const { port } = await serve(healthy().state);
    const answer = await fetchPath(port, path);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'healthy', uptime_s: 42.1, version: '0.1.0' });
  });

  it('ignores a query string', async () => {
    const { port } = await serve(healthy().state);
    expect((await fetchPath(port, '/health?verbose=1')).status).toBe(200);
  });

  it.each([...HEALTH_PATHS, '/livez', '/metrics'])(
    'HEAD %s has the headers of GET and no body',
    async (path) => {
      const { port } = await serve(healthy().state);
      const get = await fetchPath(port, path);
      const head = await fetchPath(port, path, 'HEAD');
      expect(head.status).toBe(get.status);
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
      expect(head.body).toBe('');
    },
  );

  it.each(['/', '/nope', '/health/', '/HEALTH', '/metrics/x'])('GET %s is 404', async (path) => {
    const { port } = await serve(healthy().state);
    const answer = await fetchPath(port, path);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'not found',
      paths: ['/health', '/healthz', '/readyz', '/livez', '/metrics'],
    });
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s /health is 405 with Allow', async (method) => {
    const { port } = await serve(healthy().state);
    const answer = await fetchPath(port, '/health', method);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });

  it('answers 404 before 405 for an unknown path', async () => {
    const { port } = await serve(healthy().state);
    expect((await fetchPath(port, '/nope', 'POST')).status).toBe(404);
  });

  it('serves Prometheus text on /metrics, loading prom-client at the first scrape', async () => {
    const { port } = await serve(STATES.unhealthy().state, {
      lines: [{ proc: 'web.1', stream: 'stdout', lines: 5 }],
      orphans: 2,
    });
    const answer = await fetchPath(port, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.body).toContain('procinit_process_up{process="web.1",name="web"} 1');
    expect(answer.body).toContain('procinit_process_up{process="worker.1",name="worker"} 0');
    expect(answer.body).toContain('procinit_process_last_exit_code{process="worker.1",name="worker"} 1');
    expect(answer.body).toContain('procinit_orphans_reaped_total 2');
    expect(answer.body).toContain('procinit_output_lines_total{process="web.1",stream="stdout"} 5');
    expect(answer.body).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it("takes procinit's logger as it is", () => {
    expectTypeOf<Logger>().toExtend<HealthLogger>();
    expectTypeOf<EventLogger>().toExtend<HealthLogger>();
  });

  it('logs every request at trace level', async () => {
    const { port, logs } = await serve(healthy().state);
    await fetchPath(port, '/health');
    await fetchPath(port, '/nope', 'POST');
    expect(logs.map((record) => record.fields)).toEqual([
      expect.objectContaining({ event: 'health.request', method: 'GET', path: '/health', status: 200 }),
      expect.objectContaining({ event: 'health.request', method: 'POST', path: '/nope', status: 404 }),
    ]);
    expect(logs[0]).toMatchObject({ level: 'trace', msg: 'GET /health → 200' });
    expect(logs[0]?.fields.durationMs).toEqual(expect.any(Number));
  });

  it('is not started for port 0 (health.port: 0 disables it)', async () => {
    const server = await createHealthServer({
      port: 0,
      host: '127.0.0.1',
      version: '0.1.0',
      state: healthy().state,
      startedAtMs: START_MS,
      counters: { orphansReaped: () => 0, lineCounts: () => [] },
      logger: { trace() {}, warn() {} },
    });
    expect(server.address).toBeNull();
    server.update(healthy().state);
    await server.close();
  });

  it('fails with a ProcinitError naming the address when the port is taken', async () => {
    const { port } = await serve(healthy().state);
    const second = createHealthServer({
      port,
      host: '127.0.0.1',
      version: '0.1.0',
      state: healthy().state,
      startedAtMs: START_MS,
      counters: { orphansReaped: () => 0, lineCounts: () => [] },
      logger: { trace() {}, warn() {} },
    });
    await expect(second).rejects.toMatchObject({
      name: 'ProcinitError',
      exitCode: 78,
      problems: [
        {
          code: 'health.listen-failed',
          what: `the health server cannot listen on 127.0.0.1:${port}`,
          why: 'another program already listens there',
        },
      ],
    });
  });
});

describe('health server: verdicts of SPEC §6', () => {
  it.each([
    ['starting', 503, 200],
    ['healthy', 200, 200],
    ['unhealthy', 503, 200],
    ['stopping', 503, 503],
  ] as const)('%s: /health %i, /livez %i', async (status, healthCode, liveCode) => {
    const { port } = await serve(STATES[status]().state);
    for (const path of HEALTH_PATHS) {
      const answer = await fetchPath(port, path);
      expect(answer.status).toBe(healthCode);
      expect(JSON.parse(answer.body).status).toBe(status);
    }
    expect((await fetchPath(port, '/livez')).status).toBe(liveCode);
  });

  it('answers with the full body of SPEC §6', async () => {
    const { port } = await serve(STATES.unhealthy().state);
    expect(JSON.parse((await fetchPath(port, '/health')).body)).toEqual({
      status: 'unhealthy',
      uptime_s: 42.1,
      version: '0.1.0',
      processes: [
        {
          id: 'web.1',
          name: 'web',
          instance: 1,
          state: 'running',
          ready: true,
          pid: 17,
          restarts: 0,
          started_at: '2026-11-22T10:00:00.100Z',
          last_exit: null,
        },
        {
          id: 'worker.1',
          name: 'worker',
          instance: 1,
          state: 'backoff',
          ready: false,
          pid: null,
          restarts: 0,
          started_at: '2026-11-22T10:00:00.200Z',
          last_exit: { code: 1, signal: null, at: '2026-11-22T10:00:01.000Z' },
        },
      ],
    });
  });

  it('says why /livez is 503', async () => {
    const { port } = await serve(STATES.stopping().state);
    expect(JSON.parse((await fetchPath(port, '/livez')).body)).toEqual({
      status: 'not alive',
      live: false,
      reason: 'stopping',
    });
  });

  it('never shows an environment value or a command, on any route', async () => {
    for (const make of Object.values(STATES)) {
      const { port } = await serve(make().state);
      for (const path of [...HEALTH_PATHS, '/livez', '/metrics', '/nope']) {
        const { body } = await fetchPath(port, path);
        for (const leak of LEAKS) expect(body, `${path} shows ${leak}`).not.toContain(leak);
      }
    }
  });

  it('answers from the last state given, while processes crash, restart and stop', async () => {
    const h = healthy();
    const { port, update } = await serve(h.state);
    const seen: string[] = [];
    const ask = async () => {
      const answer = await fetchPath(port, '/health');
      seen.push(`${answer.status} ${JSON.parse(answer.body).status}`);
    };
    for (let crash = 1; crash <= 5; crash++) {
      h.exited('worker.1', 1, h.nowMs + 10);
      update(h.state);
      await Promise.all([ask(), ask(), fetchPath(port, '/metrics')]);
      h.fire('restart:worker.1');
      update(h.state);
      h.spawned('worker.1', h.nowMs + 5);
      update(h.state);
      await Promise.all([ask(), ask()]);
    }
    h.signal('SIGTERM', h.nowMs + 10);
    update(h.state);
    await ask();
    expect(h.status('worker.1').restarts).toBe(5);
    expect(seen).toEqual([
      ...Array.from({ length: 5 }, () => [
        '503 unhealthy',
        '503 unhealthy',
        '200 healthy',
        '200 healthy',
      ]).flat(),
      '503 stopping',
    ]);
  });
});
