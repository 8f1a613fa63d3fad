import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../../src/config/load-config-file.js';
import { formatProblem, type ProblemDetails } from '../../../src/errors.js';

const fixtureText = (name: string) =>
  readFileSync(new URL(`../../fixtures/config/invalid/${name}`, import.meta.url), 'utf8');

/**
 * Problems of a fixture, named without a `.txt` suffix: the fixture with a YAML syntax error
 * is stored as .txt because Biome parses .yaml files and would fail the lint on it.
 */
function problemsOf(name: string): ProblemDetails[] {
  const result = parseConfigFile(fixtureText(name), name.replace(/\.txt$/, ''));
  if (result.ok) throw new Error(`${name} was accepted`);
  return result.problems;
}

/** The first line of each problem: `file:line:col: key.path: expected …, found …`. */
const headlines = (problems: ProblemDetails[]) =>
  problems.map((problem) => formatProblem(problem).split('\n')[0]);

const DURATION = 'expected a duration such as 500ms, 10s, 5m, 1h or a number of seconds';

describe('parseConfigFile: each invalid case names file:line:col, the key path, expected and found', () => {
  it.each([
    [
      'unknown-top-key.yaml',
      'unknown-top-key.yaml:1:1: proceses: unknown key "proceses"; did you mean "processes"?',
    ],
    [
      'unknown-process-key.yaml',
      'unknown-process-key.yaml:3:5: processes.worker.stop_timout: unknown key "stop_timout"; did you mean "stop_timeout"?',
    ],
    [
      'unknown-key-no-suggestion.yaml',
      'unknown-key-no-suggestion.yaml:3:3: health.banana: unknown key "banana"',
    ],
    [
      'unknown-key.json',
      'unknown-key.json:3:41: processes.web.restrat: unknown key "restrat"; did you mean "restart"?',
    ],
    [
      'wrong-type-boolean.yaml',
      'wrong-type-boolean.yaml:3:15: processes.web.critical: expected true or false, found "yes"',
    ],
    [
      'bad-duration.yaml',
      `bad-duration.yaml:4:16: processes.worker.backoff.initial: ${DURATION}, found "10 seconds"`,
    ],
    [
      'bad-enum.yaml',
      'bad-enum.yaml:3:14: processes.worker.restart: expected always, on-failure or never, found "on_failure"; ' +
        'did you mean "on-failure"?',
    ],
    [
      'probe-two-checks.yaml',
      'probe-two-checks.yaml:3:16: processes.web.readiness: expected exactly one of http, tcp, exec or log, ' +
        'found http and tcp',
    ],
    [
      'probe-no-check.yaml',
      'probe-no-check.yaml:4:7: processes.web.readiness: expected exactly one of http, tcp, exec or log, found none',
    ],
    [
      'liveness-log.yaml',
      'liveness-log.yaml:4:12: processes.web.liveness.log: expected http, tcp or exec: log is for readiness only, ' +
        'found "Listening"',
    ],
    [
      'bad-signal.yaml',
      'bad-signal.yaml:3:18: processes.web.stop_signal: expected a signal name such as SIGTERM, SIGINT or SIGQUIT, ' +
        'found "SIGSTOPP"',
    ],
    [
      'bad-process-name.yaml',
      'bad-process-name.yaml:2:3: processes.my.web: expected a process name made of letters, digits, _ or -, ' +
        'found "my.web"',
    ],
    [
      'bad-depends-on-condition.yaml',
      'bad-depends-on-condition.yaml:3:24: processes.worker.depends_on.web: expected ready, started or completed, ' +
        'found "redy"; did you mean "ready"?',
    ],
    [
      'bad-mode.yaml',
      'bad-mode.yaml:3:35: preflight.dirs[0].mode: expected an octal mode in quotes, such as "0750" ' +
        '(YAML reads an unquoted 0750 as the number 750), found 750',
    ],
    [
      'task-missing-run.yaml',
      'task-missing-run.yaml:3:7: preflight.tasks[0].run: missing, expected a string',
    ],
    ['bad-port.yaml', 'bad-port.yaml:2:9: health.port: expected a port number (0-65535), found 80990'],
    [
      'bad-instances.yaml',
      'bad-instances.yaml:3:16: processes.worker.instances: expected a whole number ≥ 0, found -1',
    ],
    [
      'bad-env-value.yaml',
      'bad-env-value.yaml:4:21: processes.worker.env.C_FORCE_ROOT: expected a string, number or boolean, found a list',
    ],
    ['yaml-syntax.yaml.txt', 'yaml-syntax.yaml:4:1: invalid YAML: Missing closing "quote'],
    ['duplicate-key.yaml', 'duplicate-key.yaml:3:1: invalid YAML: Map keys must be unique'],
    ['not-a-mapping.yaml', 'not-a-mapping.yaml:1:1: (top level): expected a mapping, found a list'],
  ])('%s', (name, expected) => {
    expect(headlines(problemsOf(name))).toEqual([expected]);
  });

  it('reports every problem of a file, in file order', () => {
    expect(headlines(problemsOf('many-problems.yaml'))).toEqual([
      'many-problems.yaml:3:15: processes.web.critical: expected true or false, found "yes"',
      'many-problems.yaml:4:5: processes.web.stop_timout: unknown key "stop_timout"; did you mean "stop_timeout"?',
      'many-problems.yaml:6:10: log.level: expected trace, debug, info, warn or error, found "verbose"',
      'many-problems.yaml:7:11: log.format: expected pretty, json or raw, found "text"',
    ]);
    expect(headlines(problemsOf('bad-wait-for.yaml'))).toEqual([
      'bad-wait-for.yaml:3:14: preflight.wait_for[0].tcp: expected "host:port", e.g. "db:5432", found "db"',
      'bad-wait-for.yaml:4:7: preflight.wait_for[1]: expected exactly one of tcp or http, found neither',
    ]);
    expect(headlines(problemsOf('probe-bad-values.yaml'))).toEqual([
      'probe-bad-values.yaml:4:13: processes.web.readiness.http: expected an http:// or https:// URL, ' +
        'found "localhost:8000/health"',
      'probe-bad-values.yaml:5:26: processes.web.readiness.failure_threshold: expected a whole number ≥ 1, found 0',
      'probe-bad-values.yaml:6:17: processes.web.readiness.interval: expected a duration longer than zero, ' +
        'such as 500ms or 10s, found 0',
      'probe-bad-values.yaml:9:16: processes.web.liveness.timeout: expected a duration longer than zero, ' +
        'such as 500ms or 10s, found "0s"',
    ]);
  });

  it('lists the allowed keys for an unknown key, and tells how to add a missing one', () => {
    expect(problemsOf('unknown-key-no-suggestion.yaml')[0]?.fix).toBe('allowed here: port, host');
    expect(problemsOf('task-missing-run.yaml')[0]?.fix).toBe('add run:');
  });

  it('masks a password in a value it quotes back', () => {
    const result = parseConfigFile(
      'processes:\n  web:\n    readiness: { http: "ftp://u:hunter2@h/" }\n',
      'p.yaml',
    );
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : headlines(result.problems).join('\n');
    expect(text).toContain('found "ftp://u:****@h/"');
    expect(text).not.toContain('hunter2');
  });

  it("masks a value it quotes back by the file's own secret patterns", () => {
    const yaml =
      'preflight:\n  env:\n    secret: ["*_CRED"]\nprocesses:\n  web:\n    restart: "MY_CRED=v-9"\n';
    const result = parseConfigFile(yaml, 'p.yaml');
    const text = result.ok ? '' : headlines(result.problems).join('\n');
    expect(text).toContain('found "MY_CRED=****"');
    expect(text).not.toContain('v-9');
  });
});

