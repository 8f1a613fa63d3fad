/**
 * The Prometheus metrics of SPEC §6: the one file that imports prom-client. The health server
 * loads it with a dynamic import at the first `/metrics` request, so a procinit that is never
 * scraped never pays for prom-client (measured: 45-80 ms to import on the 2-core dev machine).
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { exitCodeOf } from '../core/exit-status.js';
import type { ProcessStatus, SupervisorState } from '../core/supervisor-state.js';

/** Output lines one process wrote to one stream since procinit started. */
export interface LineCount {
  proc: string;
  stream: 'stdout' | 'stderr';
  lines: number;
}

/** Counters the runtime keeps; read at scrape time. */
export interface MetricsCounters {
  /** Orphaned zombies reaped since procinit started. */
  orphansReaped(): number;
  lineCounts(): readonly LineCount[];
}

export interface MetricsSources extends MetricsCounters {
  /** The state the supervisor last reported: metrics are computed from it at scrape time. */
  state(): SupervisorState;
}

/** A scrape: the body and its Content-Type. */
export interface MetricsText {
  contentType: string;
  body: string;
}

export interface Metrics {
  render(): Promise<MetricsText>;
}

const PROCESS_LABELS = ['process', 'name'] as const;

type ProcessLabels = Record<(typeof PROCESS_LABELS)[number], string>;

function statuses(state: SupervisorState): ProcessStatus[] {
  const list: ProcessStatus[] = [];
  for (const id of state.order) {
    const status = state.processes[id];
    if (status) list.push(status);
  }
  return list;
}

function labelsOf(status: ProcessStatus): ProcessLabels {
  return { process: status.spec.id, name: status.spec.name };
}

/**
 * One gauge per process, set from the held state by `collect` at scrape time. A process for
 * which `value` says null (never started, never exited) has no sample rather than a made-up 0.
 */
function processGauge(
  registry: Registry,
  sources: MetricsSources,
  name: string,
  help: string,
  value: (status: ProcessStatus) => number | null,
): void {
  new Gauge({
    name,
    help,
    labelNames: PROCESS_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses(sources.state())) {
        const sample = value(status);
        if (sample !== null) this.set(labelsOf(status), sample);
      }
    },
  });
}

function registerProcessMetrics(registry: Registry, sources: MetricsSources): void {
  processGauge(
    registry,
    sources,
    'procinit_process_up',
    'Whether the process is running (1) or not (0).',
    (s) => (s.pid === null ? 0 : 1),
  );
  processGauge(
    registry,
    sources,
    'procinit_process_ready',
    'Whether the process is ready (1) or not (0).',
    (s) => (s.ready ? 1 : 0),
  );
  processGauge(
    registry,
    sources,
    'procinit_process_start_time_seconds',
    'When the current or last run of the process started, in seconds since the epoch.',
    (s) => (s.startedAtMs === null ? null : s.startedAtMs / 1000),
  );
  processGauge(
    registry,
    sources,
    'procinit_process_last_exit_code',
    'The exit code of the last run of the process; 128+N when signal N killed it.',
    (s) => (s.lastExit === null ? null : exitCodeOf(s.lastExit)),
  );
  new Counter({
    name: 'procinit_process_restarts_total',
    help: 'Restarts of the process since procinit started.',
    labelNames: PROCESS_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses(sources.state())) this.inc(labelsOf(status), status.restarts);
    },
  });
}

function registerRuntimeCounters(registry: Registry, counters: MetricsCounters): void {
  new Counter({
    name: 'procinit_orphans_reaped_total',
    help: 'Orphaned zombie processes reaped by procinit.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(counters.orphansReaped());
    },
  });
  new Counter({
    name: 'procinit_output_lines_total',
    help: 'Output lines written by each process, per stream.',
    labelNames: ['process', 'stream'],
    registers: [registry],
    collect() {
      this.reset();
      for (const count of counters.lineCounts()) {
        this.inc({ process: count.proc, stream: count.stream }, count.lines);
      }
    },
  });
}

/**
 * Creates the metrics on a private registry (never prom-client's global one, so nothing else
 * in the process can add to or clash with them), with Node's default metrics unprefixed.
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerProcessMetrics(registry, sources);
  registerRuntimeCounters(registry, sources);
  return {
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
