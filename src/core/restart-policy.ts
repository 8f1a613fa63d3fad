import type { ExitStatus } from './exit-status.js';
import { exitedCleanly } from './exit-status.js';
import type { RestartPolicy } from './model.js';

/** Whether the policy asks for a restart after this exit (SPEC §4). */
export function policyWantsRestart(policy: RestartPolicy, status: ExitStatus): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'on-failure':
      return !exitedCleanly(status);
    case 'never':
      return false;
  }
}

/**
 * Whether starting again at `plannedStartMs` would make `maxRestarts + 1` restarts started
 * within any window of `windowMs`: the process has then failed for good. 0 means no limit.
 */
export function exceedsRestartLimit(
  restartStartsMs: readonly number[],
  plannedStartMs: number,
  maxRestarts: number,
  windowMs: number,
): boolean {
  if (maxRestarts <= 0) return false;
  const windowStartMs = plannedStartMs - windowMs;
  const recent = restartStartsMs.filter((startMs) => startMs > windowStartMs).length;
  return recent + 1 > maxRestarts;
}
