import { describe, expect, it } from 'vitest';
import type { ExitStatus } from '../../../src/core/exit-status.js';
import type { RestartPolicy } from '../../../src/core/model.js';
import { exceedsRestartLimit, policyWantsRestart } from '../../../src/core/restart-policy.js';

const EXIT_0: ExitStatus = { code: 0, signal: null };
const EXIT_1: ExitStatus = { code: 1, signal: null };
const KILLED: ExitStatus = { code: null, signal: 'SIGKILL' };

describe('policyWantsRestart', () => {
  it.each<[RestartPolicy, string, ExitStatus, boolean]>([
    ['always', 'exit 0', EXIT_0, true],
    ['always', 'exit 1', EXIT_1, true],
    ['always', 'SIGKILL', KILLED, true],
    ['on-failure', 'exit 0', EXIT_0, false],
    ['on-failure', 'exit 1', EXIT_1, true],
    ['on-failure', 'SIGKILL', KILLED, true],
    ['never', 'exit 0', EXIT_0, false],
    ['never', 'exit 1', EXIT_1, false],
    ['never', 'SIGKILL', KILLED, false],
  ])('%s after %s → %s', (policy, _label, exit, wanted) => {
    expect(policyWantsRestart(policy, exit)).toBe(wanted);
  });
});

describe('exceedsRestartLimit', () => {
  it.each<[string, number[], number, number, boolean]>([
    ['no limit, many recent starts', [1, 2, 3, 4, 5], 6, 0, false],
    ['3 allowed, none yet', [], 10, 3, false],
    ['3 allowed, 2 recent: the 3rd is fine', [1000, 2000], 3000, 3, false],
    ['3 allowed, 3 recent: a 4th fails', [1000, 2000, 3000], 4000, 3, true],
    ['3 allowed, 3 started but the oldest left the window', [1000, 2000, 3000], 61_000, 3, false],
    ['a start exactly one window ago is outside it', [1000, 2000, 3000], 61_000, 3, false],
    ['one ms less and it is inside', [1000, 2000, 3000], 60_999, 3, true],
    ['1 allowed, 1 recent', [0], 59_999, 1, true],
  ])('%s', (_label, startsMs, plannedStartMs, maxRestarts, exceeded) => {
    expect(exceedsRestartLimit(startsMs, plannedStartMs, maxRestarts, 60_000)).toBe(exceeded);
  });
});
