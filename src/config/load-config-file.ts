import { type Document, LineCounter, parseDocument } from 'yaml';
import type { ProblemDetails, SourceLocation } from '../errors.js';
import { type IssueContext, issueToProblems } from './config-issues.js';
import { type ConfigFileData, configSchema } from './schema.js';
import { allowedKeysAt } from './schema-keys.js';
import { type KeyPath, locateInDocument } from './yaml-locate.js';
import * as z from './zod.js';

/** A validated procinit.yaml that still knows where each of its keys is written. */
export interface ConfigFile {
  /** The file as named in messages: `procinit.yaml`, `config/procinit.yaml`. */
  file: string;
  data: ConfigFileData;
  /** Where a key path is written, for problems found after validation (depends_on cycles…). */
  locate(path: KeyPath, which?: 'key' | 'value'): SourceLocation;
}

/**
 * A parsed config file, or every problem found in it. An invalid file whose `procfile` and
 * `env_file` keys are sound still gives them as `partial`, so the loader can check those
 * files in the same run.
 */
export type ConfigFileResult =
  | { ok: true; config: ConfigFile }
  | { ok: false; problems: ProblemDetails[]; partial?: ConfigFile };

// Not strict: it reads these two keys of a file that may be wrong elsewhere.
const fileKeysSchema = z.object({
  procfile: configSchema.shape.procfile,
  env_file: configSchema.shape.env_file,
});

/** YAML's own errors (syntax, duplicate keys, bad indentation), each with line and column. */
function syntaxProblems(doc: Document, lineCounter: LineCounter, file: string): ProblemDetails[] {
  return doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return {
      code: 'config.syntax',
      what: `invalid YAML: ${error.message}`,
      where: { file, line, column: col },
    };
  });
}

/** Converts the document to plain data; an undefined alias is the one way this throws. */
function toPlainData(doc: Document, file: string): { data: unknown } | { problem: ProblemDetails } {
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) ?? {} };
  } catch (error) {
    return {
      problem: { code: 'config.syntax', what: `invalid YAML: ${(error as Error).message}`, where: { file } },
    };
  }
}

/**
 * Parses and validates the text of procinit.yaml (YAML or JSON, which YAML contains).
 * `file` is the name used in messages. Every problem is returned, each with file:line:col,
 * the key path, what was expected and what was found, and "did you mean" for a misspelt key.
 */
export function parseConfigFile(text: string, file: string): ConfigFileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = syntaxProblems(doc, lineCounter, file);
  if (syntax.length > 0) return { ok: false, problems: syntax };
  const plain = toPlainData(doc, file);
  if ('problem' in plain) return { ok: false, problems: [plain.problem] };

  const locate = (path: KeyPath, which: 'key' | 'value' = 'value'): SourceLocation => {
    const position = locateInDocument(doc, lineCounter, path, which);
    return position ? { file, line: position.line, column: position.column } : { file };
  };
  const result = configSchema.safeParse(plain.data);
  if (!result.success) {
    const ctx: IssueContext = {
      data: plain.data,
      locate,
      allowedKeys: (path) => allowedKeysAt(configSchema, path),
    };
    const problems = sortByPosition(result.error.issues.flatMap((issue) => issueToProblems(issue, ctx)));
    const files = fileKeysSchema.safeParse(plain.data);
    return files.success
      ? { ok: false, problems, partial: { file, data: stripUndefined(files.data), locate } }
      : { ok: false, problems };
  }
  return { ok: true, config: { file, data: result.data, locate } };
}

/** Orders problems as they appear in the file, so the report reads top to bottom. */
function sortByPosition(problems: ProblemDetails[]): ProblemDetails[] {
  const key = (p: ProblemDetails) => (p.where?.line ?? 0) * 100_000 + (p.where?.column ?? 0);
  return [...problems].sort((a, b) => key(a) - key(b));
}

/** Drops keys whose value is undefined, as exactOptionalPropertyTypes wants. */
function stripUndefined<T extends object>(data: T): T {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)) as T;
}
