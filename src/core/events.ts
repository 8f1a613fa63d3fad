import type { SignalName } from './model.js';

/** Timers the core asks for; each comes back as a `TimerFired` event with the same key. */
export type TimerKey = `restart:${string}` | `stop-timeout:${string}` | 'drain';

/**
 * What happened, as the runtime reports it. Every event carries `nowMs` so the core never
 * reads a clock.
 */
export type SupervisorEvent =
  | { type: 'Booted'; nowMs: number }
  | { type: 'ProcessSpawned'; id: string; pid: number; nowMs: number }
  | { type: 'ProcessSpawnFailed'; id: string; reason: string; nowMs: number }
  | { type: 'ProcessExited'; id: string; code: number | null; signal: SignalName | null; nowMs: number }
  | { type: 'ReadinessChanged'; id: string; ready: boolean; nowMs: number }
  | { type: 'LivenessFailed'; id: string; reason: string; nowMs: number }
  | { type: 'TimerFired'; key: TimerKey; nowMs: number }
  | { type: 'SignalReceived'; signal: SignalName; nowMs: number };
