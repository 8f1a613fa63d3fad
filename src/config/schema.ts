import { PROCESS_NAME_PATTERN } from './procfile.js';
import {
  durationField,
  envNameField,
  envValueField,
  hostPortField,
  httpUrlField,
  intAtLeast,
  modeField,
  nonEmptyString,
  portNumber,
  signalField,
} from './schema-fields.js';
import { livenessProbeSchema, readinessProbeSchema } from './schema-probe.js';
import * as z from './zod.js';

/**
 * The schema of procinit.yaml (SPEC §2.2). Objects are strict: an unknown key is an error.
 * Every field is described here, where it is declared, so `procinit schema` and the
 * reference are generated from this one file. Defaults are applied by the resolver, not
 * here, because flags and PROCINIT_* variables come between the file and the defaults.
 */

const processName = z
  .string()
  .regex(PROCESS_NAME_PATTERN, { error: 'expected a process name made of letters, digits, _ or -' });

const userField = nonEmptyString.describe('A user name or uid; "user:group" also sets the group.');

const backoffSchema = z
  .strictObject({
    initial: durationField.optional().describe('Delay before the first restart. Default: 1s.'),
    max: durationField.optional().describe('The delay doubles after each restart up to this. Default: 30s.'),
    reset_after: durationField
      .optional()
      .describe('A process that stayed up this long starts over at the initial delay. Default: 10s.'),
  })
  .describe('Exponential backoff between restarts.');

const processSchema = z
  .strictObject({
    command: nonEmptyString
      .optional()
      .describe(
        'Defines the process here instead of in the Procfile; run by /bin/sh -c like a Procfile command.',
      ),
    critical: z
      .boolean()
      .optional()
      .describe('If it stops for good, procinit stops everything and exits with its code. Default: false.'),
    readiness: readinessProbeSchema.optional(),
    liveness: livenessProbeSchema.optional(),
    instances: intAtLeast(0)
      .optional()
      .describe('How many copies to run: worker.1, worker.2, … 0 runs none. Default: 1.'),
    depends_on: z
      .record(
        processName,
        z.enum(['ready', 'started', 'completed'], { error: 'expected ready, started or completed' }),
      )
      .optional()
      .describe('Process types that must be ready, started or completed (exited 0) before this one starts.'),
    stop_signal: signalField.optional().describe('The signal that asks it to stop. Default: SIGTERM.'),
    stop_timeout: durationField
      .optional()
      .describe('After this, SIGKILL goes to its process group and descendants. Default: shutdown.timeout.'),
    restart: z
      .enum(['always', 'on-failure', 'never'], { error: 'expected always, on-failure or never' })
      .optional()
      .describe(
        'When to restart it: always, on-failure (non-zero exit or a signal), never. Default: always.',
      ),
    backoff: backoffSchema.optional(),
    max_restarts: intAtLeast(0)
      .optional()
      .describe('0 never gives up; N marks it failed after N restarts within restart_window. Default: 0.'),
    restart_window: durationField.optional().describe('The sliding window of max_restarts. Default: 60s.'),
    signal_target: z
      .enum(['auto', 'process', 'group'], { error: 'expected auto, process or group' })
      .optional()
      .describe(
        'auto: its own pid for a simple command, its process group for a compound one. Default: auto.',
      ),
    env: z.record(envNameField, envValueField).optional().describe('Variables added to its environment.'),
    cwd: nonEmptyString
      .optional()
      .describe("Working directory, relative to procinit.yaml's directory. Default: procinit's directory."),
    user: userField.optional().describe('Run it as this user. Default: the top-level user.'),
  })
  .describe('Options for one process type.');

const dirSchema = z
  .strictObject({
    path: nonEmptyString.describe('The directory; created with its parents.'),
    mode: modeField.optional().describe('Octal permissions, quoted: "0750".'),
    owner: nonEmptyString.optional().describe('"user" or "user:group".'),
    recursive: z
      .boolean()
      .optional()
      .describe('Apply mode and owner to everything below too. Default: false.'),
  })
  .describe('A directory to create before anything starts.');

