import type { ProblemDetails, SourceLocation } from '../errors.js';
import { describeFound } from './describe-found.js';
import { didYouMean } from './did-you-mean.js';
import { formatKeyPath, type KeyPath, valueAtPath } from './yaml-locate.js';
import type * as z from './zod.js';

type Issue = z.core.$ZodIssue;

/** What the issue translator needs to know about the file the issues came from. */
export interface IssueContext {
  /** The parsed, not yet validated, data. */
  data: unknown;
  /** Where a key (for unknown keys) or value is written. */
  locate(path: KeyPath, which: 'key' | 'value'): SourceLocation;
  /** The keys a mapping at this path may have, for "did you mean". */
  allowedKeys(path: KeyPath): readonly string[];
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/**
 * The secret patterns the file itself configures (preflight.env.secret), read from the raw
 * data: the file is invalid, but a value quoted back must be masked by its own patterns too.
 */
function configuredSecretPatterns(data: unknown): string[] {
  const secret = valueAtPath(data, ['preflight', 'env', 'secret']);
  return Array.isArray(secret) ? secret.filter((glob): glob is string => typeof glob === 'string') : [];
}

function problem(code: string, what: string, where: SourceLocation, fix?: string): ProblemDetails {
  return fix === undefined ? { code, what, where } : { code, what, fix, where };
}

function unknownKeyProblems(path: KeyPath, keys: readonly string[], ctx: IssueContext): ProblemDetails[] {
  const allowed = ctx.allowedKeys(path);
  return keys.map((key) => {
    const keyPath = [...path, key];
    const suggestion = didYouMean(key, allowed);
    const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
    const where = ctx.locate(keyPath, 'key');
    const fix = allowed.length > 0 ? `allowed here: ${allowed.join(', ')}` : undefined;
    return problem(
      'config.unknown-key',
      `${formatKeyPath(keyPath)}: unknown key "${key}"${hint}`,
      where,
      fix,
    );
  });
}

/** The "expected …" text of an issue: the schema's own message, or one built from the issue. */
function expectedText(issue: Issue): string {
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** Picks the union branch that got furthest: the one not failing on the type of the value itself. */
function unionProblems(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: KeyPath,
  ctx: IssueContext,
): ProblemDetails[] | undefined {
  if (issue.message.startsWith('expected')) return undefined;
  const deeper = issue.errors.find((branch) =>
    branch.some((inner) => inner.code !== 'invalid_type' || inner.path.length > 0),
  );
  if (!deeper) return undefined;
  return deeper.flatMap((inner) => issueToProblems(inner, ctx, path));
}

/**
 * Turns one zod issue into problems a user can act on: `file:line:col`, the key path, what was
 * expected and what was found, "did you mean" for a misspelt key or value. `prefix` is the
 * path of the union the issue came from, when it came from a union branch.
 */
export function issueToProblems(issue: Issue, ctx: IssueContext, prefix: KeyPath = []): ProblemDetails[] {
  const path: KeyPath = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') return unknownKeyProblems(path, issue.keys, ctx);
  if (issue.code === 'invalid_union') {
    const fromBranch = unionProblems(issue, path, ctx);
    if (fromBranch) return fromBranch;
  }
  const found = valueAtPath(ctx.data, path);
  const name = formatKeyPath(path);
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    const expected = inner ? expectedText(inner) : 'expected a valid name';
    return [
      problem(
        'config.invalid-key',
        `${name}: ${expected}, found "${String(path.at(-1))}"`,
        ctx.locate(path, 'key'),
      ),
    ];
  }
  if (found === undefined && issue.code === 'invalid_type') {
    const what = `${name}: missing, ${expectedText(issue)}`;
    return [problem('config.missing-key', what, ctx.locate(path, 'value'), `add ${String(path.at(-1))}:`)];
  }
  const expected = expectedText(issue);
  // A message that already says what was found (`found http and tcp`) is not repeated.
  let what = /\bfound\b/.test(expected)
    ? `${name}: ${expected}`
    : `${name}: ${expected}, found ${describeFound(found, configuredSecretPatterns(ctx.data))}`;
  if (issue.code === 'invalid_value' && typeof found === 'string') {
    const suggestion = didYouMean(found, issue.values.map(String));
    if (suggestion !== undefined) what += `; did you mean "${suggestion}"?`;
  }
  const code = issue.code === 'invalid_type' ? 'config.invalid-type' : 'config.invalid-value';
  return [problem(code, what, ctx.locate(path, 'value'))];
}
