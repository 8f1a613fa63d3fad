import { describe, expect, it } from 'vitest';
import type { ExitStatus } from '../../../src/core/exit-status.js';
import { describeExit, exitCodeOf, exitedCleanly } from '../../../src/core/exit-status.js';
import type { SignalName } from '../../../src/core/model.js';
import { FORWARDED_SIGNALS, SHUTDOWN_SIGNALS, signalNumber } from '../../../src/core/signals.js';

describe('exitCodeOf', () => {
  it.each<[ExitStatus, number]>([
    [{ code: 0, signal: null }, 0],
    [{ code: 5, signal: null }, 5],
    [{ code: 255, signal: null }, 255],
    [{ code: null, signal: 'SIGKILL' }, 137],
    [{ code: null, signal: 'SIGTERM' }, 143],
    [{ code: null, signal: 'SIGINT' }, 130],
    [{ code: null, signal: 'SIGSEGV' }, 139],
    [{ code: null, signal: 'SIGHUP' }, 129],
  ])('%o → %i', (status, code) => {
    expect(exitCodeOf(status)).toBe(code);
  });
});

describe('exitedCleanly', () => {
  it.each<[ExitStatus, boolean]>([
    [{ code: 0, signal: null }, true],
    [{ code: 1, signal: null }, false],
    [{ code: null, signal: 'SIGTERM' }, false],
  ])('%o → %s', (status, clean) => {
    expect(exitedCleanly(status)).toBe(clean);
  });
});

describe('describeExit', () => {
  it('names the code or the signal', () => {
    expect(describeExit({ code: 3, signal: null })).toBe('exit 3');
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('killed by SIGKILL');
  });
});

describe('signals', () => {
  it.each<[SignalName, number]>([
    ['SIGHUP', 1],
    ['SIGINT', 2],
    ['SIGQUIT', 3],
    ['SIGKILL', 9],
    ['SIGUSR1', 10],
    ['SIGUSR2', 12],
    ['SIGTERM', 15],
    ['SIGCHLD', 17],
    ['SIGTTIN', 21],
    ['SIGTTOU', 22],
    ['SIGWINCH', 28],
  ])('%s is %i on Linux', (signal, number) => {
    expect(signalNumber(signal)).toBe(number);
  });

  it('knows no number for a name Linux does not have', () => {
    expect(signalNumber('SIGINFO')).toBeUndefined();
  });

  it('lists the shutdown and forwarded signals of SPEC §5, disjoint', () => {
    expect([...SHUTDOWN_SIGNALS].sort()).toEqual(['SIGINT', 'SIGQUIT', 'SIGTERM']);
    expect([...FORWARDED_SIGNALS].sort()).toEqual([
      'SIGHUP',
      'SIGTTIN',
      'SIGTTOU',
      'SIGUSR1',
      'SIGUSR2',
      'SIGWINCH',
    ]);
  });
});
