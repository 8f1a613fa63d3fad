import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogFormat, LogLevel } from '../../../src/config/resolved-config.js';
import { createLogger } from '../../../src/observe/logger.js';
import { formatValue } from '../../../src/observe/logger-pretty.js';
import { MemorySink } from '../../../src/runtime/output-memory-sink.js';

const NOW = 1_763_798_400_123;

function makeLogger(
  options: { format?: LogFormat; level?: LogLevel; color?: boolean; timestamps?: boolean } = {},
) {
  const sink = new MemorySink();
  const logger = createLogger({
    level: options.level ?? 'info',
    format: options.format ?? 'pretty',
    timestamps: options.timestamps ?? false,
    color: options.color ?? false,
    sinks: { stdout: sink },
    prefixWidth: 10,
    now: () => NOW,
  });
  return { logger, sink };
}

describe('logger, json format', () => {
  it('writes pino-shaped JSON with proc "procinit", the event and its fields', () => {
    const { logger, sink } = makeLogger({ format: 'json' });
    logger.info({ event: 'process.spawned', pid: 17, argv: ['gunicorn', 'app'] }, 'spawned web.1');
    expect(sink.text()).toBe(
      `{"level":30,"time":${NOW},"proc":"procinit","event":"process.spawned","pid":17,"argv":["gunicorn","app"],"msg":"spawned web.1"}\n`,
    );
  });

  it('writes one unit per record, so a record is never cut by a child line', () => {
    const { logger, sink } = makeLogger({ format: 'json' });
    logger.info({ event: 'a' }, 'one');
    logger.warn({ event: 'b' }, 'two');
    expect(sink.units).toHaveLength(2);
    expect(sink.units.map((unit) => JSON.parse(unit.toString()).level)).toEqual([30, 40]);
  });
  it('writes an error as pino does (type, message, stack, its own fields) and never throws', () => {
    const { logger, sink } = makeLogger({ format: 'json' });
    const error = Object.assign(new Error('boom'), { code: 'EBOOM' });
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    logger.error({ event: 'internal', err: error, big: 10n, loop }, 'failed');
    const record = JSON.parse(sink.text());
    expect(record).toMatchObject({
      level: 50,
      event: 'internal',
      err: { type: 'Error', message: 'boom', code: 'EBOOM' },
      big: '10',
      loop: { name: 'loop', self: '[Circular]' },
      msg: 'failed',
    });
    expect(record.err.stack).toMatch(/^Error: boom\n\s+at /);
  });

  it('takes a message alone, and leaves msg out when there is none', () => {
    const { logger, sink } = makeLogger({ format: 'json' });
    logger.info('hello');
    logger.info({ event: 'quiet' });
    expect(sink.text()).toBe(
      `{"level":30,"time":${NOW},"proc":"procinit","msg":"hello"}\n{"level":30,"time":${NOW},"proc":"procinit","event":"quiet"}\n`,
    );
  });

  it('tells which levels it writes', () => {
    const { logger } = makeLogger({ level: 'warn' });
    expect(
      ['trace', 'debug', 'info', 'warn', 'error'].map((level) => logger.isLevelEnabled(level as LogLevel)),
    ).toEqual([false, false, false, true, true]);
  });
});

