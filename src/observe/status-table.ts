/**
 * The table `procinit status` prints from a running procinit's /health body. Pure: the time is
 * a parameter, so the same body always renders the same table.
 */
import type { HealthBody, HealthProcess } from '../core/health.js';

const HEADERS = ['ID', 'STATE', 'READY', 'PID', 'RESTARTS', 'UPTIME', 'LAST EXIT'] as const;
const NONE = '-';

/** A duration the way `docker ps` shows ages, to the two largest units: `42s`, `5m12s`, `2h3m`, `3d4h`. */
export function formatAge(ms: number): string {
  const totalS = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(totalS / 86_400);
  const hours = Math.floor((totalS % 86_400) / 3600);
  const minutes = Math.floor((totalS % 3600) / 60);
  const seconds = totalS % 60;
  if (days > 0) return `${days}d${hours}h`;
  if (hours > 0) return `${hours}h${minutes}m`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

function since(iso: string, nowMs: number): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '?' : formatAge(nowMs - ms);
}

/** How long the current run has been up; `-` when nothing runs. */
function uptimeOf(process: HealthProcess, nowMs: number): string {
  if (process.pid === null || process.started_at === null) return NONE;
  return since(process.started_at, nowMs);
}

/** `exit 1, 4s ago` or `killed by SIGKILL, 2m3s ago`; `-` before the first exit. */
function lastExitOf(process: HealthProcess, nowMs: number): string {
  const last = process.last_exit;
  if (last === null) return NONE;
  const how = last.signal !== null ? `killed by ${last.signal}` : `exit ${last.code ?? '?'}`;
  return `${how}, ${since(last.at, nowMs)} ago`;
}

function rowOf(process: HealthProcess, nowMs: number): string[] {
  return [
    process.id,
    process.state,
    process.ready ? 'yes' : 'no',
    process.pid === null ? NONE : String(process.pid),
    String(process.restarts),
    uptimeOf(process, nowMs),
    lastExitOf(process, nowMs),
  ];
}

/** Columns padded to their widest cell, two spaces apart; the last one is not padded. */
function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The status of a running procinit: one summary line, then one row per process.
 *
 * ```
 * procinit 0.1.0: healthy, up 2h3m
 * ID        STATE    READY  PID  RESTARTS  UPTIME  LAST EXIT
 * web.1     running  yes    17   0         2h3m    -
 * ```
 */
export function renderStatusTable(body: HealthBody, nowMs: number): string {
  const summary = `procinit ${body.version}: ${body.status}, up ${formatAge(body.uptime_s * 1000)}`;
  const rows = [HEADERS, ...body.processes.map((process) => rowOf(process, nowMs))];
  return `${[summary, ...alignColumns(rows)].join('\n')}\n`;
}

/** True when `value` looks like SPEC §6's body, so a table can be drawn from it. */
export function isHealthBody(value: unknown): value is HealthBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    typeof body.status === 'string' &&
    typeof body.uptime_s === 'number' &&
    typeof body.version === 'string' &&
    Array.isArray(body.processes) &&
    body.processes.every(
      (process: unknown) =>
        typeof process === 'object' &&
        process !== null &&
        typeof (process as Record<string, unknown>).id === 'string',
    )
  );
}
