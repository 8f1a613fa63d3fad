import { spawnSync } from 'node:child_process';

/** Why a test cannot run here, or undefined when it can. */
export type Unavailable = string | undefined;

function unshareUnavailable(): Unavailable {
  if (process.getuid?.() !== 0) return 'needs root (unshare --pid needs CAP_SYS_ADMIN)';
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
  if (probe.error) return `unshare is not available: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --pid --fork --mount-proc failed with exit ${probe.status}`;
  return undefined;
}

function rootUnavailable(): Unavailable {
  return process.getuid?.() === 0 ? undefined : 'needs root';
}

/**
 * Whether a capability-gated test runs. Outside CI a missing capability skips the test and
 * prints why; under CI=true it fails instead, so CI can never go green by skipping.
 */
function gate(reason: Unavailable): { skip: boolean } {
  if (reason === undefined) return { skip: false };
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but this test cannot run: ${reason}`);
  }
  console.warn(`skipping: ${reason}`);
  return { skip: true };
}

/** Gate for tests that run procinit as PID 1 under `unshare --pid --fork --mount-proc`. */
export function requireUnshare(): { skip: boolean } {
  return gate(unshareUnavailable());
}

/** Gate for tests that need root (chown, setuid). */
export function requireRoot(): { skip: boolean } {
  return gate(rootUnavailable());
}
