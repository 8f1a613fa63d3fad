import { describe, expect, it } from 'vitest';
import type { SupervisorEvent } from '../../../src/core/events.js';
import { transition } from '../../../src/core/supervisor.js';
import { initialState } from '../../../src/core/supervisor-state.js';
import { deepFreeze, makeSpec } from './driver.js';

const SPECS = [
  makeSpec({
    name: 'db',
    readiness: {
      check: { kind: 'tcp', host: 'db', port: 5432 },
      intervalMs: 1,
      timeoutMs: 1,
      initialDelayMs: 0,
      failureThreshold: 1,
      successThreshold: 1,
    },
  }),
  makeSpec({ name: 'web', critical: true, dependsOn: { db: 'ready' } }),
  makeSpec({ name: 'worker', maxRestarts: 3, dependsOn: { web: 'started' } }),
];

const EVENTS: SupervisorEvent[] = [
  { type: 'Booted', nowMs: 0 },
  { type: 'ProcessSpawned', id: 'db.1', pid: 10, nowMs: 1 },
  { type: 'ReadinessChanged', id: 'db.1', ready: true, nowMs: 2 },
  { type: 'ProcessSpawned', id: 'web.1', pid: 11, nowMs: 3 },
  { type: 'ProcessSpawned', id: 'worker.1', pid: 12, nowMs: 4 },
  { type: 'SignalReceived', signal: 'SIGHUP', nowMs: 5 },
  { type: 'ProcessExited', id: 'worker.1', code: 1, signal: null, nowMs: 6 },
  { type: 'TimerFired', key: 'restart:worker.1', nowMs: 1006 },
  { type: 'ProcessSpawnFailed', id: 'worker.1', reason: 'ENOENT', nowMs: 1007 },
  { type: 'LivenessFailed', id: 'web.1', reason: 'timeout', nowMs: 1008 },
  { type: 'SignalReceived', signal: 'SIGTERM', nowMs: 1009 },
  { type: 'ProcessExited', id: 'web.1', code: null, signal: 'SIGTERM', nowMs: 1010 },
  { type: 'SignalReceived', signal: 'SIGINT', nowMs: 1011 },
  { type: 'TimerFired', key: 'stop-timeout:db.1', nowMs: 9000 },
  { type: 'ProcessExited', id: 'db.1', code: null, signal: 'SIGKILL', nowMs: 9001 },
];

describe('transition', () => {
  it('never mutates the state it is given, and is deterministic', () => {
    let state = initialState(SPECS, { drainMs: 0, singleCommand: false });
    for (const event of EVENTS) {
      const before = structuredClone(state);
      const frozen = deepFreeze(state); // a write to the input throws in strict mode
      const first = transition(frozen, event);
      const second = transition(frozen, event);
      expect(frozen).toEqual(before);
      expect(second).toEqual(first);
      state = first.state;
    }
    expect(state).toMatchObject({ phase: 'exited', exitCode: 1 });
  });

  it('copies only the processes an event touches', () => {
    const state = deepFreeze(initialState(SPECS, { drainMs: 0, singleCommand: false }));
    const { state: next } = transition(state, { type: 'Booted', nowMs: 0 });
    expect(next.processes['db.1']).not.toBe(state.processes['db.1']);
    expect(next.processes['web.1']).toBe(state.processes['web.1']);
    expect(next.processes).not.toBe(state.processes);
  });

  it('ignores events about processes it does not know', () => {
    const state = deepFreeze(initialState(SPECS, { drainMs: 0, singleCommand: false }));
    for (const event of [
      { type: 'ProcessSpawned', id: 'nope.1', pid: 1, nowMs: 0 },
      { type: 'ProcessExited', id: 'nope.1', code: 1, signal: null, nowMs: 0 },
      { type: 'TimerFired', key: 'restart:nope.1', nowMs: 0 },
      { type: 'TimerFired', key: 'stop-timeout:nope.1', nowMs: 0 },
    ] satisfies SupervisorEvent[]) {
      expect(transition(state, event)).toEqual({ state: { ...state }, effects: [] });
    }
  });

  it('exits 0 at once with nothing to supervise', () => {
    const { effects } = transition(initialState([], { drainMs: 0, singleCommand: false }), {
      type: 'Booted',
      nowMs: 0,
    });
    expect(effects.filter((effect) => effect.type === 'Exit')).toEqual([{ type: 'Exit', code: 0 }]);
  });
});
