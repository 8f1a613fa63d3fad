import { describeExit } from '../core/exit-status.js';
import type { SupervisorState } from '../core/supervisor-state.js';

/** One line of the exit summary (SPEC §9): each process, its restarts and its last exit. */
export interface SummaryLine {
  msg: string;
  fields: Record<string, unknown>;
}

/** The exit summary, one line per process in Procfile order, then procinit's own code. */
export function summarize(state: SupervisorState): SummaryLine[] {
  const lines: SummaryLine[] = state.order.map((id) => {
    const status = state.processes[id]!;
    const last = status.lastExit ? describeExit(status.lastExit) : 'never ran';
    return {
      msg: `${id}: ${status.state}, ${status.restarts} restart${status.restarts === 1 ? '' : 's'}, last ${last}`,
      fields: {
        process: id,
        state: status.state,
        restarts: status.restarts,
        code: status.lastExit?.code ?? null,
        signal: status.lastExit?.signal ?? null,
      },
    };
  });
  lines.push({
    msg: `procinit exits with code ${state.exitCode ?? 0}`,
    fields: { code: state.exitCode ?? 0 },
  });
  return lines;
}
