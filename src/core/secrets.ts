/**
 * The one place that decides what is secret and how it is hidden (SPEC §7): every value
 * procinit prints — logs, `procinit config`, the preflight report — goes through here.
 * Pure: no imports. Masking errs on the side of hiding: a harmless variable called
 * `KEYBOARD` shown as `****` costs little; a leaked password in a container log costs a lot.
 */

/** What a hidden value is replaced with. */
export const MASK = '****';

/** How the preflight report shows a secret variable that is set. */
export const SECRET_SET = 'set (hidden)';

/**
 * Built-in secret name patterns (SPEC §7): a name containing any of these words, in any case,
 * is secret. Written as globs so they can be listed with the configured ones.
 */
export const BUILTIN_SECRET_PATTERNS: readonly string[] = [
  '*KEY*',
  '*SECRET*',
  '*TOKEN*',
  '*PASSWORD*',
  '*PASSWD*',
  '*CREDENTIAL*',
  '*PRIVATE*',
  '*AUTH*',
];

const globCache = new Map<string, RegExp>();

/** A glob (`*` any run, `?` one character, the rest literal) as a case-insensitive RegExp. */
function globToRegExp(glob: string): RegExp {
  let cached = globCache.get(glob);
  if (!cached) {
    const body = glob
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    cached = new RegExp(`^${body}$`, 'is');
    globCache.set(glob, cached);
  }
  return cached;
}

/** True when `glob` (`*_KEY`, `*TOKEN*`, `DB_PASS`) matches `name`, ignoring case. */
export function matchesGlob(name: string, glob: string): boolean {
  return globToRegExp(glob).test(name);
}

/**
 * True when a variable called `name` holds a secret: it matches a built-in pattern or one of
 * `patterns` (globs, case-insensitive). The built-ins always apply, whatever `patterns` is.
 */
export function isSecretName(name: string, patterns: readonly string[] = []): boolean {
  return (
    BUILTIN_SECRET_PATTERNS.some((glob) => matchesGlob(name, glob)) ||
    patterns.some((glob) => matchesGlob(name, glob))
  );
}

// scheme://user:password@ — the password runs to the last `@` before the host, since users
// often leave `@`, `#` and `?` in passwords unencoded (libpq takes `postgres://u:a#b@h/db` as
// written, so such a URL works, and its password must not show); it stops at whitespace,
// quotes and `/`. A URL without a path whose query holds `@` (`http://h:80?to=a@b`) is masked
// too much; hiding too much is the safe side.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@'"]*):([^\s/'"]*)@/gi;

/**
 * Masks the password of every URL's userinfo in `text`:
 * `postgres://u:pw@h/db` → `postgres://u:****@h/db`. A URL without a password is unchanged.
 */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_USERINFO, (whole, scheme: string, user: string, password: string) =>
    password === '' ? whole : `${scheme}${user}:${MASK}@`,
  );
}

/**
 * The value of variable `name` as it may be printed: `****` for a secret name (an empty
 * value stays empty: that it is empty gives nothing away and helps debugging), otherwise the
 * value with URL passwords masked.
 */
export function maskValue(name: string, value: string, patterns: readonly string[] = []): string {
  if (isSecretName(name, patterns)) return value === '' ? '' : MASK;
  return maskUrlPasswords(value);
}

/** A copy of an environment with every value passed through maskValue. */
export function maskEnv(
  env: Readonly<Record<string, string>>,
  patterns: readonly string[] = [],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, maskValue(name, value, patterns)]),
  );
}

// `NAME=value` or `--name=value` at the start of a word, the value bare or quoted.
const ASSIGNMENT = /(^|\s)(--?[A-Za-z0-9][A-Za-z0-9_-]*|[A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s'"]*)/g;

// `?name=value` or `&name=value` in a URL's query string.
const QUERY_PARAMETER = /([?&])([^=&#\s]+)=([^&#\s'"]*)/g;

function decodedName(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Masks secrets in free text such as a command line or a URL: URL passwords, the value of
 * every `NAME=value` or `--flag=value` whose name is secret (`API_KEY=abc gunicorn`,
 * `--db-password=hunter2`), and of every secret query parameter (`?api_key=…`, `&token=…`).
 */
export function maskText(text: string, patterns: readonly string[] = []): string {
  const masked = text
    .replace(ASSIGNMENT, (whole, space: string, name: string, value: string) => {
      if (value === '' || !isSecretName(name.replace(/^-+/, ''), patterns)) return whole;
      return `${space}${name}=${MASK}`;
    })
    .replace(QUERY_PARAMETER, (whole, separator: string, name: string, value: string) =>
      value !== '' && isSecretName(decodedName(name), patterns) ? `${separator}${name}=${MASK}` : whole,
    );
  return maskUrlPasswords(masked);
}
