/**
 * A test driver for the pure supervisor core: it feeds events to `transition` in order, records
 * every effect, keeps the runtime's view of timers (started, cancelled, fired) and pids, and
 * deep-freezes each state before handing it to `transition`, so any mutation of the input
 * throws instead of passing unnoticed. No processes, no clocks: time is whatever `nowMs` the
 * test says.
 */
import type { SupervisorEffect } from '../../../src/core/effects.js';
import type { SupervisorEvent, TimerKey } from '../../../src/core/events.js';
import type { ProcessSpec, SignalName } from '../../../src/core/model.js';
import { transition } from '../../../src/core/supervisor.js';
import type {
  ProcessStatus,
  SupervisorOptions,
  SupervisorState,
} from '../../../src/core/supervisor-state.js';
import { initialState } from '../../../src/core/supervisor-state.js';

type SpecOverrides = Partial<ProcessSpec> & { name?: string };

/** A spec with the defaults of SPEC §2.2; `id` defaults to `NAME.INSTANCE`. */
export function makeSpec(overrides: SpecOverrides = {}): ProcessSpec {
  const name = overrides.name ?? 'web';
  const instance = overrides.instance ?? 1;
  return {
    id: `${name}.${instance}`,
    name,
    instance,
    command: `run-${name}`,
    argv: ['/bin/sh', '-c', `exec run-${name}`],
    simple: true,
    env: {},
    cwd: '/app',
    restart: 'always',
    backoff: { initialMs: 1000, maxMs: 30_000, resetAfterMs: 10_000 },
    maxRestarts: 0,
    restartWindowMs: 60_000,
    critical: false,
    stopTimeoutMs: 8000,
    signalTarget: 'process',
    dependsOn: {},
    ...overrides,
  };
}

/** Freezes an object graph so that `transition` cannot mutate what it was given. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export type EffectOf<T extends SupervisorEffect['type']> = Extract<SupervisorEffect, { type: T }>;

export interface PendingTimer {
  key: TimerKey;
  delayMs: number;
  dueAtMs: number;
}

export interface Step {
  event: SupervisorEvent;
  effects: SupervisorEffect[];
}

export class Harness {
  state: SupervisorState;
  nowMs = 0;
  readonly steps: Step[] = [];
  private readonly timers = new Map<TimerKey, PendingTimer>();
  private nextPid = 100;

  constructor(specs: readonly ProcessSpec[], options: Partial<SupervisorOptions> = {}) {
    this.state = initialState(specs, { drainMs: 0, singleCommand: false, ...options });
  }

  /** Applies one event; returns the effects it produced. */
  send(event: SupervisorEvent): SupervisorEffect[] {
    const { state, effects } = transition(deepFreeze(this.state), event);
    this.state = state;
    this.nowMs = event.nowMs;
    if (event.type === 'TimerFired') this.timers.delete(event.key);
    for (const effect of effects) {
      if (effect.type === 'StartTimer') {
        this.timers.set(effect.key, {
          key: effect.key,
          delayMs: effect.delayMs,
          dueAtMs: event.nowMs + effect.delayMs,
        });
      }
      if (effect.type === 'CancelTimer') this.timers.delete(effect.key);
    }
    this.steps.push({ event, effects });
    return effects;
  }

  boot(nowMs = this.nowMs): SupervisorEffect[] {
    return this.send({ type: 'Booted', nowMs });
  }

  /** Reports a spawn; a fresh pid unless one is given. */
  spawned(id: string, nowMs = this.nowMs, pid = this.nextPid++): SupervisorEffect[] {
    return this.send({ type: 'ProcessSpawned', id, pid, nowMs });
  }

  /**
   * Reports a spawn for every process in state `starting`, in Procfile order. A dependent that
   * a spawn makes eligible is spawned in the same pass when it comes later in the order.
   */
  spawnStarting(nowMs = this.nowMs): void {
    for (const id of this.state.order) {
      if (this.status(id).state === 'starting') this.spawned(id, nowMs);
    }
  }

  spawnFailed(id: string, nowMs = this.nowMs): SupervisorEffect[] {
    return this.send({ type: 'ProcessSpawnFailed', id, reason: 'ENOENT', nowMs });
  }

  exited(
    id: string,
    code: number | null,
    nowMs = this.nowMs,
    signal: SignalName | null = null,
  ): SupervisorEffect[] {
    return this.send({ type: 'ProcessExited', id, code, signal, nowMs });
  }

  killed(id: string, signal: SignalName, nowMs = this.nowMs): SupervisorEffect[] {
    return this.exited(id, null, nowMs, signal);
  }

  ready(id: string, ready = true, nowMs = this.nowMs): SupervisorEffect[] {
    return this.send({ type: 'ReadinessChanged', id, ready, nowMs });
  }

  livenessFailed(id: string, nowMs = this.nowMs): SupervisorEffect[] {
    return this.send({ type: 'LivenessFailed', id, reason: 'probe timed out', nowMs });
  }

  signal(signal: SignalName, nowMs = this.nowMs): SupervisorEffect[] {
    return this.send({ type: 'SignalReceived', signal, nowMs });
  }

  /** Fires a timer the core started and did not cancel, by default at the time it is due. */
  fire(key: TimerKey, nowMs?: number): SupervisorEffect[] {
    const timer = this.timers.get(key);
    if (!timer)
      throw new Error(`timer ${key} is not pending (pending: ${[...this.timers.keys()].join(', ')})`);
    return this.send({ type: 'TimerFired', key, nowMs: nowMs ?? timer.dueAtMs });
  }

  pendingTimers(): PendingTimer[] {
    return [...this.timers.values()];
  }

  timer(key: TimerKey): PendingTimer | undefined {
    return this.timers.get(key);
  }

  status(id: string): ProcessStatus {
    const status = this.state.processes[id];
    if (!status) throw new Error(`no process ${id}`);
    return status;
  }

  pid(id: string): number {
    const { pid } = this.status(id);
    if (pid === null) throw new Error(`${id} has no pid (state ${this.status(id).state})`);
    return pid;
  }

  /** Every effect so far, in order. */
  allEffects(): SupervisorEffect[] {
    return this.steps.flatMap((step) => step.effects);
  }

  /** Effects of one type: from the last event, or from all of them with `{ all: true }`. */
  effectsOfType<T extends SupervisorEffect['type']>(type: T, { all = false } = {}): EffectOf<T>[] {
    const effects = all ? this.allEffects() : (this.steps.at(-1)?.effects ?? []);
    return effects.filter((effect): effect is EffectOf<T> => effect.type === type);
  }

  /** The `event` names of the Log effects so far. */
  logEvents(): string[] {
    return this.effectsOfType('Log', { all: true }).map((effect) => effect.event);
  }

  exitCodes(): number[] {
    return this.effectsOfType('Exit', { all: true }).map((effect) => effect.code);
  }
}

/** Boots a harness at 0 ms and spawns what starts (see `spawnStarting`). */
export function started(specs: readonly ProcessSpec[], options: Partial<SupervisorOptions> = {}): Harness {
  const harness = new Harness(specs, options);
  harness.boot(0);
  harness.spawnStarting(0);
  return harness;
}
