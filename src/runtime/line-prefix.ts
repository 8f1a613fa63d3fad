/**
 * The `web.1 | ` prefix of the pretty format, shared by children's lines and procinit's own
 * (so the columns line up): an optional time, the name padded to the width of the longest one,
 * and a colour per process when colour is on.
 */

/** SGR colour codes given to processes in turn: foreman's order (cyan, yellow, green, …). */
export const PROCESS_COLORS: readonly string[] = [
  '36',
  '33',
  '32',
  '35',
  '31',
  '34',
  '96',
  '93',
  '92',
  '95',
  '91',
  '94',
];

/** procinit's own lines: bold in the terminal's default colour, unlike any process. */
export const PROCINIT_COLOR = '1';

/** The colour of the `index`-th process (0-based), cycling through {@link PROCESS_COLORS}. */
export function processColor(index: number): string {
  return PROCESS_COLORS[index % PROCESS_COLORS.length]!;
}

const pad2 = (value: number): string => (value < 10 ? '0' : '') + value;

/** `HH:MM:SS.mmm` in local time (the container's TZ, usually UTC), as foreman shows it plus ms. */
export function formatClock(ms: number): string {
  const date = new Date(ms);
  const millis = date.getMilliseconds();
  const millisText = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : String(millis);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}.${millisText}`;
}

export interface PrefixStyle {
  /** Pad the name to this many characters; a longer name is not cut. */
  width: number;
  /** An SGR code such as `36`, or undefined for no colour. */
  color: string | undefined;
}

/**
 * `[\e[36m][HH:MM:SS.mmm ]web.1   | [\e[0m]`: colour around the whole prefix and reset after it,
 * so a child's own colours start from a clean state.
 */
export function formatPrefix(name: string, style: PrefixStyle, clockMs?: number): string {
  const clock = clockMs === undefined ? '' : `${formatClock(clockMs)} `;
  const text = `${clock}${name.padEnd(style.width)} | `;
  return style.color === undefined ? text : `\x1b[${style.color}m${text}\x1b[0m`;
}
