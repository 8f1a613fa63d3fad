import { backoffDelayMs, nextAttempt } from './backoff.js';
import { dependenciesMet, dependenciesReachable } from './dependencies.js';
import { log } from './effects.js';
import type { ExitStatus } from './exit-status.js';
import { describeExit, exitCodeOf } from './exit-status.js';
import { exceedsRestartLimit, policyWantsRestart } from './restart-policy.js';
import { beginShutdown, finish } from './shutdown.js';
import type { Draft, ProcessStatus } from './supervisor-state.js';

/** Starts every pending process whose dependencies now hold. */
export function startEligible(draft: Draft): void {
  if (draft.state.phase !== 'running') return;
  for (const status of draft.all()) {
    if (status.state === 'pending' && dependenciesMet(draft, status.spec)) startProcess(draft, status);
  }
}

function startProcess(draft: Draft, status: ProcessStatus): void {
  draft.update(status.spec.id, { state: 'starting' });
  draft.emit({ type: 'SpawnProcess', id: status.spec.id });
}

/** Records a spawned pid; in shutdown the newcomer is stopped at once. */
export function onSpawned(draft: Draft, id: string, pid: number, nowMs: number): void {
  const ready = draft.proc(id).spec.readiness === undefined;
  draft.update(id, {
    state: 'running',
    pid,
    startedAtMs: nowMs,
    everStarted: true,
    ready,
    everReady: draft.proc(id).everReady || ready,
    restartRequested: false,
  });
  const why = ready ? 'ready: no readiness probe' : 'waiting for its readiness probe';
  draft.emit(
    log('info', 'process.running', `${id} started as pid ${pid} (${why})`, { process: id, pid, ready }),
  );
  startEligible(draft);
}

/** Handles the end of a run: restart, give up, or let it rest; then what that means for all. */
export function onExited(draft: Draft, id: string, exit: ExitStatus, nowMs: number): void {
  const before = draft.proc(id);
  if (before.pid === null && before.state !== 'starting') return;
  // No pid means this run never started (a failed spawn): `startedAtMs` is still the previous
  // run's, and measuring from it would reset the backoff streak on every failed spawn.
  const uptimeMs = before.pid === null || before.startedAtMs === null ? 0 : nowMs - before.startedAtMs;
  const status = draft.update(id, { pid: null, ready: false, lastExit: { ...exit, atMs: nowMs } });
  // A run procinit asked to stop ended as asked: not worth a warning (escalations warn apart).
  const expected = exitCodeOf(exit) === 0 || before.stopRequested || before.restartRequested;
  draft.emit(
    log(expected ? 'info' : 'warn', 'process.exited', `${id} ended: ${describeExit(exit)}`, {
      process: id,
      code: exit.code,
      signal: exit.signal,
      uptimeMs,
    }),
  );
  if (before.stopRequested || before.restartRequested) {
    draft.emit({ type: 'CancelTimer', key: `stop-timeout:${id}` });
  }
  if (draft.state.phase !== 'running') {
    draft.update(id, { state: 'exited' });
    return;
  }
  decideRestart(draft, status, exit, uptimeMs, nowMs);
  afterProcessEnded(draft, id);
}

function decideRestart(
  draft: Draft,
  status: ProcessStatus,
  exit: ExitStatus,
  uptimeMs: number,
  nowMs: number,
): void {
  const { spec } = status;
  const id = spec.id;
  if (!status.restartRequested && !policyWantsRestart(spec.restart, exit)) {
    draft.update(id, { state: 'exited' });
    draft.emit(
      log('debug', 'restart.skipped', `${id} is not restarted (restart: ${spec.restart})`, {
        process: id,
        policy: spec.restart,
      }),
    );
    return;
  }
  const attempt = nextAttempt(status.crashStreak, uptimeMs, spec.backoff);
  const delayMs = backoffDelayMs(attempt, spec.backoff);
  if (exceedsRestartLimit(status.restartStartsMs, nowMs + delayMs, spec.maxRestarts, spec.restartWindowMs)) {
    draft.update(id, { state: 'failed' });
    const msg = `${id} failed: ${spec.maxRestarts} restarts within ${spec.restartWindowMs} ms, giving up`;
    draft.emit(
      log('error', 'process.failed', msg, {
        process: id,
        maxRestarts: spec.maxRestarts,
        windowMs: spec.restartWindowMs,
      }),
    );
    return;
  }
  draft.update(id, { state: 'backoff', crashStreak: attempt + 1 });
  draft.emit(
    { type: 'StartTimer', key: `restart:${id}`, delayMs },
    log(
      'info',
      'restart.scheduled',
      `${id} restarts in ${delayMs} ms (restart: ${spec.restart}, attempt ${status.restarts + 1})`,
      {
        process: id,
        policy: spec.restart,
        attempt: status.restarts + 1,
        delayMs,
        streak: attempt + 1,
        uptimeMs,
      },
    ),
  );
}

/** A critical process that will not come back ends everything; else check whether all ended. */
function afterProcessEnded(draft: Draft, id: string): void {
  const status = draft.proc(id);
  const terminal = status.state === 'exited' || status.state === 'failed';
  if (terminal && status.lastExit) {
    const exitCode = exitCodeOf(status.lastExit);
    if (status.spec.critical) return beginShutdown(draft, { kind: 'critical', id, exitCode });
    // Only a process that ended for good counts (SPEC §4 "0 if all exited 0"): a run that was
    // restarted, or that a liveness probe ended, is not how the process ended.
    if (exitCode !== 0 && draft.state.firstFailureCode === null) draft.state.firstFailureCode = exitCode;
  }
  startEligible(draft);
  finishIfAllEnded(draft);
}

/** When nothing runs and nothing will start again, procinit is done (SPEC §4). */
export function finishIfAllEnded(draft: Draft): void {
  // Repeat until nothing changes: a process given up on here can strand one that depends on
  // it and comes earlier in the Procfile.
  for (let changed = true; changed; ) {
    changed = false;
    for (const status of draft.all()) {
      if (status.state !== 'pending' || dependenciesReachable(draft, status.spec)) continue;
      draft.update(status.spec.id, { state: 'exited' });
      draft.emit(
        log('warn', 'process.never-started', `${status.spec.id} never started: a dependency ended`, {
          process: status.spec.id,
        }),
      );
      changed = true;
    }
  }
  const allEnded = draft.all().every((status) => status.state === 'exited' || status.state === 'failed');
  if (!allEnded) return;
  draft.state.shutdown = { cause: { kind: 'finished' }, escalated: false, signalReceived: false };
  finish(draft);
}

/** Starts the restart that a backoff timer was waiting for. */
export function onRestartDue(draft: Draft, id: string, nowMs: number): void {
  const status = draft.proc(id);
  if (draft.state.phase !== 'running' || status.state !== 'backoff') return;
  const windowStartMs = nowMs - status.spec.restartWindowMs;
  draft.update(id, {
    state: 'starting',
    restarts: status.restarts + 1,
    restartStartsMs: [...status.restartStartsMs.filter((startMs) => startMs > windowStartMs), nowMs],
  });
  draft.emit({ type: 'SpawnProcess', id });
}
