import type { SupervisorEffect } from './effects.js';
import { log } from './effects.js';
import type { SupervisorEvent } from './events.js';
import { finishIfAllEnded, onExited, onRestartDue, onSpawned, startEligible } from './lifecycle.js';
import type { SignalName } from './model.js';
import { beginShutdown, continueShutdown, escalate, onDrainEnded } from './shutdown.js';
import { FORWARDED_SIGNALS, SHUTDOWN_SIGNALS } from './signals.js';
import type { SupervisorState } from './supervisor-state.js';
import { Draft } from './supervisor-state.js';

export interface Transition {
  state: SupervisorState;
  effects: SupervisorEffect[];
}

/**
 * The whole supervisor as one pure function: an event and the state before it give the state
 * after it and the effects for the runtime to carry out. No clock, no I/O.
 */
export function transition(state: SupervisorState, event: SupervisorEvent): Transition {
  const draft = new Draft(state);
  if (state.phase !== 'exited') dispatch(draft, event);
  continueShutdown(draft);
  markAllReady(draft);
  return { state: draft.state, effects: draft.effects };
}

function dispatch(draft: Draft, event: SupervisorEvent): void {
  if ('id' in event && !draft.has(event.id)) return;
  switch (event.type) {
    case 'Booted':
      startEligible(draft);
      finishIfAllEnded(draft);
      return;
    case 'ProcessSpawned':
      return onSpawned(draft, event.id, event.pid, event.nowMs);
    case 'ProcessSpawnFailed':
      draft.emit(
        log('error', 'process.spawn-failed', `${event.id} could not start: ${event.reason}`, {
          process: event.id,
        }),
      );
      // 127 is what a shell reports for a command it cannot run, so restart policy and exit
      // codes treat a failed spawn like any other failed run.
      return onExited(draft, event.id, { code: 127, signal: null }, event.nowMs);
    case 'ProcessExited':
      return onExited(draft, event.id, { code: event.code, signal: event.signal }, event.nowMs);
    case 'ReadinessChanged':
      return onReadinessChanged(draft, event.id, event.ready);
    case 'LivenessFailed':
      return onLivenessFailed(draft, event.id, event.reason);
    case 'TimerFired':
      return onTimer(draft, event.key, event.nowMs);
    case 'SignalReceived':
      return onSignal(draft, event.signal);
  }
}

function onTimer(draft: Draft, key: string, nowMs: number): void {
  if (key === 'drain') return onDrainEnded(draft);
  const [kind, id] = key.split(/:(.*)/s) as [string, string];
  if (!draft.has(id)) return;
  if (kind === 'restart') return onRestartDue(draft, id, nowMs);
  if (kind === 'stop-timeout') {
    const status = draft.proc(id);
    // A timer that fired just before its CancelTimer was carried out must not SIGKILL the next
    // run: only a run that was asked to stop can outlive its stop timeout.
    if (!status.stopRequested && !status.restartRequested) return;
    escalate(draft, [id], `still running ${status.spec.stopTimeoutMs} ms after its stop signal`);
  }
}

function onSignal(draft: Draft, signal: SignalName): void {
  if (SHUTDOWN_SIGNALS.includes(signal)) {
    if (draft.state.phase === 'running') return beginShutdown(draft, { kind: 'signal', signal });
    const { shutdown } = draft.state;
    // A shutdown a critical process started is already graceful: the first signal after it
    // (docker stop) is not a "second" one, and must not cut the stop timeouts short.
    if (shutdown && !shutdown.signalReceived) {
      draft.state.shutdown = { ...shutdown, signalReceived: true };
      return;
    }
    if (signal === 'SIGQUIT') return;
    // A second SIGTERM/SIGINT means "now": skip the drain and the remaining grace period.
    onDrainEnded(draft);
    const live = draft.all().filter((status) => status.pid !== null);
    return escalate(
      draft,
      live.map((status) => status.spec.id),
      `second ${signal} during shutdown`,
    );
  }
  if (!FORWARDED_SIGNALS.includes(signal)) return;
  for (const status of draft.all()) {
    if (status.pid === null) continue;
    draft.emit({
      type: 'SendSignal',
      id: status.spec.id,
      pid: status.pid,
      signal,
      target: status.spec.signalTarget,
    });
  }
}

function onReadinessChanged(draft: Draft, id: string, ready: boolean): void {
  const status = draft.proc(id);
  if (status.pid === null || status.ready === ready) return;
  draft.update(id, { ready, everReady: status.everReady || ready });
  draft.emit(
    log('debug', 'probe.readiness', `${id} is ${ready ? 'ready' : 'not ready'}`, { process: id, ready }),
  );
  startEligible(draft);
}

/** Liveness failures restart the process whatever its policy: the run is ended, then resumed. */
function onLivenessFailed(draft: Draft, id: string, reason: string): void {
  const status = draft.proc(id);
  if (draft.state.phase !== 'running' || status.pid === null || status.restartRequested) return;
  const { spec } = status;
  draft.update(id, { restartRequested: true });
  draft.emit(
    log('warn', 'probe.liveness-failed', `${id} failed its liveness probe (${reason}): restarting it`, {
      process: id,
    }),
    {
      type: 'SendSignal',
      id,
      pid: status.pid,
      signal: spec.stopSignal ?? 'SIGTERM',
      target: spec.signalTarget,
    },
    { type: 'StartTimer', key: `stop-timeout:${id}`, delayMs: spec.stopTimeoutMs },
  );
}

/** Health is `starting` until every process that should run was running and ready at once. */
function markAllReady(draft: Draft): void {
  if (draft.state.everAllReady || draft.state.phase !== 'running') return;
  const all = draft
    .all()
    .every(
      (status) =>
        (status.pid !== null && status.ready) ||
        (status.state === 'exited' && status.lastExit?.code === 0 && status.lastExit.signal === null),
    );
  if (all) draft.state.everAllReady = true;
}