const waitForSchema = z
  .strictObject({
    tcp: hostPortField.optional().describe('Wait until a TCP connection to "host:port" succeeds.'),
    http: httpUrlField.optional().describe('Wait until a GET of this URL answers 2xx or 3xx.'),
    timeout: durationField.optional().describe('Give up (preflight fails) after this long. Default: 30s.'),
  })
  .superRefine((entry, ctx) => {
    if ((entry.tcp === undefined) === (entry.http === undefined)) {
      const found = entry.tcp === undefined ? 'neither' : 'both';
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of tcp or http, found ${found}`,
        input: entry,
      });
    }
  })
  .meta({ oneOf: [{ required: ['tcp'] }, { required: ['http'] }] })
  .describe('A service to wait for, retried until its timeout.');

const taskSchema = z
  .strictObject({
    name: processName.describe('Shown in the output prefix: task:NAME | .'),
    run: nonEmptyString.describe('The command, run by /bin/sh -c.'),
    timeout: durationField.optional().describe('The task fails if it runs longer. Default: 1h.'),
    user: userField.optional().describe('Run it as this user. Default: the top-level user.'),
  })
  .describe('A one-shot command run before any process starts; the first failure stops the start.');

const preflightSchema = z
  .strictObject({
    env: z
      .strictObject({
        required: z.array(envNameField).optional().describe('Variables that must be set and non-empty.'),
        optional: z.array(envNameField).optional().describe('Variables reported as a warning when unset.'),
        secret: z
          .array(nonEmptyString)
          .optional()
          .describe('Globs of secret variable names (*_KEY), added to the built-in patterns.'),
      })
      .optional()
      .describe('Environment variables to check.'),
    dirs: z.array(dirSchema).optional().describe('Directories to create, then give mode and owner.'),
    commands: z.array(nonEmptyString).optional().describe('Programs that must be found on PATH.'),
    ports_free: z.array(portNumber).optional().describe('TCP ports nothing may listen on yet.'),
    wait_for: z
      .array(waitForSchema)
      .optional()
      .describe('Services to wait for before anything starts, each retried until its timeout.'),
    tasks: z.array(taskSchema).optional().describe('One-shot commands, run in order.'),
  })
  .describe('Checks and preparations before any process starts; all are reported together.');

/** The whole procinit.yaml. */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema of this file, for editors; ignored.'),
    procfile: nonEmptyString
      .optional()
      .describe("The Procfile, relative to this file's directory. Default: ./Procfile, which may be absent."),
    env_file: z
      .union([nonEmptyString, z.array(nonEmptyString)], {
        error: 'expected a file name or a list of file names',
      })
      .optional()
      .describe('.env files loaded if present; they never override variables already set.'),
    user: userField
      .optional()
      .describe(
        'The default user of every process and task. Switching needs procinit to run as root (which it stays); a non-root procinit accepts only its own user.',
      ),
    preflight: preflightSchema.optional(),
    processes: z
      .record(processName, processSchema)
      .optional()
      .describe("Options per process type; a process with a command here needn't be in the Procfile."),
    health: z
      .strictObject({
        port: portNumber.optional().describe('Port of the health server; 0 disables it. Default: 8099.'),
        host: nonEmptyString.optional().describe('Address it listens on. Default: 0.0.0.0.'),
      })
      .optional()
      .describe('The health, readiness and metrics HTTP server.'),
    shutdown: z
      .strictObject({
        timeout: durationField.optional().describe('Default stop_timeout of every process. Default: 8s.'),
        drain: durationField
          .optional()
          .describe('Readiness turns 503 at once; processes are signalled after this delay. Default: 0s.'),
      })
      .optional()
      .describe('Graceful shutdown.'),
    log: z
      .strictObject({
        level: z
          .enum(['trace', 'debug', 'info', 'warn', 'error'], {
            error: 'expected trace, debug, info, warn or error',
          })
          .optional()
          .describe("procinit's own log level. Default: info."),
        format: z
          .enum(['pretty', 'json', 'raw'], { error: 'expected pretty, json or raw' })
          .optional()
          .describe(
            'pretty (name | line), json (one object per line) or raw (bytes unchanged). Default: pretty.',
          ),
        timestamps: z.boolean().optional().describe('Prefix pretty lines with the time. Default: false.'),
      })
      .optional()
      .describe('Output.'),
  })
  .describe('procinit.yaml: everything beyond the Procfile.');

/** procinit.yaml after validation: durations in ms, signals normalized, env values as text. */
export type ConfigFileData = z.output<typeof configSchema>;

/** One process type's options from procinit.yaml. */
export type ProcessOptions = z.output<typeof processSchema>;

/** A probe from procinit.yaml. */
export type ProbeOptions = z.output<typeof readinessProbeSchema>;

/** The JSON Schema of procinit.yaml, printed by `procinit schema`. */
export function schemaAsJson(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return { ...schema, title: 'procinit.yaml' };
}
