import type { BackoffSpec } from './model.js';

/**
 * The delay before restart number `attempt` (0-based) of a crash streak: `initial`, doubling
 * each time, capped at `max`. Pure arithmetic so it is tested without clocks.
 */
export function backoffDelayMs(attempt: number, backoff: BackoffSpec): number {
  if (backoff.initialMs <= 0) return 0;
  // 2 ** 40 already dwarfs any sane max; capping the exponent keeps the product finite.
  const factor = 2 ** Math.min(Math.max(attempt, 0), 40);
  return Math.min(backoff.initialMs * factor, backoff.maxMs);
}

/**
 * The streak position for the next restart: a process that stayed up `resetAfter` earned a
 * fresh start, so a crash after a long healthy run is retried quickly again.
 */
export function nextAttempt(previousAttempt: number, uptimeMs: number, backoff: BackoffSpec): number {
  return uptimeMs >= backoff.resetAfterMs ? 0 : previousAttempt;
}
