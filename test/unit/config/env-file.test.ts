import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/config/env-file.js';
import { formatProblem } from '../../../src/errors.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/config/env/${name}`, import.meta.url), 'utf8');

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines with export, quotes, comments and multi-line values', () => {
    const result = parseEnvFile(fixture('valid.env'), '.env');
    expect(result.problems).toEqual([]);
    expect(result.vars).toEqual({
      DATABASE_URL: 'postgres://app:s3cret@db:5432/app',
      SECRET_KEY: 'single $quoted # not a comment',
      GREETING: 'hello\nworld "quoted"',
      EMPTY: '',
      SPACED: 'value with spaces',
      HASH: 'a#b',
      MULTI: 'line one\nline two',
      DEBUG: '2',
    });
  });

  it('accepts CRLF line ends', () => {
    expect(parseEnvFile('A=1\r\nB="2"\r\n', '.env')).toEqual({ vars: { A: '1', B: '2' }, problems: [] });
  });

  it('does not expand variables', () => {
    const braced = ['$', '{HOME}'].join('');
    expect(parseEnvFile(`A=$HOME\nB="${braced}"`, '.env').vars).toEqual({ A: '$HOME', B: braced });
  });

  it('reports every malformed line with file:line and keeps the good ones', () => {
    const result = parseEnvFile(fixture('invalid.env'), '.env');
    expect(result.problems.map(formatProblem)).toEqual([
      '.env:2: malformed line starting "just": no "="\n  fix: write KEY=VALUE',
      '.env:3: invalid variable name "1BAD"\n  fix: a name is letters, digits and _, not starting with a digit',
      '.env:4: unexpected text "trailing" after the closing " in the value of QUOTED\n' +
        '  fix: close the quote, or escape it inside the value',
      '.env:6: unterminated " quote in the value of OPEN\n  fix: close the quote, or escape it inside the value',
    ]);
    expect(result.vars).toEqual({ GOOD: '1', ALSO_GOOD: '2' });
  });

  it('never quotes what follows the name on a line without "=" (it may be a secret)', () => {
    const [problem] = parseEnvFile('export OPENAI_API_KEY sk-live-123', '.env').problems;
    expect(problem?.what).toBe('malformed line starting "OPENAI_API_KEY": no "="');
  });

  it('keeps a variable called __proto__ as a plain variable', () => {
    const result = parseEnvFile('__proto__=x', '.env');
    expect(Object.keys(result.vars)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(result.vars)).toBe(Object.prototype);
  });
});
