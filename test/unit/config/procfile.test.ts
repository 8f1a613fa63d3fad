import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProcfile } from '../../../src/config/procfile.js';
import { formatProblem } from '../../../src/errors.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/config/procfile/${name}`, import.meta.url), 'utf8');

describe('parseProcfile', () => {
  it('reads NAME: COMMAND lines, skipping comments and blank lines, with whitespace around the colon', () => {
    const result = parseProcfile(fixture('valid.Procfile'), 'Procfile');
    expect(result.problems).toEqual([]);
    expect(result.entries).toEqual([
      { name: 'web', command: 'gunicorn --bind 0.0.0.0:$PORT src.api:app', line: 2 },
      { name: 'worker', command: 'celery -A app.celery worker', line: 4 },
      { name: 'clock', command: 'python clock.py', line: 5 },
    ]);
  });

  it('accepts CRLF line ends and a byte order mark', () => {
    const result = parseProcfile(`\uFEFF${fixture('crlf.Procfile')}`, 'Procfile');
    expect(result.problems).toEqual([]);
    expect(result.entries.map((entry) => entry.command)).toEqual(['gunicorn app', 'celery worker']);
  });

  it('keeps colons in the command', () => {
    const result = parseProcfile('web: gunicorn --bind 0.0.0.0:8000 app:app', 'Procfile');
    expect(result.entries[0]?.command).toBe('gunicorn --bind 0.0.0.0:8000 app:app');
  });

  it('reports every problem, each with file:line and the line', () => {
    const result = parseProcfile(fixture('invalid.Procfile'), 'Procfile');
    expect(result.problems.map(formatProblem)).toEqual([
      'Procfile:2: malformed line "worker python worker.py"\n' +
        '  why: a Procfile line must be NAME: COMMAND\n' +
        '  fix: write one process per line as NAME: COMMAND, NAME made of letters, digits, _ or -',
      'Procfile:3: duplicate process name "web" (first on line 1)\n' +
        '  why: line 3 is "web: python other.py"; each process type must be defined once\n' +
        '  fix: rename one of them, or use instances (procinit.yaml) or -m to run several',
      'Procfile:4: empty command for process "clock" in line "clock:"\n  fix: write the command after the colon: clock: COMMAND',
      'Procfile:5: malformed line "my.job: run"\n' +
        '  why: a Procfile line must be NAME: COMMAND\n' +
        '  fix: write one process per line as NAME: COMMAND, NAME made of letters, digits, _ or -',
    ]);
    expect(result.problems.map((problem) => problem.code)).toEqual([
      'procfile.malformed-line',
      'procfile.duplicate-name',
      'procfile.empty-command',
      'procfile.malformed-line',
    ]);
    // The valid lines are still returned, so later checks can run on them.
    expect(result.entries.map((entry) => entry.name)).toEqual(['web']);
  });

  it('masks secrets in the lines it quotes back', () => {
    const text = 'web API_KEY=sk-1 run --password=pw2 postgres://u:pw3@h/db\nweb: a\nweb: TOKEN=tk4 b';
    const shown = parseProcfile(text, 'Procfile').problems.map(formatProblem).join('\n');
    for (const secret of ['sk-1', 'pw2', 'pw3', 'tk4']) expect(shown).not.toContain(secret);
    expect(shown).toContain('API_KEY=****');
  });

  it.each([
    ['', []],
    ['# only a comment\n\n   \n', []],
    ['  # indented comment', []],
    ['a-b_C9: x', ['a-b_C9']],
  ])('parses %j', (text, names) => {
    const result = parseProcfile(text, 'Procfile');
    expect(result.problems).toEqual([]);
    expect(result.entries.map((entry) => entry.name)).toEqual(names);
  });
});
