import type { SupervisorEffect } from '../core/effects.js';
import type { SupervisorEvent } from '../core/events.js';
import type { ProcessSpec, SignalName, SignalTarget } from '../core/model.js';
import { transition } from '../core/supervisor.js';
import type { SupervisorState } from '../core/supervisor-state.js';
import type { SpawnedChild, SpawnOutcome } from './spawner.js';
import { Timers } from './timers.js';

/** procinit's own log, as the loop needs it (pino's method shape). */
export interface EventLogger {
  trace(fields: object, msg: string): void;
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  /** pino's: lets a caller skip building fields nobody will see (masking a whole env costs). */
  isLevelEnabled?(level: 'trace' | 'debug'): boolean;
}

/** Whether `level` would be logged; a logger that cannot tell is taken to log everything. */
export function logs(logger: EventLogger, level: 'trace' | 'debug'): boolean {
  return logger.isLevelEnabled?.(level) !== false;
}

/** The side effects the loop needs, injected so each has one adapter (and tests can fake them). */
export interface LoopPorts {
  nowMs(): number;
  spawn(spec: ProcessSpec): SpawnOutcome;
  /** Wires a child's output into procinit's; called once per spawned child. */
  attachOutput(spec: ProcessSpec, child: SpawnedChild): void;
  sendSignal(pid: number, signal: SignalName, target: SignalTarget): void;
  /** SIGKILL to the group and every remaining descendant. */
  killTree(pid: number): void;
  logger: EventLogger;
  /** Called once, when the core says procinit is done. */
  onExit(code: number, state: SupervisorState): void;
  /** Observes every new state (health server, metrics). */
  onState?(state: SupervisorState): void;
}

/**
 * The imperative shell: one queue of events, each fed to the pure core in turn, and the
 * effects it returns carried out. One event at a time, so no locks and no re-entrancy.
 */
export class SupervisorLoop {
  private state: SupervisorState;
  private readonly queue: SupervisorEvent[] = [];
  private readonly spawned: SupervisorEvent[] = [];
  private draining = false;
  private readonly timers: Timers;
  private readonly specs: ReadonlyMap<string, ProcessSpec>;

  constructor(
    initial: SupervisorState,
    private readonly ports: LoopPorts,
  ) {
    this.state = initial;
    this.specs = new Map(initial.order.map((id) => [id, initial.processes[id]!.spec]));
    this.timers = new Timers((key) => this.dispatch({ type: 'TimerFired', key, nowMs: this.ports.nowMs() }));
  }

  current(): SupervisorState {
    return this.state;
  }

  dispatch(event: SupervisorEvent): void {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) this.step(next);
    } finally {
      this.draining = false;
    }
  }

  private step(event: SupervisorEvent): void {
    const { state, effects } = transition(this.state, event);
    this.state = state;
    this.ports.onState?.(state);
    for (const effect of effects) this.perform(effect);
    // Spawn results go ahead of anything the OS reports later: a pid is known to the core
    // before any exit of that child can be processed.
    this.queue.unshift(...this.spawned.splice(0));
  }

  private perform(effect: SupervisorEffect): void {
    const { ports } = this;
    switch (effect.type) {
      case 'SpawnProcess':
        return this.spawn(effect.id);
      case 'SendSignal':
        ports.logger.debug(
          {
            event: 'signal.sent',
            process: effect.id,
            pid: effect.pid,
            signal: effect.signal,
            target: effect.target,
          },
          `${effect.signal} → ${effect.id} (${effect.target === 'group' ? `process group ${effect.pid}` : `pid ${effect.pid}`})`,
        );
        return ports.sendSignal(effect.pid, effect.signal, effect.target);
      case 'KillProcessTree':
        return ports.killTree(effect.pid);
      case 'StartTimer':
        return this.timers.start(effect.key, effect.delayMs);
      case 'CancelTimer':
        return this.timers.cancel(effect.key);
      case 'Log':
        return ports.logger[effect.level]({ event: effect.event, ...effect.fields }, effect.msg);
      case 'Exit':
        this.timers.cancelAll();
        return ports.onExit(effect.code, this.state);
    }
  }

  private spawn(id: string): void {
    const spec = this.specs.get(id)!;
    const outcome = this.ports.spawn(spec);
    if (!outcome.ok) {
      outcome.reason.then((reason) =>
        this.dispatch({ type: 'ProcessSpawnFailed', id, reason, nowMs: this.ports.nowMs() }),
      );
      return;
    }
    const { child } = outcome;
    this.ports.attachOutput(spec, child);
    child.onExit((code, signal) => {
      this.dispatch({ type: 'ProcessExited', id, code, signal, nowMs: this.ports.nowMs() });
    });
    this.spawned.push({ type: 'ProcessSpawned', id, pid: child.pid, nowMs: this.ports.nowMs() });
  }
}
