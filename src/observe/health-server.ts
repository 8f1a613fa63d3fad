/**
 * The health port of SPEC §6: one small HTTP server that answers from the state the supervisor
 * last reported. This file is what the supervisor sees; the server itself (health-http.ts, with
 * node:http) is loaded only when the port is enabled, so `health.port: 0` costs nothing.
 */
import type { SupervisorState } from '../core/supervisor-state.js';
import type { HealthServerLimits } from './health-http.js';
import type { MetricsCounters } from './metrics.js';

/** procinit's logger, as far as the server needs it (pino's method shape). */
export interface HealthLogger {
  trace(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  isLevelEnabled?(level: string): boolean;
}

export interface HealthServerOptions {
  /** `health.port`; 0 disables the server (SPEC §2.2). `'ephemeral'` lets the OS choose (tests). */
  port: number | 'ephemeral';
  host: string;
  version: string;
  /** The state to answer from until the first `update`. */
  state: SupervisorState;
  /** When procinit started, epoch ms, for `uptime_s`. */
  startedAtMs: number;
  /** The runtime's counters for `/metrics`. */
  counters: MetricsCounters;
  logger: HealthLogger;
  /** Epoch ms; default Date.now. */
  nowMs?: () => number;
  limits?: Partial<HealthServerLimits>;
}

export interface HealthServer {
  /** Where it listens; null when the server is disabled. */
  readonly address: { host: string; port: number } | null;
  /** The supervisor's newest state: every later answer comes from it. */
  update(state: SupervisorState): void;
  /** Stops listening and ends every open connection. */
  close(): Promise<void>;
}

/** The server that is not there: `health.port: 0`. */
const DISABLED: HealthServer = { address: null, update() {}, close: async () => {} };

/**
 * Starts the health server and resolves once it listens (or at once when disabled). Fails with
 * a ProcinitError naming the address when it cannot listen (port in use, not permitted).
 */
export async function createHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  if (options.port === 0) return DISABLED;
  return (await import('./health-http.js')).listenHealthServer(options);
}