describe('logger, pretty format', () => {
  it('renders `procinit | msg key=value`, padded like the children', () => {
    const { logger, sink } = makeLogger();
    logger.info(
      { event: 'process.spawned', pid: 17, argv: ['gunicorn', 'app'], cwd: '/my app' },
      'spawned web.1',
    );
    expect(sink.text()).toBe(
      'procinit   | spawned web.1 event=process.spawned pid=17 argv=["gunicorn","app"] cwd="/my app"\n',
    );
  });

  it('labels levels other than info, and drops those below the level', () => {
    const { logger, sink } = makeLogger();
    logger.debug({ event: 'x' }, 'hidden');
    logger.warn({ event: 'probe.failed' }, 'readiness failed');
    logger.error({ event: 'process.failed' }, 'gave up');
    expect(sink.text()).toBe(
      'procinit   | WARN readiness failed event=probe.failed\nprocinit   | ERROR gave up event=process.failed\n',
    );
  });

  it('shows trace and debug records when asked', () => {
    const { logger, sink } = makeLogger({ level: 'trace' });
    logger.trace({ event: 'probe.attempt' }, 'probing');
    logger.debug({ event: 'restart.scheduled', delay_ms: 1000 }, 'restart');
    expect(sink.text()).toBe(
      'procinit   | TRACE probing event=probe.attempt\nprocinit   | DEBUG restart event=restart.scheduled delay_ms=1000\n',
    );
  });

  it('colours the prefix and the level label when colour is on', () => {
    const { logger, sink } = makeLogger({ color: true });
    logger.warn({ event: 'e' }, 'careful');
    expect(sink.text()).toBe('\x1b[1mprocinit   | \x1b[0m\x1b[33mWARN\x1b[0m careful event=e\n');
  });

  it('shows the time before the name with --timestamps', () => {
    const { logger, sink } = makeLogger({ timestamps: true });
    logger.info('hello');
    expect(sink.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} procinit {3}\| hello\n$/);
  });

  it('keeps one record on one line: control characters in the message are escaped', () => {
    const { logger, sink } = makeLogger();
    logger.info({ event: 'e', note: 'two\nlines' }, 'first\nsecond');
    expect(sink.text()).toBe('procinit   | first\\nsecond event=e note="two\\nlines"\n');
  });

  it('renders an error as its message, and its stack on prefixed lines at debug', () => {
    const quiet = makeLogger();
    quiet.logger.error({ event: 'internal', err: new Error('boom') }, 'failed');
    expect(quiet.sink.text()).toBe('procinit   | ERROR failed event=internal err=boom\n');
    const verbose = makeLogger({ level: 'debug' });
    verbose.logger.error({ event: 'internal', err: new Error('boom') }, 'failed');
    const lines = verbose.sink.text().split('\n');
    expect(lines[0]).toBe('procinit   | ERROR failed event=internal err=boom');
    expect(lines[1]).toMatch(/^procinit {3}\| {3}at /);
  });

  it('uses the pretty rendering in raw format', () => {
    const { logger, sink } = makeLogger({ format: 'raw' });
    logger.info({ event: 'e' }, 'hi');
    expect(sink.text()).toBe('procinit   | hi event=e\n');
  });

  it.each([
    ['bare word', 'web.1', 'web.1'],
    ['with a space', 'a b', '"a b"'],
    ['empty', '', '""'],
    ['with =', 'a=b', '"a=b"'],
    ['number', 3, '3'],
    ['null', null, 'null'],
    ['object', { a: 1 }, '{"a":1}'],
  ])('formats a value: %s', (_name, value, want) => {
    expect(formatValue(value)).toBe(want);
  });
});

describe('nothing lost at exit', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'procinit-logger-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** The logger's sources as plain JS (type-stripped), runnable by a bare node child. */
  function transpile(): void {
    const files = [
      'src/observe/logger.ts',
      'src/observe/logger-pretty.ts',
      'src/observe/logger-record.ts',
      'src/runtime/line-prefix.ts',
      'src/runtime/output-sink.ts',
      'src/runtime/output-fd-sink.ts',
      'src/runtime/output-sinks.ts',
    ];
    for (const file of files) {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
      });
      const out = path.join(work, file.replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, outputText);
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
    fs.writeFileSync(path.join(work, 'package.json'), '{"type":"module"}');
  }

  /** Runs a child that logs `count` records to its stdout (a pipe) and exits at once. */
  function runChild(count: number, flush: boolean): string[] {
    const script = `
      import { createOutputSinks } from './src/runtime/output-sinks.js';
      import { createLogger } from './src/observe/logger.js';
      const sinks = createOutputSinks();
      const logger = createLogger({ level: 'info', format: 'json', timestamps: false, color: false, sinks, prefixWidth: 8 });
      for (let i = 0; i < ${count}; i++) logger.info({ event: 'test.record', i }, 'record');
      ${flush ? 'sinks.flushSync();' : ''}
      process.exit(0);
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: work,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').slice(0, -1);
  }

  it('delivers every record when the exit path calls flushSync (and loses them when it does not)', () => {
    transpile();
    const count = 20_000;
    const lines = runChild(count, true);
    expect(lines).toHaveLength(count);
    lines.forEach((line, i) => {
      expect(JSON.parse(line)).toMatchObject({ proc: 'procinit', event: 'test.record', i });
    });
    // Negative control: without flushSync the queued records die with the process.
    expect(runChild(count, false).length).toBeLessThan(count);
  });
});
