import type { DependencyCondition, ProcessSpec } from './model.js';
import type { Draft, ProcessStatus } from './supervisor-state.js';

function instancesOf(draft: Draft, name: string): ProcessStatus[] {
  return draft.all().filter((status) => status.spec.name === name);
}

function holds(status: ProcessStatus, condition: DependencyCondition): boolean {
  switch (condition) {
    case 'started':
      return status.everStarted;
    case 'ready':
      return status.ready;
    case 'completed':
      return status.state === 'exited' && status.lastExit?.code === 0 && status.lastExit.signal === null;
  }
}

/** A dependency that has ended can no longer become started, ready or completed. */
function canStillHold(status: ProcessStatus, condition: DependencyCondition): boolean {
  if (holds(status, condition)) return true;
  return status.state !== 'exited' && status.state !== 'failed';
}

/**
 * Whether every instance of every dependency satisfies its condition. A dependency with no
 * instance selected (left out by --only, or formation 0) is taken as satisfied: the user chose
 * to run without it.
 */
export function dependenciesMet(draft: Draft, spec: ProcessSpec): boolean {
  return Object.entries(spec.dependsOn).every(([name, condition]) =>
    instancesOf(draft, name).every((status) => holds(status, condition)),
  );
}

/** Whether the dependencies of a pending process may still be met some day. */
export function dependenciesReachable(draft: Draft, spec: ProcessSpec): boolean {
  return Object.entries(spec.dependsOn).every(([name, condition]) =>
    instancesOf(draft, name).every((status) => canStillHold(status, condition)),
  );
}

/**
 * Whether a running process still has a dependent alive, which must stop first. A dependent
 * still being spawned counts: it gets its pid (and its stop signal) in a moment.
 */
export function hasLiveDependent(draft: Draft, name: string): boolean {
  return draft
    .all()
    .some((status) => (status.pid !== null || status.state === 'starting') && name in status.spec.dependsOn);
}
