import type { BackoffSpec, RestartPolicy } from '../core/model.js';
import type { LogFormat, LogLevel } from './resolved-config.js';

/**
 * Every default of SPEC §2.2, in one place. The schema's field descriptions repeat them for
 * the generated reference: change both together.
 */
export const DEFAULTS = {
  procfile: 'Procfile',
  healthPort: 8099,
  healthHost: '0.0.0.0',
  // Below Docker's 10 s stop grace period, so escalation stays in procinit's hands.
  shutdownTimeoutMs: 8_000,
  drainMs: 0,
  logLevel: 'info' as LogLevel,
  logFormat: 'pretty' as LogFormat,
  timestamps: false,
  restart: 'always' as RestartPolicy,
  backoff: { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 10_000 } satisfies BackoffSpec,
  maxRestarts: 0,
  restartWindowMs: 60_000,
  critical: false,
  instances: 1,
  // Probe timing follows Kubernetes' defaults, which container users already know.
  probe: {
    intervalMs: 10_000,
    timeoutMs: 1_000,
    initialDelayMs: 0,
    failureThreshold: 3,
    successThreshold: 1,
  },
  waitForTimeoutMs: 30_000,
  // Long enough for a real migration, short enough that a hung one does not block forever.
  taskTimeoutMs: 3_600_000,
} as const;
