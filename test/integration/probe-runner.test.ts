import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { SupervisorEvent } from '../../src/core/events.js';
import type { ProbeCheck, ProbeSpec } from '../../src/core/model.js';
import { createChildOutput } from '../../src/runtime/output-child.js';
import { MemorySink } from '../../src/runtime/output-memory-sink.js';
import { createProbeRunner, type ProbeRunner } from '../../src/runtime/probe-runner.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeSpec } from '../unit/core/driver.js';
import { isDead } from './fixture-tree.js';

const HANG = fileURLToPath(new URL('../fixtures/probes/hang-with-child.sh', import.meta.url));

const runners: ProbeRunner[] = [];
const servers: (Server | TcpServer)[] = [];
const pids: number[] = [];

afterEach(async () => {
  for (const runner of runners.splice(0)) runner.stopAll();
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

interface LogRecord {
  level: 'trace' | 'debug' | 'warn';
  fields: Record<string, unknown>;
  msg: string;
}

/** A runner whose events and logs are collected; `timeline` interleaves attempts and events. */
function harness() {
  const events: SupervisorEvent[] = [];
  const logs: LogRecord[] = [];
  const timeline: string[] = [];
  const record = (level: LogRecord['level']) => (fields: object, msg: string) => {
    const entry = { level, fields: fields as Record<string, unknown>, msg };
    logs.push(entry);
    if (entry.fields.event === 'probe.attempt')
      timeline.push(`${entry.fields.process} ${entry.fields.result}`);
  };
  const runner = createProbeRunner({
    onEvent: (event) => {
      events.push(event);
      timeline.push(`${'id' in event ? event.id : ''} ${event.type}`);
    },
    nowMs: Date.now,
    logger: { trace: record('trace'), debug: record('debug'), warn: record('warn') },
  });
  runners.push(runner);
  const attempts = (id: string) =>
    logs.filter((entry) => entry.fields.event === 'probe.attempt' && entry.fields.process === id);
  return { runner, events, logs, timeline, attempts };
}

function probe(check: ProbeCheck, overrides: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    check,
    intervalMs: 20,
    timeoutMs: 1000,
    initialDelayMs: 0,
    failureThreshold: 1,
    successThreshold: 1,
    ...overrides,
  };
}

/** An http server on 127.0.0.1 answering with `handle`; resolves with its base URL. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'procinit-probe-'));
const readiness = (events: SupervisorEvent[]) =>
  events.map((event) => (event.type === 'ReadinessChanged' ? event.ready : event.type));

describe('readiness probes', () => {
  it('http: ready once the server answers 200, not ready after failure_threshold 503s', async () => {
    let status = 503;
    const url = await serve((_req, res) => res.writeHead(status).end());
    const h = harness();
    h.runner.start(makeSpec({ readiness: probe({ kind: 'http', url }, { failureThreshold: 2 }) }), 100);
    await waitFor(() => h.attempts('web.1').length >= 3, { timeoutMs: 5000, what: 'three failed attempts' });
    expect(h.events).toEqual([]);
    expect(h.attempts('web.1')[0]).toMatchObject({
      level: 'trace',
      fields: { kind: 'http', probe: 'readiness', result: 'fail', detail: 'HTTP 503' },
    });
    expect(h.attempts('web.1')[0]?.fields.durationMs).toEqual(expect.any(Number));

    status = 200;
    await waitFor(() => h.events.length === 1, { timeoutMs: 5000, what: 'web.1 to turn ready' });
    expect(h.events[0]).toMatchObject({ type: 'ReadinessChanged', id: 'web.1', ready: true });
    expect(h.events[0]?.nowMs).toEqual(expect.any(Number));

    status = 503;
    await waitFor(() => h.events.length === 2, { timeoutMs: 5000, what: 'web.1 to turn not ready' });
    expect(readiness(h.events)).toEqual([true, false]);
    // Not ready after exactly two failures in a row, not at the first.
    const afterReady = h.timeline.slice(h.timeline.indexOf('web.1 ReadinessChanged') + 1);
    const firstFailure = afterReady.indexOf('web.1 fail');
    expect(afterReady.slice(firstFailure, firstFailure + 3)).toEqual([
      'web.1 fail',
      'web.1 fail',
      'web.1 ReadinessChanged',
    ]);
    const transitions = h.logs.filter((entry) => entry.fields.event === 'probe.transition');
    expect(transitions.map((entry) => [entry.level, entry.fields.transition, entry.fields.detail])).toEqual([
      ['debug', 'ready', 'HTTP 200'],
      ['debug', 'not-ready', 'HTTP 503'],
    ]);
  });

  it('tcp: ready once a listener appears on the port', async () => {
    const port = await closedPort();
    const h = harness();
    h.runner.start(makeSpec({ readiness: probe({ kind: 'tcp', host: '127.0.0.1', port }) }), 100);
    await waitFor(() => h.attempts('web.1').length >= 2, { timeoutMs: 5000, what: 'two refused attempts' });
    expect(h.attempts('web.1')[0]?.fields).toMatchObject({ result: 'fail', detail: 'ECONNREFUSED' });
    expect(h.events).toEqual([]);
    const server = createTcpServer((socket) => socket.destroy());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await waitFor(() => h.events.length === 1, { timeoutMs: 5000, what: 'web.1 to turn ready' });
    expect(h.events[0]).toMatchObject({ type: 'ReadinessChanged', id: 'web.1', ready: true });
  });

  it("exec: `test -f` in the process's cwd, with the process's env", async () => {
    const cwd = tempDir();
    const h = harness();
    const spec = makeSpec({
      cwd,
      env: { READY_FILE: 'ready' },
      readiness: probe({ kind: 'exec', command: 'test -f "$READY_FILE"' }),
    });
    h.runner.start(spec, 100);
    await waitFor(() => h.attempts('web.1').length >= 2, { timeoutMs: 5000, what: 'two failed attempts' });
    expect(h.attempts('web.1')[0]?.fields).toMatchObject({ kind: 'exec', result: 'fail', detail: 'exit 1' });
    writeFileSync(join(cwd, 'ready'), '');
    await waitFor(() => h.events.length === 1, { timeoutMs: 5000, what: 'web.1 to turn ready' });
    rmSync(join(cwd, 'ready'));
    await waitFor(() => h.events.length === 2, { timeoutMs: 5000, what: 'web.1 to turn not ready' });
    expect(readiness(h.events)).toEqual([true, false]);
  });

  it('log: ready on the first matching line, then the listener unsubscribes', async () => {
    const h = harness();
    h.runner.start(makeSpec({ readiness: probe({ kind: 'log', pattern: 'listening on \\d+' }) }), 100);
    const onLine = h.runner.lineListener('web.1');
    if (!onLine) throw new Error('expected a line listener for a log probe');
    expect(onLine('booting')).toBe(true);
    expect(onLine('listening on port')).toBe(true);
    expect(onLine('listening on 8000')).toBe(false);
    await waitFor(() => h.events.length === 1, { timeoutMs: 5000, what: 'web.1 to turn ready' });
    expect(h.events[0]).toMatchObject({ type: 'ReadinessChanged', id: 'web.1', ready: true });
    // Another stream's listener of the same run stops at its next line; nothing more is reported.
    expect(h.runner.lineListener('web.1')?.('listening on 9000')).toBe(false);
    expect(h.attempts('web.1')).toEqual([]);
    await Promise.resolve();
    expect(h.events).toHaveLength(1);
  });

  it('log: matches output framed by createChildOutput, colour codes removed', async () => {
    const h = harness();
    h.runner.start(makeSpec({ readiness: probe({ kind: 'log', pattern: '^listening on \\d+$' }) }), 100);
    const sink = new MemorySink();
    const output = createChildOutput({
      format: 'raw',
      color: false,
      timestamps: false,
      prefixWidth: 5,
      sinks: { stdout: sink, stderr: sink },
    });
    const stdout = new PassThrough();
    const done = output.attach('web.1', 'stdout', stdout, h.runner.lineListener('web.1'));
    stdout.write('booting\n\x1b[32mlisten');
    stdout.end('ing\x1b[0m on 8000\r\n');
    await done;
    await waitFor(() => h.events.length === 1, { timeoutMs: 5000, what: 'web.1 to turn ready' });
  });

  it('gives a line listener only to a process with a log readiness probe', () => {
    const h = harness();
    h.runner.start(makeSpec(), 100);
    h.runner.start(
      makeSpec({ name: 'api', readiness: probe({ kind: 'tcp', host: '127.0.0.1', port: 9 }) }),
      101,
    );
    expect(h.runner.lineListener('web.1')).toBeUndefined();
    // A polled probe does not observe output lines either.
    expect(h.runner.lineListener('api.1')).toBeUndefined();
  });

  it('waits initial_delay before the first attempt', async () => {
    const url = await serve((_req, res) => res.end());
    const h = harness();
    const startedMs = Date.now();
    h.runner.start(makeSpec({ readiness: probe({ kind: 'http', url }, { initialDelayMs: 300 }) }), 100);
    await waitFor(() => h.events.length === 1, { timeoutMs: 5000, what: 'web.1 to turn ready' });
    expect((h.events[0]?.nowMs ?? 0) - startedMs).toBeGreaterThanOrEqual(295);
  });

  it('a new run starts not ready, and a stale stop does not touch it', async () => {
    const url = await serve((_req, res) => res.end());
    const h = harness();
    const spec = makeSpec({ readiness: probe({ kind: 'http', url }) });
    h.runner.start(spec, 100);
    await waitFor(() => h.events.length === 1, { timeoutMs: 5000, what: 'the first run to turn ready' });
    h.runner.start(spec, 101);
    h.runner.stop('web.1', 100);
    await waitFor(() => h.events.length === 2, { timeoutMs: 5000, what: 'the second run to turn ready' });
    expect(readiness(h.events)).toEqual([true, true]);
  });
});

describe('liveness probes', () => {
  it('reports one LivenessFailed per failure_threshold failures in a row', async () => {
    const port = await closedPort();
    const h = harness();
    h.runner.start(
      makeSpec({ liveness: probe({ kind: 'tcp', host: '127.0.0.1', port }, { failureThreshold: 3 }) }),
      100,
    );
    await waitFor(() => h.events.length === 2, { timeoutMs: 5000, what: 'two liveness failures' });
    h.runner.stop('web.1');
    expect(h.events[0]).toMatchObject({
      type: 'LivenessFailed',
      id: 'web.1',
      reason: '3 tcp failures in a row, last: ECONNREFUSED',
    });
    expect(h.timeline.slice(0, 8)).toEqual([
      ...Array(3).fill('web.1 fail'),
      'web.1 LivenessFailed',
      ...Array(3).fill('web.1 fail'),
      'web.1 LivenessFailed',
    ]);
  });

  it('control: a passing liveness probe reports nothing', async () => {
    const url = await serve((_req, res) => res.end());
    const h = harness();
    h.runner.start(makeSpec({ liveness: probe({ kind: 'http', url }, { failureThreshold: 1 }) }), 100);
    await waitFor(() => h.attempts('web.1').length >= 10, { timeoutMs: 5000, what: 'ten attempts' });
    expect(h.attempts('web.1').every((entry) => entry.fields.result === 'pass')).toBe(true);
    expect(h.events).toEqual([]);
  });

  it('runs beside a readiness probe of the same process', async () => {
    const url = await serve((_req, res) => res.end());
    const h = harness();
    h.runner.start(
      makeSpec({
        readiness: probe({ kind: 'http', url }),
        liveness: probe({ kind: 'tcp', host: '127.0.0.1', port: await closedPort() }),
      }),
      100,
    );
    await waitFor(() => h.events.length >= 2, { timeoutMs: 5000, what: 'both probes to report' });
    expect(new Set(h.events.map((event) => event.type))).toEqual(
      new Set(['ReadinessChanged', 'LivenessFailed']),
    );
  });
});

describe('scheduling', () => {
  it('never overlaps two attempts of a probe when a check is slower than the interval', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let answered = 0;
    const url = await serve((_req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        answered++;
        res.end();
      }, 100);
    });
    const h = harness();
    h.runner.start(makeSpec({ readiness: probe({ kind: 'http', url }, { intervalMs: 10 }) }), 100);
    await waitFor(() => answered >= 4, { timeoutMs: 5000, what: 'four slow answers' });
    expect(maxInFlight).toBe(1);
  });

  it('stop() halts the attempts of that process only', async () => {
    const hits = new Map<string, number>();
    const url = await serve((req, res) => {
      hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
      res.end();
    });
    const h = harness();
    h.runner.start(makeSpec({ readiness: probe({ kind: 'http', url: `${url}/web` }) }), 100);
    h.runner.start(
      makeSpec({ name: 'control', readiness: probe({ kind: 'http', url: `${url}/control` }) }),
      101,
    );
    await waitFor(() => (hits.get('/web') ?? 0) >= 3, { timeoutMs: 5000, what: 'three attempts of web.1' });
    h.runner.stop('web.1');
    const loggedAtStop = h.attempts('web.1').length;
    // An attempt in flight at stop may still reach the server: count once the control went on.
    const control = () => hits.get('/control') ?? 0;
    const mark = control();
    await waitFor(() => control() >= mark + 2, { timeoutMs: 5000, what: 'two more control attempts' });
    const webHits = hits.get('/web');
    const later = control();
    await waitFor(() => control() >= later + 5, { timeoutMs: 5000, what: 'five more control attempts' });
    expect(hits.get('/web')).toBe(webHits);
    expect(h.attempts('web.1')).toHaveLength(loggedAtStop);
  });

  it('stop() kills an exec attempt in flight, with its group', async () => {
    const pidFile = join(tempDir(), 'pids');
    const h = harness();
    h.runner.start(
      makeSpec({
        cwd: tempDir(),
        liveness: probe({ kind: 'exec', command: `${HANG} ${pidFile}` }, { timeoutMs: 60_000 }),
      }),
      100,
    );
    await waitFor(() => existsSync(pidFile), { timeoutMs: 5000, what: 'the probe to write its pids' });
    const [shell, child] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number];
    pids.push(shell, child);
    h.runner.stop('web.1');
    for (const pid of [shell, child]) {
      await waitFor(() => isDead(pid), { timeoutMs: 5000, what: `probe process ${pid} to be killed` });
    }
    expect(h.attempts('web.1')).toEqual([]);
    expect(h.events).toEqual([]);
  });
});
