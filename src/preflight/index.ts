/** Preflight (SPEC §7): env, users, dirs, commands, ports, wait_for, tasks → one report. */

export { preflightEnviron } from './preflight-environ.js';
export type { CheckKind, PreflightLine, Severity } from './preflight-line.js';
export {
  formatPreflightLine,
  logPreflightReport,
  renderPreflightReport,
  summarizePreflight,
} from './render-report.js';
export {
  type PreflightDeps,
  type PreflightMode,
  type PreflightOptions,
  type PreflightResult,
  runPreflight,
} from './run-preflight.js';
export { taskOutputId } from './run-tasks.js';

/** The exit code of a failed preflight, in `run` and `check` alike (SPEC §8). */
export const PREFLIGHT_FAILED_EXIT = 78;
