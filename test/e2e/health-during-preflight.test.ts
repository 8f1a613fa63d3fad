/**
 * SPEC §6: the health port is served while procinit runs, preflight included. During a long
 * wait_for, /health and /readyz say `starting` (503) and /livez 200, so an orchestrator's
 * liveness probe does not kill a container that is only waiting for its database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import {
  app,
  eventsOf,
  exitCodeWithin,
  freePort,
  health,
  proc,
  request,
  runCli,
  startProject,
  stopProjects,
  waitForHealth,
} from './health-e2e-helpers.js';
import { listenTcp } from './preflight-helpers.js';

afterEach(stopProjects);

describe('the health port during preflight', () => {
  it('answers starting while wait_for waits, then healthy once the process runs', async () => {
    const dbPort = await freePort();
    const yaml = `preflight:\n  wait_for:\n    - { tcp: "127.0.0.1:${dbPort}", timeout: 30s }\n`;
    const project = await startProject(`web: ${app('web')}\n`, yaml);
    await waitFor(() => eventsOf(project.run, 'preflight.waiting')[0], {
      timeoutMs: 15_000,
      what: 'procinit to log preflight.waiting',
    });

    const during = await health(project.port);
    expect(during.code).toBe(503);
    expect(during.status).toBe('starting');
    expect(proc(during, 'web.1')).toMatchObject({ state: 'pending', pid: null });
    expect((await request(project.port, '/readyz')).status).toBe(503);
    expect((await request(project.port, '/livez')).status).toBe(200);
    expect((await runCli(['healthcheck', '--port', String(project.port)])).code).toBe(1);
    expect(project.starts('web')).toEqual([]);

    const db = await listenTcp(dbPort);
    try {
      const healthy = await waitForHealth(project.port, (body) => body.status === 'healthy', 'healthy');
      expect(proc(healthy, 'web.1').state).toBe('running');
    } finally {
      await db.close();
    }
  });

  it('closes the port when preflight fails, and exits 78', async () => {
    const dbPort = await freePort();
    const yaml = `preflight:\n  wait_for:\n    - { tcp: "127.0.0.1:${dbPort}", timeout: 1s }\n`;
    const project = await startProject(`web: ${app('web')}\n`, yaml);
    expect((await health(project.port)).status).toBe('starting');
    expect(await exitCodeWithin(project.run, 10_000)).toBe(78);
    await expect(request(project.port, '/health', 'GET', 2_000)).rejects.toThrow();
  });
});
