import type { SignalName } from '../core/model.js';
import { FORWARDED_SIGNALS, SHUTDOWN_SIGNALS } from '../core/signals.js';

/**
 * Routes every signal procinit acts on into the event queue. Installing a handler also
 * replaces Node's default of dying on SIGTERM/SIGINT, which as PID 1 would orphan everything.
 */
export function listenForSignals(onSignal: (signal: SignalName) => void): () => void {
  const signals = [...SHUTDOWN_SIGNALS, ...FORWARDED_SIGNALS];
  const handlers = signals.map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
