import { groupMembers, readProcTable } from './proc-table.js';

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

/** Whether any live (non-zombie) process is still in process group `pgid`. */
export function groupHasLiveMembers(pgid: number): boolean {
  return groupMembers(readProcTable(), pgid).some((entry) => entry.state !== 'Z');
}

/**
 * Resolves once process group `pgid` has no live member. SPEC §5: a group-targeted process
 * (a compound command) has stopped only when its shell has exited and nothing of its group is
 * left, or a restart could run beside its own leftovers. Nothing tells us when the last member
 * of a group goes (they are not our children), so /proc is polled, quickly at first.
 */
export function waitForGroupToEmpty(pgid: number): Promise<void> {
  return new Promise((resolve) => {
    let delayMs = FIRST_POLL_MS;
    const poll = () => {
      if (!groupHasLiveMembers(pgid)) return resolve();
      delayMs = Math.min(delayMs * 2, MAX_POLL_MS);
      setTimeout(poll, delayMs);
    };
    poll();
  });
}