describe('parseConfigFile: valid files', () => {
  it('parses the example of SPEC §2.2, with durations in ms and signals normalized', () => {
    const text = readFileSync(new URL('../../fixtures/config/spec-example.yaml', import.meta.url), 'utf8');
    const result = parseConfigFile(text, 'procinit.yaml');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const worker = result.config.data.processes?.worker;
    expect(worker?.backoff).toEqual({ initial: 1_000, max: 30_000, reset_after: 10_000 });
    expect(worker?.stop_timeout).toBe(30_000);
    expect(worker?.env).toEqual({ C_FORCE_ROOT: 'false' });
    expect(result.config.data.preflight?.dirs?.[0]?.mode).toBe(0o750);
    expect(result.config.data.preflight?.wait_for?.[1]?.timeout).toBe(60_000);
    expect(result.config.locate(['processes', 'worker', 'instances'])).toEqual({
      file: 'procinit.yaml',
      line: 26,
      column: 16,
    });
  });

  it.each([
    ['', {}],
    ['# only a comment\n', {}],
    ['{}', {}],
    ['{"log": {"level": "debug"}}', { log: { level: 'debug' } }],
    ['processes:\n  w:\n    stop_signal: term\n', { processes: { w: { stop_signal: 'SIGTERM' } } }],
    [
      'processes:\n  w:\n    env: { N: 4, B: false }\n',
      { processes: { w: { env: { N: '4', B: 'false' } } } },
    ],
    ['env_file: .env\n', { env_file: '.env' }],
  ])('accepts %j', (text, data) => {
    const result = parseConfigFile(text, 'procinit.yaml');
    expect(result).toMatchObject({ ok: true, config: { data } });
  });
});
