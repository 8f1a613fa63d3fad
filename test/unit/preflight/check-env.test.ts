import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../../src/preflight/check-env.js';

const summary = (lines: ReturnType<typeof checkEnv>) =>
  lines.map((line) => [line.subject, line.severity, line.detail]);

describe('checkEnv', () => {
  it('passes set variables: a secret one shows "set (hidden)", any other "set", never a value', () => {
    const lines = checkEnv(
      { required: ['DATABASE_URL', 'SECRET_KEY', 'DB_PASS'], optional: ['OPENAI_API_KEY'] },
      {
        DATABASE_URL: 'postgres://u:hunter2@db/app',
        SECRET_KEY: 's3cr3t',
        DB_PASS: 'pw',
        OPENAI_API_KEY: 'sk-1',
      },
      ['DB_PASS'],
    );
    expect(summary(lines)).toEqual([
      ['DATABASE_URL', 'ok', 'set'],
      ['SECRET_KEY', 'ok', 'set (hidden)'],
      ['DB_PASS', 'ok', 'set (hidden)'],
      ['OPENAI_API_KEY', 'ok', 'set (hidden)'],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|s3cr3t|"pw"|sk-1/);
  });

  it('fails every missing or empty required variable, one line each, with a fix', () => {
    const lines = checkEnv({ required: ['A', 'B', 'C'], optional: [] }, { B: '' }, []);
    expect(summary(lines)).toEqual([
      ['A', 'fail', 'missing'],
      ['B', 'fail', 'set but empty'],
      ['C', 'fail', 'missing'],
    ]);
    expect(lines.every((line) => line.ok === false && line.fix?.startsWith(`set ${line.subject} `))).toBe(
      true,
    );
  });

  it('warns about an unset optional variable, and does not fail', () => {
    const lines = checkEnv({ required: [], optional: ['SENTRY_DSN', 'X'] }, { X: '' }, []);
    expect(summary(lines)).toEqual([
      ['SENTRY_DSN', 'warn', 'not set (optional)'],
      ['X', 'warn', 'set but empty (optional)'],
    ]);
    expect(lines.every((line) => line.ok)).toBe(true);
  });

  it('lists a variable once, as required, when it is in both lists or twice', () => {
    const lines = checkEnv({ required: ['A', 'A'], optional: ['A'] }, {}, []);
    expect(summary(lines)).toEqual([['A', 'fail', 'missing']]);
  });
});
