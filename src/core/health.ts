import { exitCodeOf } from './exit-status.js';
import type { SignalName } from './model.js';
import type { ProcessState, ProcessStatus, SupervisorState } from './supervisor-state.js';

/** The overall verdict of SPEC §6. */
export type OverallStatus = 'starting' | 'healthy' | 'unhealthy' | 'stopping';

/** One process in the health body. Never its command or its environment (they may hold secrets). */
export interface HealthProcess {
  id: string;
  name: string;
  instance: number;
  state: ProcessState;
  ready: boolean;
  pid: number | null;
  restarts: number;
  /** When the current (or last) run started, ISO 8601; null before the first start. */
  started_at: string | null;
  last_exit: { code: number | null; signal: SignalName | null; at: string } | null;
}

/** The JSON body of `GET /health` (SPEC §6). */
export interface HealthBody {
  status: OverallStatus;
  uptime_s: number;
  version: string;
  processes: HealthProcess[];
}

export interface SnapshotContext {
  /** The time of the request, epoch ms. */
  nowMs: number;
  /** When procinit started, epoch ms (for `uptime_s`). */
  startedAtMs: number;
  version: string;
}

/** Why `/livez` says what it says. */
export type Liveness =
  | { live: true }
  | { live: false; reason: 'stopping' }
  | { live: false; reason: 'critical-failed'; process: string };

/** A process that ended for good, cleanly: a one-shot that did its job. */
function finishedCleanly(status: ProcessStatus): boolean {
  return status.state === 'exited' && status.lastExit !== null && exitCodeOf(status.lastExit) === 0;
}

/**
 * True when this process makes the container unhealthy: waiting to restart, given up on,
 * ended for good with a failure (or never started because a dependency ended), or lost its
 * readiness after having had it.
 */
function isUnhealthy(status: ProcessStatus): boolean {
  switch (status.state) {
    case 'backoff':
    case 'failed':
      return true;
    case 'exited':
      return !finishedCleanly(status);
    case 'starting':
    case 'running':
      return status.everReady && !status.ready;
    default:
      return false;
  }
}

/** The overall status of SPEC §6; the first rule that matches wins. */
export function overallStatus(state: SupervisorState): OverallStatus {
  if (state.phase !== 'running') return 'stopping';
  for (const id of state.order) {
    const status = state.processes[id];
    if (status && isUnhealthy(status)) return 'unhealthy';
  }
  return state.everAllReady ? 'healthy' : 'starting';
}

/** The liveness verdict (`/livez`): alive unless procinit is stopping or a critical process failed. */
export function liveness(state: SupervisorState): Liveness {
  if (state.phase !== 'running') return { live: false, reason: 'stopping' };
  for (const id of state.order) {
    const status = state.processes[id];
    if (!status?.spec.critical) continue;
    if (status.state === 'failed' || (status.state === 'exited' && !finishedCleanly(status))) {
      return { live: false, reason: 'critical-failed', process: id };
    }
  }
  return { live: true };
}

/** The HTTP status of `/livez`: 200 unless stopping or a critical process failed. */
export function livez(state: SupervisorState): 200 | 503 {
  return liveness(state).live ? 200 : 503;
}

/** The HTTP status of `/health`, `/healthz` and `/readyz`: 200 only when healthy. */
export function healthHttpStatus(status: OverallStatus): 200 | 503 {
  return status === 'healthy' ? 200 : 503;
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** One process, as the health body shows it: only fields chosen one by one, never the spec's env or command. */
export function processSnapshot(status: ProcessStatus): HealthProcess {
  const { spec, lastExit } = status;
  return {
    id: spec.id,
    name: spec.name,
    instance: spec.instance,
    state: status.state,
    ready: status.ready,
    pid: status.pid,
    restarts: status.restarts,
    started_at: status.startedAtMs === null ? null : isoOf(status.startedAtMs),
    last_exit:
      lastExit === null ? null : { code: lastExit.code, signal: lastExit.signal, at: isoOf(lastExit.atMs) },
  };
}

/** The body of `GET /health` (SPEC §6), in Procfile order. */
export function healthSnapshot(state: SupervisorState, context: SnapshotContext): HealthBody {
  const processes: HealthProcess[] = [];
  for (const id of state.order) {
    const status = state.processes[id];
    if (status) processes.push(processSnapshot(status));
  }
  // Tenths of a second, as in SPEC §6's example; never negative if the clock steps back.
  const uptimeS = Math.max(0, Math.round((context.nowMs - context.startedAtMs) / 100) / 10);
  return { status: overallStatus(state), uptime_s: uptimeS, version: context.version, processes };
}
