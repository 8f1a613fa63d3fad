import type { TimerKey } from './events.js';
import type { SignalName, SignalTarget } from './model.js';

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** What the core asks the runtime to do. The runtime turns each into syscalls or timers. */
export type SupervisorEffect =
  | { type: 'SpawnProcess'; id: string }
  | { type: 'SendSignal'; id: string; pid: number; signal: SignalName; target: SignalTarget }
  /** SIGKILL to the process group and every remaining descendant, also those that left it. */
  | { type: 'KillProcessTree'; id: string; pid: number }
  | { type: 'StartTimer'; key: TimerKey; delayMs: number }
  | { type: 'CancelTimer'; key: TimerKey }
  | { type: 'Log'; level: LogLevelName; event: string; msg: string; fields: Record<string, unknown> }
  | { type: 'Exit'; code: number };

/** A log effect with a stable `event` name (STYLE: logs with stable shapes). */
export function log(
  level: LogLevelName,
  event: string,
  msg: string,
  fields: Record<string, unknown> = {},
): SupervisorEffect {
  return { type: 'Log', level, event, msg, fields };
}
