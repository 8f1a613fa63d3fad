import {
  durationField,
  hostPortField,
  httpUrlField,
  intAtLeast,
  nonEmptyString,
  positiveDurationField,
  regExpField,
} from './schema-fields.js';
import * as z from './zod.js';

/** The check keys of a probe, of which exactly one must be given (SPEC §2.2). */
export const PROBE_CHECK_KEYS = ['http', 'tcp', 'exec', 'log'] as const;

const probeShape = {
  http: httpUrlField.optional().describe('Passes when a GET of this URL answers 2xx or 3xx.'),
  tcp: hostPortField.optional().describe('Passes when a TCP connection to "host:port" succeeds.'),
  exec: nonEmptyString.optional().describe('Passes when this command, run by /bin/sh -c, exits 0.'),
  log: regExpField
    .optional()
    .describe(
      'Readiness only: a regular expression; the first output line that matches marks the process ready. ' +
        'Lines are matched without their newline and with terminal colour codes removed.',
    ),
  interval: positiveDurationField.optional().describe('Time between two attempts. Default: 10s.'),
  timeout: positiveDurationField.optional().describe('An attempt that takes longer fails. Default: 1s.'),
  initial_delay: durationField
    .optional()
    .describe('Wait this long after the process starts before the first attempt. Default: 0s.'),
  failure_threshold: intAtLeast(1)
    .optional()
    .describe('Consecutive failed attempts that make the probe fail. Default: 3.'),
  success_threshold: intAtLeast(1)
    .optional()
    .describe('Consecutive successful attempts that make a failing probe pass again. Default: 1.'),
};

/** The schema of a readiness (`allowLog`) or liveness probe: exactly one check plus timing. */
export function probeSchema(options: { allowLog: boolean }) {
  const checks = options.allowLog ? PROBE_CHECK_KEYS : PROBE_CHECK_KEYS.filter((key) => key !== 'log');
  // The JSON Schema says "exactly one" too, so editors flag it; zod's refinement is not exported.
  const exactlyOne = { oneOf: checks.map((key) => ({ required: [key] })) };
  const schema = z.strictObject(probeShape).superRefine((probe, ctx) => {
    const given = PROBE_CHECK_KEYS.filter((key) => probe[key] !== undefined);
    const allowed = options.allowLog ? 'http, tcp, exec or log' : 'http, tcp or exec';
    if (given.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of ${allowed}, found none`,
        input: probe,
      });
    } else if (given.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of ${allowed}, found ${given.join(' and ')}`,
        input: probe,
      });
    } else if (given[0] === 'log' && !options.allowLog) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected http, tcp or exec: log is for readiness only',
        path: ['log'],
        input: probe.log,
      });
    }
  });
  return schema.meta(exactlyOne);
}

/** A readiness probe (SPEC §2.2): http, tcp, exec or log. */
export const readinessProbeSchema = probeSchema({ allowLog: true }).describe(
  'How to tell the process is ready. Until it is, the process is not ready and the health status is ' +
    'not healthy. Exactly one of http, tcp, exec or log.',
);

/** A liveness probe (SPEC §2.2): http, tcp or exec. */
export const livenessProbeSchema = probeSchema({ allowLog: false }).describe(
  'How to tell the process is alive: failure_threshold consecutive failures restart it. ' +
    'Exactly one of http, tcp or exec.',
);
