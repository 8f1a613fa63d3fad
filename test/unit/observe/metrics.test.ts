import { describe, expect, it } from 'vitest';
import type { SupervisorState } from '../../../src/core/supervisor-state.js';
import { createMetrics, type LineCount } from '../../../src/observe/metrics.js';
import { Harness, makeSpec } from '../core/driver.js';

const START_MS = 1_763_800_000_000;

/** web.1 running (pid 17), worker.1 killed by SIGKILL and in backoff after one restart, cron.1 pending. */
function scenario(): Harness {
  const h = new Harness([
    makeSpec({ name: 'web' }),
    makeSpec({ name: 'worker' }),
    makeSpec({ name: 'cron', dependsOn: { worker: 'completed' } }),
  ]);
  h.boot(START_MS);
  h.spawned('web.1', START_MS + 500, 17);
  h.spawned('worker.1', START_MS + 1000, 18);
  h.exited('worker.1', 3, START_MS + 2000);
  h.fire('restart:worker.1');
  h.spawned('worker.1', START_MS + 3500, 19);
  h.killed('worker.1', 'SIGKILL', START_MS + 4000);
  return h;
}

function metricsFor(
  state: () => SupervisorState,
  lines: LineCount[] = [],
  orphans = 0,
): ReturnType<typeof createMetrics> {
  return createMetrics({ state, orphansReaped: () => orphans, lineCounts: () => lines });
}

/** The samples of one metric family, without HELP/TYPE lines. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('metrics', () => {
  it('renders every process metric of SPEC §6 from the state at scrape time', async () => {
    const h = scenario();
    const { body, contentType } = await metricsFor(() => h.state).render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(samples(body, 'procinit_process_up')).toEqual([
      'procinit_process_up{process="web.1",name="web"} 1',
      'procinit_process_up{process="worker.1",name="worker"} 0',
      'procinit_process_up{process="cron.1",name="cron"} 0',
    ]);
    expect(samples(body, 'procinit_process_ready')).toEqual([
      'procinit_process_ready{process="web.1",name="web"} 1',
      'procinit_process_ready{process="worker.1",name="worker"} 0',
      'procinit_process_ready{process="cron.1",name="cron"} 0',
    ]);
    expect(samples(body, 'procinit_process_restarts_total')).toEqual([
      'procinit_process_restarts_total{process="web.1",name="web"} 0',
      'procinit_process_restarts_total{process="worker.1",name="worker"} 1',
      'procinit_process_restarts_total{process="cron.1",name="cron"} 0',
    ]);
    // Only what has happened has a sample: cron.1 never started, web.1 never exited.
    expect(samples(body, 'procinit_process_start_time_seconds')).toEqual([
      `procinit_process_start_time_seconds{process="web.1",name="web"} ${(START_MS + 500) / 1000}`,
      `procinit_process_start_time_seconds{process="worker.1",name="worker"} ${(START_MS + 3500) / 1000}`,
    ]);
    expect(samples(body, 'procinit_process_last_exit_code')).toEqual([
      'procinit_process_last_exit_code{process="worker.1",name="worker"} 137',
    ]);
    expect(body).toContain('# TYPE procinit_process_restarts_total counter');
    expect(body).toContain('# TYPE procinit_process_up gauge');
  });

  it('follows the state from one scrape to the next', async () => {
    const h = scenario();
    const metrics = metricsFor(() => h.state);
    await metrics.render();
    h.fire('restart:worker.1');
    h.spawned('worker.1', h.nowMs, 20);
    h.exited('worker.1', 2, h.nowMs + 100);
    const { body } = await metrics.render();
    expect(samples(body, 'procinit_process_restarts_total')).toContain(
      'procinit_process_restarts_total{process="worker.1",name="worker"} 2',
    );
    expect(samples(body, 'procinit_process_last_exit_code')).toEqual([
      'procinit_process_last_exit_code{process="worker.1",name="worker"} 2',
    ]);
  });

  it('reports the runtime counters it is given', async () => {
    const lines: LineCount[] = [
      { proc: 'web.1', stream: 'stdout', lines: 120 },
      { proc: 'web.1', stream: 'stderr', lines: 3 },
    ];
    const { body } = await metricsFor(() => scenario().state, lines, 7).render();
    expect(samples(body, 'procinit_orphans_reaped_total')).toEqual(['procinit_orphans_reaped_total 7']);
    expect(samples(body, 'procinit_output_lines_total')).toEqual([
      'procinit_output_lines_total{process="web.1",stream="stdout"} 120',
      'procinit_output_lines_total{process="web.1",stream="stderr"} 3',
    ]);
  });

  it("includes Node's default metrics under their standard unprefixed names", async () => {
    const { body } = await metricsFor(() => scenario().state).render();
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^process_start_time_seconds \d/m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(body).not.toMatch(/^procinit_process_cpu/m);
  });

  it('keeps separate registries apart (never the global one)', async () => {
    const first = metricsFor(() => scenario().state, [], 1);
    const second = metricsFor(() => scenario().state, [], 2);
    expect((await first.render()).body).toContain('procinit_orphans_reaped_total 1');
    expect((await second.render()).body).toContain('procinit_orphans_reaped_total 2');
    const { register } = await import('prom-client');
    expect(await register.getMetricsAsJSON()).toEqual([]);
  });
});
