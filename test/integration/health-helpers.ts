/**
 * Shared by the health integration tests: a real health server on an ephemeral port, a plain
 * HTTP client without connection pooling, and a raw socket for bytes no HTTP client would send.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { SupervisorState } from '../../src/core/supervisor-state.js';
import type { HealthServerLimits } from '../../src/observe/health-http.js';
import { createHealthServer, type HealthServer } from '../../src/observe/health-server.js';
import type { LineCount } from '../../src/observe/metrics.js';
import { Harness, makeSpec } from '../unit/core/driver.js';

export const START_MS = Date.parse('2026-11-22T10:00:00.000Z');

export interface LogRecord {
  level: 'trace' | 'warn';
  fields: Record<string, unknown>;
  msg: string;
}

export interface TestServer {
  server: HealthServer;
  port: number;
  logs: LogRecord[];
  update(state: SupervisorState): void;
}

const servers = new Set<HealthServer>();

/** A health server on 127.0.0.1 and a port the OS picks. Closed by `closeServers`. */
export async function serve(
  state: SupervisorState,
  options: { limits?: Partial<HealthServerLimits>; lines?: LineCount[]; orphans?: number } = {},
): Promise<TestServer> {
  const logs: LogRecord[] = [];
  const server = await createHealthServer({
    port: 'ephemeral',
    host: '127.0.0.1',
    version: '0.1.0',
    state,
    startedAtMs: START_MS,
    nowMs: () => START_MS + 42_100,
    counters: { orphansReaped: () => options.orphans ?? 0, lineCounts: () => options.lines ?? [] },
    logger: {
      trace: (fields, msg) => logs.push({ level: 'trace', fields: fields as Record<string, unknown>, msg }),
      warn: (fields, msg) => logs.push({ level: 'warn', fields: fields as Record<string, unknown>, msg }),
    },
    ...(options.limits ? { limits: options.limits } : {}),
  });
  servers.add(server);
  if (!server.address) throw new Error('the server did not listen');
  return { server, port: server.address.port, logs, update: (next) => server.update(next) };
}

export async function closeServers(): Promise<void> {
  await Promise.all([...servers].map((server) => server.close()));
  servers.clear();
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on its own connection. */
export function fetchPath(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw connection: what it receives, and when the server closed it. */
export interface RawClient {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

export function rawConnect(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let isClosed = false;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset from the server is one way of closing: the test looks at `received()`.
    socket.on('error', () => {});
    const closed = new Promise<void>((resolveClosed) =>
      socket.on('close', () => {
        isClosed = true;
        resolveClosed();
      }),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => Buffer.concat(chunks).toString('latin1'),
        closed,
        isClosed: () => isClosed,
      }),
    );
    socket.once('error', reject);
  });
}

const PROBE = {
  check: { kind: 'http' as const, url: 'http://127.0.0.1:8000/health' },
  intervalMs: 2000,
  timeoutMs: 1000,
  initialDelayMs: 0,
  failureThreshold: 3,
  successThreshold: 1,
};

/**
 * web.1 (readiness probe, command and env holding secrets) and worker.1, spawned at START_MS.
 * The overall status is `starting` until `web.1` is reported ready.
 */
export function twoProcesses(options: { drainMs?: number } = {}): Harness {
  const h = new Harness(
    [
      makeSpec({
        name: 'web',
        readiness: PROBE,
        command: 'gunicorn --password=hunter2-cmd app:app',
        argv: ['/bin/sh', '-c', 'exec gunicorn --password=hunter2-cmd app:app'],
        env: { DATABASE_URL: 'postgres://u:hunter2-env@db/app', PLAIN: 'plain-value-xyz' },
      }),
      makeSpec({ name: 'worker', command: 'celery worker', env: { SECRET_KEY: 'hunter2-key' } }),
    ],
    options,
  );
  h.boot(START_MS);
  h.spawned('web.1', START_MS + 100, 17);
  h.spawned('worker.1', START_MS + 200, 18);
  return h;
}

/** Strings that must never appear in a health answer. */
export const LEAKS = [
  'hunter2',
  'plain-value-xyz',
  'gunicorn',
  'celery',
  'DATABASE_URL',
  'SECRET_KEY',
  '/bin/sh',
];
