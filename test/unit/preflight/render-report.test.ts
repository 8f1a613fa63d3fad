import { describe, expect, it } from 'vitest';
import { preflightLine } from '../../../src/preflight/preflight-line.js';
import {
  formatPreflightLine,
  logPreflightReport,
  renderPreflightReport,
} from '../../../src/preflight/render-report.js';
import type { PreflightResult } from '../../../src/preflight/run-preflight.js';

function result(overrides: Partial<PreflightResult>): PreflightResult {
  return {
    mode: 'run',
    ok: true,
    lines: [],
    durationMs: 1_234,
    identities: new Map(),
    setprivPath: '/usr/bin/setpriv',
    interrupted: false,
    secretPatterns: [],
    ...overrides,
  };
}

describe('the preflight report', () => {
  it('one line per check: severity, kind, subject, result, and the fix of a failure', () => {
    const lines = [
      preflightLine('env', 'SECRET_KEY', 'ok', 'set (hidden)'),
      preflightLine('env', 'SENTRY_DSN', 'warn', 'not set (optional)'),
      preflightLine('port', '8000', 'fail', 'in use by pid 7 (nginx)', { fix: 'stop it' }),
    ];
    expect(renderPreflightReport(result({ ok: false, lines }))).toEqual([
      '[ok]   env SECRET_KEY: set (hidden)',
      '[warn] env SENTRY_DSN: not set (optional)',
      '[FAIL] port 8000: in use by pid 7 (nginx); fix: stop it',
      'preflight failed: 1 of 3 checks failed (port 8000); nothing was started',
    ]);
  });

  it('summarises a pass, and says in check mode that nothing was changed', () => {
    const lines = [
      preflightLine('command', 'sh', 'ok', '/bin/sh'),
      preflightLine('env', 'X', 'warn', 'not set (optional)'),
    ];
    expect(renderPreflightReport(result({ lines })).at(-1)).toBe(
      'preflight passed: 2 checks, 1 warning, in 1.2s',
    );
    expect(renderPreflightReport(result({ mode: 'check', lines })).at(-1)).toBe(
      'check passed: 2 checks, 1 warning, in 1.2s; nothing was created, waited for or run',
    );
  });

  it('masks a NAME=value or URL password that slipped into a detail', () => {
    const line = preflightLine('task', 'x', 'fail', 'failed: API_TOKEN=abc http://u:pw@h/');
    expect(formatPreflightLine(line, [])).toBe('[FAIL] task x: failed: API_TOKEN=**** http://u:****@h/');
  });

  it('logs passes at info, warnings at warn and failures at error, so -q still shows why', () => {
    const calls: string[] = [];
    const log = (level: string) => (_fields: object, msg: string) => calls.push(`${level} ${msg}`);
    const logger = {
      trace: log('trace'),
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
    };
    const lines = [
      preflightLine('env', 'A', 'ok', 'set'),
      preflightLine('env', 'B', 'warn', 'not set (optional)'),
      preflightLine('env', 'C', 'fail', 'missing'),
    ];
    logPreflightReport(result({ ok: false, lines }), logger);
    expect(calls.map((call) => call.split(' ')[0])).toEqual(['info', 'warn', 'error', 'error']);
  });
});
