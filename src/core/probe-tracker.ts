import type { ProbeSpec } from './model.js';

/**
 * The verdict of a probe from its attempts (SPEC §2.2): pure, no clock. The runtime runs the
 * attempts and feeds each result here; whatever it reports to the supervisor comes from here.
 */

/** Which question a probe answers: is the process ready for traffic, or alive at all. */
export type ProbeRole = 'readiness' | 'liveness';

/** What a result changed: the readiness verdict flipped, or liveness gave up on the process. */
export type ProbeTransition = 'ready' | 'not-ready' | 'live-failed';

export interface ProbeTracker {
  role: ProbeRole;
  failureThreshold: number;
  successThreshold: number;
  /** Consecutive passed attempts, up to the latest. */
  successes: number;
  /** Consecutive failed attempts, up to the latest (liveness: since the last `live-failed`). */
  failures: number;
  /** Readiness: the current verdict, false until `successThreshold` passes. Liveness: unused. */
  ready: boolean;
}

export interface ProbeRecord {
  tracker: ProbeTracker;
  transition?: ProbeTransition;
}

/**
 * A tracker for one run of a process. A `log` readiness probe is ready on its first matching
 * line (SPEC §2.2), whatever `success_threshold` says, and never fails afterwards.
 */
export function createProbeTracker(
  role: ProbeRole,
  spec: Pick<ProbeSpec, 'check' | 'failureThreshold' | 'successThreshold'>,
): ProbeTracker {
  return {
    role,
    failureThreshold: spec.failureThreshold,
    successThreshold: spec.check.kind === 'log' ? 1 : spec.successThreshold,
    successes: 0,
    failures: 0,
    ready: false,
  };
}

/**
 * Counts one attempt. Readiness turns ready after `successThreshold` passes in a row and not
 * ready after `failureThreshold` failures in a row; a transition is reported only when the
 * verdict changes. Liveness reports `live-failed` after `failureThreshold` failures in a row,
 * then counts from zero again, so a process that keeps failing is reported once per streak of
 * `failureThreshold` (the supervisor ignores reports for a run it is already restarting). Any
 * pass ends a liveness failure streak: the failures must be consecutive.
 */
export function recordProbeResult(tracker: ProbeTracker, ok: boolean): ProbeRecord {
  const counted: ProbeTracker = ok
    ? { ...tracker, successes: tracker.successes + 1, failures: 0 }
    : { ...tracker, successes: 0, failures: tracker.failures + 1 };
  if (counted.role === 'liveness') {
    if (counted.failures < counted.failureThreshold) return { tracker: counted };
    return { tracker: { ...counted, failures: 0 }, transition: 'live-failed' };
  }
  if (!counted.ready && counted.successes >= counted.successThreshold) {
    return { tracker: { ...counted, ready: true }, transition: 'ready' };
  }
  if (counted.ready && counted.failures >= counted.failureThreshold) {
    return { tracker: { ...counted, ready: false }, transition: 'not-ready' };
  }
  return { tracker: counted };
}

/**
 * How long after an attempt ended the next one starts: `interval` apart from start to start, as
 * Kubernetes' periodSeconds, but never overlapping: an attempt slower than the interval is
 * followed at once by the next.
 */
export function nextAttemptDelayMs(intervalMs: number, attemptDurationMs: number): number {
  return Math.max(intervalMs - Math.max(attemptDurationMs, 0), 0);
}
