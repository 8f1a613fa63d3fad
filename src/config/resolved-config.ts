import type { ProcessSpec } from '../core/model.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'pretty' | 'json' | 'raw';

/** The options of `procinit run` as given on the command line (SPEC §3); all optional. */
export interface CliOptions {
  procfile?: string;
  config?: string;
  envFiles?: string[];
  /** `web=1,worker=2` or `all=N`. */
  formation?: string;
  /** `web,worker`. */
  only?: string;
  healthPort?: number;
  healthHost?: string;
  /** A duration as written: `8s`. */
  shutdownTimeout?: string;
  logFormat?: LogFormat;
  timestamps?: boolean;
  /** 0 = info, 1 = debug, 2+ = trace. */
  verbose?: number;
  quiet?: boolean;
  /** foreman's base PORT. */
  port?: number;
  /** false for --no-color. */
  color?: boolean;
  /** Single-command mode: the argv after `--`. */
  command?: string[];
}

export interface WaitForSpec {
  target: { kind: 'tcp'; host: string; port: number } | { kind: 'http'; url: string };
  timeoutMs: number;
}

export interface DirSpec {
  path: string;
  mode?: number;
  owner?: string;
  recursive: boolean;
}

export interface TaskSpec {
  name: string;
  run: string;
  timeoutMs: number;
  user?: string;
}

export interface PreflightSpec {
  env: { required: string[]; optional: string[] };
  dirs: DirSpec[];
  commands: string[];
  portsFree: number[];
  waitFor: WaitForSpec[];
  tasks: TaskSpec[];
}

/** Everything procinit needs to run, after flags, PROCINIT_* variables, files and defaults. */
export interface ResolvedConfig {
  /** The files that were read, for logs and `procinit config`. */
  sources: { procfile?: string; config?: string; envFiles: string[] };
  /** Expanded instances (`worker.1`, `worker.2`) in Procfile order, after --only and -m. */
  processes: ProcessSpec[];
  /** Single-command mode (`procinit -- CMD`): exit code is always the command's. */
  singleCommand: boolean;
  user?: string;
  /** Secret name patterns: built-in plus configured (globs such as `*_KEY`). */
  secretPatterns: string[];
  preflight: PreflightSpec;
  health: { port: number; host: string };
  shutdown: { timeoutMs: number; drainMs: number };
  log: { level: LogLevel; format: LogFormat; timestamps: boolean; color: boolean };
}
