import { formatDuration } from '../config/duration.js';
import type { WaitForSpec } from '../config/resolved-config.js';
import { maskText } from '../core/secrets.js';
import type { EventLogger } from '../runtime/supervisor-loop.js';
import { formatElapsed, type PreflightLine, preflightLine } from './preflight-line.js';
import type { Attempt } from './wait-attempt.js';

/** First retry after 250 ms, doubling to at most 1 s: a listener that appears is seen soon. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 1_000;
/** One attempt never waits longer than this (a black-holed host would eat the whole timeout). */
const MAX_ATTEMPT_MS = 5_000;
/** Nor less than this, so the last attempt near the deadline still has a chance. */
const MIN_ATTEMPT_MS = 250;

/** The delay before retry number `attempt` (1 after the first failure). */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_MS);
}

/** `tcp db:5432` or `http http://u:****@search:9200/…`: what the report calls a target. */
export function describeTarget(target: WaitForSpec['target'], secretPatterns: readonly string[]): string {
  return target.kind === 'tcp'
    ? `tcp ${target.host}:${target.port}`
    : `http ${maskText(target.url, secretPatterns)}`;
}

export interface WaitForDeps {
  attempt: Attempt;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  logger: EventLogger;
  secretPatterns: readonly string[];
  signal?: AbortSignal | undefined;
}

/**
 * How to treat the target: `wait` retries until its timeout (SPEC §7); `once` makes one attempt
 * and reports it as a warning, not a failure, with `why` saying why nothing was waited for
 * (`procinit check`, or other checks failed already, so waiting would only delay the report).
 */
export type WaitMode = { kind: 'wait' } | { kind: 'once'; why: string };

function fixFor(spec: WaitForSpec, subject: string): string {
  const what = spec.target.kind === 'tcp' ? `${spec.target.host}:${spec.target.port}` : 'the URL';
  return `check that ${what} is up and reachable from this container (${subject}), or raise its timeout`;
}

/** Waits for one `preflight.wait_for` target; resolves with its report line (duration set). */
export async function waitForTarget(
  spec: WaitForSpec,
  mode: WaitMode,
  deps: WaitForDeps,
): Promise<PreflightLine> {
  const subject = describeTarget(spec.target, deps.secretPatterns);
  const startMs = deps.now();
  const deadlineMs = startMs + spec.timeoutMs;
  const line = (severity: 'ok' | 'warn' | 'fail', detail: string, fix?: string) =>
    preflightLine('wait_for', subject, severity, detail, {
      fix,
      durationMs: Math.max(0, deps.now() - startMs),
    });
  for (let attempt = 1; ; attempt++) {
    if (deps.signal?.aborted) return line('fail', `interrupted after ${attempt - 1} attempts`);
    const remainingMs = deadlineMs - deps.now();
    const attemptMs = Math.min(MAX_ATTEMPT_MS, Math.max(MIN_ATTEMPT_MS, remainingMs));
    const result = await deps.attempt(spec.target, attemptMs, deps.signal);
    deps.logger.trace(
      { event: 'preflight.wait_for.attempt', target: subject, attempt, ok: result.ok, result: result.detail },
      `wait_for ${subject}: attempt ${attempt}: ${result.detail}`,
    );
    const elapsed = formatElapsed(deps.now() - startMs);
    if (result.ok) {
      return line(
        'ok',
        attempt === 1
          ? `reachable (${result.detail})`
          : `reachable after ${elapsed}, ${attempt} attempts (${result.detail})`,
      );
    }
    // A URL that cannot be used fails in every mode: waiting would not help, and `check` is
    // where such a mistake should show up.
    if (result.unusable) return line('fail', result.detail, result.unusable.fix);
    if (mode.kind === 'once')
      return line('warn', `not reachable now (${result.detail}); not waited for: ${mode.why}`);
    const delayMs = Math.min(retryDelayMs(attempt), deadlineMs - deps.now());
    if (delayMs <= 0) {
      return line(
        'fail',
        `not reachable after ${formatDuration(spec.timeoutMs)}, ${attempt} attempts (last: ${result.detail})`,
        fixFor(spec, subject),
      );
    }
    if (attempt === 1) {
      deps.logger.info(
        { event: 'preflight.waiting', target: subject, timeoutMs: spec.timeoutMs },
        `waiting for ${subject} (up to ${formatDuration(spec.timeoutMs)}): ${result.detail}`,
      );
    }
    await deps.sleep(delayMs, deps.signal);
  }
}

/** A sleep that an AbortSignal cuts short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
