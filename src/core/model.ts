/**
 * The resolved, validated description of what procinit supervises. Config code produces it;
 * the pure core and the runtime consume it. Every duration is in milliseconds (suffix `Ms`).
 */

export type RestartPolicy = 'always' | 'on-failure' | 'never';

/** Where signals for a process go: its own pid, or its whole process group (SPEC §5). */
export type SignalTarget = 'process' | 'group';

/** What a dependency must have reached before a dependent starts (SPEC §2.2 depends_on). */
export type DependencyCondition = 'ready' | 'started' | 'completed';

/** A signal by name, as Node knows it: `SIGTERM`. */
export type SignalName = NodeJS.Signals;

export interface BackoffSpec {
  initialMs: number;
  maxMs: number;
  /** A process that stayed up this long starts over at `initialMs` on its next crash. */
  resetAfterMs: number;
}

export type ProbeCheck =
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; command: string }
  | { kind: 'log'; pattern: string };

export interface ProbeSpec {
  check: ProbeCheck;
  intervalMs: number;
  timeoutMs: number;
  initialDelayMs: number;
  failureThreshold: number;
  successThreshold: number;
}

/** One supervised instance: `web.1`. */
export interface ProcessSpec {
  /** `NAME.INSTANCE`, e.g. `worker.2`. */
  id: string;
  /** The process type: the Procfile name, e.g. `worker`. */
  name: string;
  /** 1-based instance number. */
  instance: number;
  /** The command as the user wrote it (for logs; may contain secrets: mask before printing). */
  command: string;
  /** What is executed: `['/bin/sh', '-c', 'exec gunicorn …']`, or the argv of single-command mode. */
  argv: string[];
  /** True when the command is one simple command, so the supervised pid is the program itself. */
  simple: boolean;
  /**
   * Variables this process gets on top of procinit's own environment (env files, the
   * process's `env`, PORT, PROCINIT_PROCESS, PROCINIT_INSTANCE). Values may be secret.
   */
  env: Record<string, string>;
  cwd: string;
  user?: string;
  restart: RestartPolicy;
  backoff: BackoffSpec;
  /** 0 = never give up. */
  maxRestarts: number;
  restartWindowMs: number;
  critical: boolean;
  /** Unset: SIGTERM, or SIGINT when procinit itself got SIGINT (SPEC §5). */
  stopSignal?: SignalName;
  stopTimeoutMs: number;
  signalTarget: SignalTarget;
  /** Keyed by process type name. */
  dependsOn: Record<string, DependencyCondition>;
  readiness?: ProbeSpec;
  liveness?: ProbeSpec;
}
