/**
 * The health server over node:http (loaded by health-server.ts only when the port is enabled).
 * A request never runs a probe, reads a file or waits on a child: it renders what is held, so it
 * keeps answering while processes crash, restart and stop.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { healthHttpStatus, healthSnapshot, liveness } from '../core/health.js';
import type { SupervisorState } from '../core/supervisor-state.js';
import { ProcinitError } from '../errors.js';
import type { HealthLogger, HealthServer, HealthServerOptions } from './health-server.js';
import type { Metrics } from './metrics.js';

/** What keeps a slow, malformed or flooding client from hurting the server (SPEC §6). */
export interface HealthServerLimits {
  /** Request line plus headers. */
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  /** The whole request, body included. */
  requestTimeoutMs: number;
  maxConnections: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /**
   * How often Node looks for requests past the two timeouts above. Node's default is 30 s,
   * which would let a slow client hold a connection for up to 35 s despite a 5 s limit.
   */
  timeoutCheckIntervalMs: number;
}

export const DEFAULT_HEALTH_LIMITS: Readonly<HealthServerLimits> = {
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  maxConnections: 1_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckIntervalMs: 1_000,
};

type Route = 'health' | 'livez' | 'metrics';

/** One request in flight. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  startedPerfMs: number;
}

const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/health', 'health'],
  ['/healthz', 'health'],
  ['/readyz', 'health'],
  ['/livez', 'livez'],
  ['/metrics', 'metrics'],
]);

const JSON_TYPE = 'application/json; charset=utf-8';
const ALLOW = 'GET, HEAD';
const LOGGED_PATH_CHARS = 200;

/** A canned answer to a request Node could not parse; the connection is closed after it. */
function clientErrorResponse(code: string | undefined): string | null {
  const status =
    code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : code === 'ECONNRESET'
          ? null
          : '400 Bad Request';
  return status && `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

/** Answers requests from the state it holds; knows nothing of sockets or listening. */
class HealthResponder {
  state: SupervisorState;
  private metrics: Promise<Metrics> | undefined;
  private readonly nowMs: () => number;

  constructor(private readonly options: HealthServerOptions) {
    this.state = options.state;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** The request handler; never throws (a bug becomes a 500, logged). */
  handle(exchange: Exchange): void {
    try {
      this.route(exchange);
    } catch (error) {
      this.options.logger.warn({ event: 'health.request-failed' }, `health request failed: ${String(error)}`);
      if (!exchange.res.headersSent) this.sendJson(exchange, 500, { error: 'internal error' });
      else exchange.res.destroy();
    }
  }

  private route(exchange: Exchange): void {
    const { req } = exchange;
    const route = ROUTES.get(pathOf(req.url));
    if (route === undefined)
      return this.sendJson(exchange, 404, { error: 'not found', paths: [...ROUTES.keys()] });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return this.sendJson(exchange, 405, { error: 'method not allowed', allow: ['GET', 'HEAD'] });
    }
    if (route === 'metrics') return void this.serveMetrics(exchange);
    if (route === 'livez') {
      const verdict = liveness(this.state);
      const body = verdict.live ? { status: 'alive' } : { status: 'not alive', ...verdict };
      return this.sendJson(exchange, verdict.live ? 200 : 503, body);
    }
    const { startedAtMs, version } = this.options;
    const snapshot = healthSnapshot(this.state, { nowMs: this.nowMs(), startedAtMs, version });
    this.sendJson(exchange, healthHttpStatus(snapshot.status), snapshot);
  }

  private async serveMetrics(exchange: Exchange): Promise<void> {
    try {
      const { contentType, body } = await (await this.loadMetrics()).render();
      this.send(exchange, 200, body, contentType);
    } catch (error) {
      this.options.logger.warn({ event: 'health.metrics-failed' }, `/metrics failed: ${String(error)}`);
      if (!exchange.res.headersSent) this.sendJson(exchange, 500, { error: 'metrics failed' });
    }
  }

  /** prom-client is imported at the first scrape; a failed import is retried at the next one. */
  private loadMetrics(): Promise<Metrics> {
    if (this.metrics) return this.metrics;
    const { counters } = this.options;
    const loading = import('./metrics.js').then((module) =>
      module.createMetrics({
        orphansReaped: () => counters.orphansReaped(),
        lineCounts: () => counters.lineCounts(),
        state: () => this.state,
      }),
    );
    loading.catch(() => {
      this.metrics = undefined;
    });
    this.metrics = loading;
    return loading;
  }

  private sendJson(exchange: Exchange, status: number, body: object): void {
    this.send(exchange, status, JSON.stringify(body), JSON_TYPE);
  }

  private send(exchange: Exchange, status: number, body: string, type: string): void {
    exchange.res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      ...(status === 405 ? { allow: ALLOW } : {}),
    });
    // Node sends no body for HEAD, but keeps the headers (content-length included).
    exchange.res.end(body);
    this.logRequest(exchange, status);
  }

  private logRequest({ req, startedPerfMs }: Exchange, status: number): void {
    const { logger } = this.options;
    if (logger.isLevelEnabled && !logger.isLevelEnabled('trace')) return;
    const path = pathOf(req.url).slice(0, LOGGED_PATH_CHARS);
    const durationMs = Math.round((performance.now() - startedPerfMs) * 1000) / 1000;
    logger.trace(
      { event: 'health.request', method: req.method, path, status, durationMs },
      `${req.method} ${path} → ${status}`,
    );
  }
}

/** Starts the server on `options.port` (not 0) and resolves once it listens. */
export async function listenHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const limits = { ...DEFAULT_HEALTH_LIMITS, ...options.limits };
  const { logger } = options;
  const responder = new HealthResponder(options);
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
      // `printf 'GET /health HTTP/1.1\r\n\r\n' | nc` is a fair probe in a slim image.
      requireHostHeader: false,
    },
    (req, res) => responder.handle({ req, res, startedPerfMs: performance.now() }),
  );
  server.maxConnections = limits.maxConnections;
  watchServer(server, logger);
  const address = await listen(server, options.port === 'ephemeral' ? 0 : options.port, options.host);
  // Without a listener, an accept() failure (EMFILE) would be an uncaught exception in PID 1.
  server.on('error', (error) => {
    logger.warn({ event: 'health.server-error' }, `health server: ${error.message}`);
  });
  let closed: Promise<void> | undefined;
  return {
    address,
    update(next) {
      responder.state = next;
    },
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Client errors and dropped connections are logged at trace level, never thrown. */
function watchServer(server: Server, logger: HealthLogger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    logger.trace({ event: 'health.client-error', code: error.code ?? null }, `bad request: ${error.message}`);
    const response = clientErrorResponse(error.code);
    if (response && socket.writable) socket.end(response);
    socket.destroySoon();
  });
  server.on('drop', () => {
    logger.trace({ event: 'health.connection-dropped' }, 'connection refused: too many open connections');
  });
}

function describeListenError(error: NodeJS.ErrnoException, where: string, port: number): ProcinitError {
  const fix = 'choose another health.port (--health-port, PROCINIT_HEALTH_PORT), or 0 to disable the server';
  const details =
    error.code === 'EADDRINUSE'
      ? { why: 'another program already listens there', fix }
      : error.code === 'EACCES'
        ? { why: `ports below 1024 need root or CAP_NET_BIND_SERVICE (port ${port})`, fix }
        : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
          ? { why: 'no network interface of this machine has that address', fix: 'check health.host' }
          : { why: error.message };
  return new ProcinitError(
    { code: 'health.listen-failed', what: `the health server cannot listen on ${where}`, ...details },
    78,
  );
}

function listen(server: Server, port: number, host: string): Promise<{ host: string; port: number }> {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(describeListenError(error, where, port));
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      const bound = server.address();
      resolve({ host, port: typeof bound === 'object' && bound ? bound.port : port });
    });
  });
}
