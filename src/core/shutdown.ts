import { hasLiveDependent } from './dependencies.js';
import { log } from './effects.js';
import { exitCodeOf } from './exit-status.js';
import type { SignalName } from './model.js';
import type { Draft, ShutdownCause, SupervisorState } from './supervisor-state.js';

function describeCause(cause: ShutdownCause): string {
  switch (cause.kind) {
    case 'signal':
      return `received ${cause.signal}`;
    case 'critical':
      return `critical process ${cause.id} ended with ${cause.exitCode}`;
    case 'finished':
      return 'every process has ended';
  }
}

/**
 * Starts a graceful shutdown: nothing restarts any more, readiness turns 503 (phase leaves
 * `running`), and after `drain` the processes are signalled, dependents first.
 */
export function beginShutdown(draft: Draft, cause: ShutdownCause): void {
  if (draft.state.phase !== 'running') return;
  draft.state.shutdown = { cause, escalated: false, signalReceived: cause.kind === 'signal' };
  draft.emit(
    log('info', 'shutdown.started', `shutting down: ${describeCause(cause)}`, { cause: cause.kind }),
  );
  for (const status of draft.all()) {
    if (status.state === 'backoff') draft.emit({ type: 'CancelTimer', key: `restart:${status.spec.id}` });
    if (status.state === 'backoff' || status.state === 'pending')
      draft.update(status.spec.id, { state: 'exited' });
  }
  if (draft.state.options.drainMs > 0) {
    draft.state.phase = 'draining';
    draft.emit(
      { type: 'StartTimer', key: 'drain', delayMs: draft.state.options.drainMs },
      log('debug', 'shutdown.draining', `draining for ${draft.state.options.drainMs} ms before stopping`, {
        drainMs: draft.state.options.drainMs,
      }),
    );
    return;
  }
  draft.state.phase = 'stopping';
}

/** The drain delay is over: processes are signalled now. */
export function onDrainEnded(draft: Draft): void {
  if (draft.state.phase === 'draining') draft.state.phase = 'stopping';
}

function stopSignalFor(draft: Draft, configured: SignalName | undefined): SignalName {
  if (configured) return configured;
  const cause = draft.state.shutdown?.cause;
  return cause?.kind === 'signal' && cause.signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
}

/**
 * Signals each running process whose dependents have all stopped, and finishes once nothing
 * runs. Called after every event while stopping, so dependencies stop as dependents end.
 */
export function continueShutdown(draft: Draft): void {
  // Draining only holds back signals; when nothing runs any more there is nothing to drain.
  if (draft.state.phase === 'draining' && !anyRunning(draft)) {
    draft.emit({ type: 'CancelTimer', key: 'drain' });
    draft.state.phase = 'stopping';
  }
  if (draft.state.phase !== 'stopping') return;
  for (const status of draft.all()) {
    if (status.pid === null || status.stopRequested || hasLiveDependent(draft, status.spec.name)) continue;
    const { spec } = status;
    const signal = stopSignalFor(draft, spec.stopSignal);
    draft.update(spec.id, { state: 'stopping', stopRequested: true });
    draft.emit(
      { type: 'SendSignal', id: spec.id, pid: status.pid, signal, target: spec.signalTarget },
      { type: 'StartTimer', key: `stop-timeout:${spec.id}`, delayMs: spec.stopTimeoutMs },
    );
  }
  if (!anyRunning(draft)) finish(draft);
}

function anyRunning(draft: Draft): boolean {
  return draft.all().some((status) => status.pid !== null || status.state === 'starting');
}

/** SIGKILL for a process that outlived its stop timeout, or for everyone on a second signal. */
export function escalate(draft: Draft, ids: readonly string[], reason: string): void {
  for (const id of ids) {
    const status = draft.proc(id);
    if (status.pid === null) continue;
    draft.emit(
      { type: 'KillProcessTree', id, pid: status.pid },
      log('warn', 'shutdown.escalated', `${id}: sending SIGKILL (${reason})`, { process: id, reason }),
    );
    if (draft.state.shutdown) draft.state.shutdown = { ...draft.state.shutdown, escalated: true };
  }
}

/** The exit code of SPEC §8: what started the shutdown decides it. */
export function shutdownExitCode(state: SupervisorState): number {
  if (state.options.singleCommand) {
    const only = state.order[0] ? state.processes[state.order[0]] : undefined;
    if (only?.lastExit) return exitCodeOf(only.lastExit);
  }
  const cause = state.shutdown?.cause;
  switch (cause?.kind) {
    case 'critical':
      return cause.exitCode;
    case 'signal':
      return state.shutdown?.escalated ? 1 : 0;
    default:
      return state.firstFailureCode ?? 0;
  }
}

/** Every process has stopped: procinit exits. */
export function finish(draft: Draft): void {
  if (draft.state.phase === 'exited') return;
  draft.state.phase = 'exited';
  const code = shutdownExitCode(draft.state);
  draft.state.exitCode = code;
  draft.emit(log('debug', 'procinit.exiting', `exiting with code ${code}`, { code }), { type: 'Exit', code });
}
