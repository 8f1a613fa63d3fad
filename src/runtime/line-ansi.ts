/**
 * Terminal escape sequences: CSI (`\e[31m`, `\e[2K`, and the 8-bit `\x9b` form), OSC
 * (`\e]8;;url\e\\` hyperlinks, window titles; ended by BEL or ST), and two-byte escapes (`\e7`).
 */
const ANSI_PATTERN = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** `text` without terminal colour and control sequences, for matching (a `log` readiness regex). */
export function stripAnsi(text: string): string {
  if (text.indexOf('\x1b') === -1 && text.indexOf('\x9b') === -1) return text;
  return text.replace(ANSI_PATTERN, '');
}
