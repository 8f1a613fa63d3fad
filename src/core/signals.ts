import type { SignalName } from './model.js';

/**
 * Linux signal numbers, for exit codes (128 + N) and for the metrics. The core cannot ask
 * node:os, and these numbers are fixed by the kernel ABI on every architecture we run on.
 */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** The number of a signal name, or undefined for a name Linux does not have. */
export function signalNumber(signal: string): number | undefined {
  return SIGNAL_NUMBERS[signal];
}

/** Signals that shut procinit down gracefully (SPEC §5). */
export const SHUTDOWN_SIGNALS: readonly SignalName[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];

/** Signals forwarded unchanged to every running process (SPEC §5). */
export const FORWARDED_SIGNALS: readonly SignalName[] = [
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGTTIN',
  'SIGTTOU',
];
