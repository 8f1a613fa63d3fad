import { describe, expect, it } from 'vitest';
import { decodeWaitStatus, signalName } from '../../../src/runtime/libc.js';

describe('decodeWaitStatus', () => {
  // Linux encodes an exit as code << 8, a death by signal as the signal number (| 0x80 for a
  // core dump), and a stop as signal << 8 | 0x7f.
  it.each([
    ['exit 0', 0x0000, { code: 0, signal: null }],
    ['exit 1', 0x0100, { code: 1, signal: null }],
    ['exit 255', 0xff00, { code: 255, signal: null }],
    ['SIGKILL', 9, { code: null, signal: 9 }],
    ['SIGTERM', 15, { code: null, signal: 15 }],
    ['SIGSEGV with a core dump', 0x80 | 11, { code: null, signal: 11 }],
    ['a real-time signal (SIGRTMIN+2 = 36)', 36, { code: null, signal: 36 }],
    ['a stop (never asked for: no WUNTRACED)', (19 << 8) | 0x7f, { code: null, signal: null }],
  ])('decodes %s', (_what, status, expected) => {
    expect(decodeWaitStatus(123, status)).toEqual({ pid: 123, ...expected });
  });
});

describe('signalName', () => {
  it('names the signals Node knows and numbers the others', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(36)).toBe('SIG36');
  });
});
