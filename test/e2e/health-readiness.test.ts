import { afterEach, describe, expect, it } from 'vitest';
import {
  app,
  eventsOf,
  freePort,
  health,
  proc,
  startProject,
  stopProjects,
  waitForEvent,
  waitForHealth,
  waitForLine,
} from './health-e2e-helpers.js';

// SPEC §2.2 and §6: a readiness probe of each kind makes a running process ready and not ready,
// seen through /health of the running binary. The app's readiness is steered by a file
// (web.down), so each turn happens when the test says, never on a timer.

afterEach(stopProjects);

const FAST = 'interval: 50ms, timeout: 500ms, failure_threshold: 2';

/** Each polled kind: how `web` is started, and its readiness probe; both follow web.down. */
const POLLED = [
  {
    kind: 'http',
    command: (port: number) => app('web', '--http', port),
    probe: (port: number) => `{ http: "http://127.0.0.1:${port}/ready", ${FAST} }`,
  },
  {
    kind: 'tcp',
    command: (port: number) => app('web', '--tcp', port),
    probe: (port: number) => `{ tcp: "127.0.0.1:${port}", ${FAST} }`,
  },
  {
    kind: 'exec',
    command: () => app('web'),
    probe: () => `{ exec: "test ! -e web.down", ${FAST} }`,
  },
] as const;

describe('readiness probes seen through /health', () => {
  it.each(POLLED)('$kind: not ready while failing, ready, not ready again, ready again', async (kind) => {
    const appPort = await freePort();
    const project = await startProject(
      `web: ${kind.command(appPort)}\n`,
      `processes:\n  web:\n    readiness: ${kind.probe(appPort)}\n`,
      { files: { 'web.down': '' } },
    );
    const { run, port } = project;

    // The probe has really been tried and failed: still running, not ready, and overall starting.
    await waitForEvent(run, 'probe.attempt', 'web.1', { kind: kind.kind, result: 'fail' });
    let body = await waitForHealth(port, (b) => proc(b, 'web.1').state === 'running', 'web.1 running');
    expect(proc(body, 'web.1')).toMatchObject({ ready: false, restarts: 0 });
    expect([body.code, body.status]).toEqual([503, 'starting']);
    const pid = proc(body, 'web.1').pid;
    expect(pid).toBe((await project.started('web')).pid);

    project.remove('web.down');
    body = await waitForHealth(port, (b) => proc(b, 'web.1').ready, 'web.1 ready');
    expect([body.code, body.status]).toEqual([200, 'healthy']);

    // Not ready after having been ready: unhealthy, but the same run (readiness never restarts).
    project.write('web.down');
    body = await waitForHealth(port, (b) => !proc(b, 'web.1').ready, 'web.1 not ready again');
    expect([body.code, body.status]).toEqual([503, 'unhealthy']);
    expect(proc(body, 'web.1')).toMatchObject({ state: 'running', pid, restarts: 0 });

    project.remove('web.down');
    body = await waitForHealth(port, (b) => proc(b, 'web.1').ready, 'web.1 ready once more');
    expect([body.code, body.status]).toEqual([200, 'healthy']);
    expect(proc(body, 'web.1')).toMatchObject({ pid, restarts: 0 });

    const transitions = eventsOf(run, 'probe.transition', 'web.1');
    expect(transitions.map((r) => [r.probe, r.kind, r.transition])).toEqual([
      ['readiness', kind.kind, 'ready'],
      ['readiness', kind.kind, 'not-ready'],
      ['readiness', kind.kind, 'ready'],
    ]);
  });

  it('log: ready on the first matching line (colours removed), only once, and again only in a new run', async () => {
    const project = await startProject(
      `web: ${app('web')}\n`,
      'processes:\n  web:\n    readiness: { log: "^Listening on port \\\\d+$" }\n    backoff: { initial: 100ms }\n',
    );
    const { run, port } = project;
    const say = async (line: string) => {
      project.write('web.say', `${line}\n`);
      await waitForLine(run, 'web.1', line);
    };

    // Lines that do not match (the pattern is anchored) leave it not ready.
    await say('Listening on port soon');
    await say('> Listening on port 8000');
    let body = await health(port);
    expect(proc(body, 'web.1')).toMatchObject({ state: 'running', ready: false });
    expect([body.code, body.status]).toEqual([503, 'starting']);

    // The match is made on the line without its colour codes.
    await say('\x1b[32mListening on port 8000\x1b[0m');
    body = await waitForHealth(port, (b) => proc(b, 'web.1').ready, 'web.1 ready from its log');
    expect([body.code, body.status]).toEqual([200, 'healthy']);

    // Ready only once: a second match changes nothing, and no later line takes readiness away.
    await say('Listening on port 8000');
    await say('shutting down the listener');
    body = await health(port);
    expect(proc(body, 'web.1').ready).toBe(true);
    expect(body.status).toBe('healthy');
    expect(eventsOf(run, 'probe.transition', 'web.1').map((r) => [r.kind, r.transition])).toEqual([
      ['log', 'ready'],
    ]);

    // A new run starts not ready, and needs its own matching line.
    const firstPid = proc(body, 'web.1').pid;
    project.write('web.crash');
    body = await waitForHealth(
      port,
      (b) => proc(b, 'web.1').restarts === 1 && proc(b, 'web.1').state === 'running',
      'web.1 restarted',
    );
    expect(proc(body, 'web.1')).toMatchObject({ ready: false });
    expect(proc(body, 'web.1').pid).not.toBe(firstPid);
    expect([body.code, body.status]).toEqual([503, 'unhealthy']);
    await say('Listening on port 8001');
    body = await waitForHealth(port, (b) => proc(b, 'web.1').ready, 'the new run ready from its log');
    expect([body.code, body.status]).toEqual([200, 'healthy']);
  });
});
