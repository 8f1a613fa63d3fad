import type { SupervisorEffect } from './effects.js';
import type { ExitStatus } from './exit-status.js';
import type { ProcessSpec, SignalName } from './model.js';

/** Process states of SPEC §6. */
export type ProcessState = 'pending' | 'starting' | 'running' | 'backoff' | 'stopping' | 'exited' | 'failed';

export interface LastExit extends ExitStatus {
  atMs: number;
}

/** What the core knows about one supervised instance. */
export interface ProcessStatus {
  readonly spec: ProcessSpec;
  readonly state: ProcessState;
  readonly pid: number | null;
  /** Restarts started so far. */
  readonly restarts: number;
  readonly startedAtMs: number | null;
  readonly lastExit: LastExit | null;
  /** Position in the current crash streak: picks the next backoff delay. */
  readonly crashStreak: number;
  /** When recent restarts were started, for `max_restarts` within `restart_window`. */
  readonly restartStartsMs: readonly number[];
  readonly ready: boolean;
  readonly everReady: boolean;
  readonly everStarted: boolean;
  /** A liveness failure asked for this run to end and be restarted whatever the policy says. */
  readonly restartRequested: boolean;
  /** Its stop signal was sent during shutdown. */
  readonly stopRequested: boolean;
}

export type Phase = 'running' | 'draining' | 'stopping' | 'exited';

/** Why procinit is shutting down; decides the exit code (SPEC §8). */
export type ShutdownCause =
  | { kind: 'signal'; signal: SignalName }
  | { kind: 'critical'; id: string; exitCode: number }
  | { kind: 'finished' };

export interface Shutdown {
  readonly cause: ShutdownCause;
  /** Some process needed SIGKILL. */
  readonly escalated: boolean;
  /** A shutdown signal has been received, so the next SIGTERM/SIGINT is a second one. */
  readonly signalReceived: boolean;
}

export interface SupervisorOptions {
  drainMs: number;
  /** Single-command mode: the exit code is always the command's. */
  singleCommand: boolean;
}

export interface SupervisorState {
  readonly phase: Phase;
  /** Process ids in start order (Procfile order). */
  readonly order: readonly string[];
  readonly processes: Readonly<Record<string, ProcessStatus>>;
  readonly shutdown: Shutdown | null;
  /** The first non-zero last exit code of a process that ended for good (exited or failed) on its own. */
  readonly firstFailureCode: number | null;
  /** Every process that should run has been running and ready at the same time once. */
  readonly everAllReady: boolean;
  readonly exitCode: number | null;
  readonly options: SupervisorOptions;
}

/** The state before `Booted`: every process pending. */
export function initialState(specs: readonly ProcessSpec[], options: SupervisorOptions): SupervisorState {
  const processes: Record<string, ProcessStatus> = {};
  for (const spec of specs) {
    processes[spec.id] = {
      spec,
      state: 'pending',
      pid: null,
      restarts: 0,
      startedAtMs: null,
      lastExit: null,
      crashStreak: 0,
      restartStartsMs: [],
      ready: false,
      everReady: false,
      everStarted: false,
      restartRequested: false,
      stopRequested: false,
    };
  }
  return {
    phase: 'running',
    order: specs.map((spec) => spec.id),
    processes,
    shutdown: null,
    firstFailureCode: null,
    everAllReady: false,
    exitCode: null,
    options,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A copy-on-write working copy for one transition: the caller's state is never mutated, and
 * only the processes an event touches are copied (500 processes stay cheap per event).
 */
export class Draft {
  readonly state: Mutable<SupervisorState>;
  readonly effects: SupervisorEffect[] = [];
  private readonly processes: Record<string, ProcessStatus>;

  constructor(previous: SupervisorState) {
    this.processes = { ...previous.processes };
    this.state = { ...previous, processes: this.processes };
  }

  proc(id: string): ProcessStatus {
    const status = this.processes[id];
    if (!status) throw new Error(`unknown process id ${id}`);
    return status;
  }

  has(id: string): boolean {
    return id in this.processes;
  }

  all(): ProcessStatus[] {
    return this.state.order.map((id) => this.proc(id));
  }

  update(id: string, patch: Partial<ProcessStatus>): ProcessStatus {
    const next = { ...this.proc(id), ...patch };
    this.processes[id] = next;
    return next;
  }

  emit(...effects: SupervisorEffect[]): void {
    this.effects.push(...effects);
  }
}
