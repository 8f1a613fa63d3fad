import type { SignalName } from './model.js';
import { signalNumber } from './signals.js';

/** How a process ended: an exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: SignalName | null;
}

/** The shell convention for one number: the exit code, or 128 + N for a death by signal N. */
export function exitCodeOf(status: ExitStatus): number {
  if (status.code !== null) return status.code;
  if (status.signal !== null) return 128 + (signalNumber(status.signal) ?? 0);
  return 0;
}

/** True for a clean exit: code 0, not killed by a signal. */
export function exitedCleanly(status: ExitStatus): boolean {
  return status.code === 0 && status.signal === null;
}

/** `exit 3` or `killed by SIGKILL`, for logs. */
export function describeExit(status: ExitStatus): string {
  if (status.signal !== null) return `killed by ${status.signal}`;
  return `exit ${status.code ?? '?'}`;
}
