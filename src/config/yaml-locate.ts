import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** A path into the configuration: `['processes', 'worker', 'backoff', 'initial']`. */
export type KeyPath = readonly PropertyKey[];

/** A 1-based line and column in a file. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * Finds where a key path is written in a parsed YAML document. `key` asks for the key itself
 * (for "unknown key"), `value` for its value. For a path that does not exist (a missing
 * key), the deepest node that does exist is returned, so the user still lands in the right
 * mapping.
 */
export function locateInDocument(
  doc: Document,
  lineCounter: LineCounter,
  path: KeyPath,
  which: 'key' | 'value',
): LineColumn | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = doc.contents ?? undefined;
  for (let i = 0; i < path.length; i += 1) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
      if (!pair) break;
      if (last && which === 'key' && isScalar(pair.key)) {
        found = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else break;
    if (!isNodeWithRange(node)) break;
    found = node;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function isNodeWithRange(node: unknown): node is Node {
  return typeof node === 'object' && node !== null && 'range' in node;
}

/** Formats a key path for people: `processes.worker.backoff.initial`, `preflight.tasks[0].run`. */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(top level)' : text;
}

/** The value at a key path in plain data, or undefined. */
export function valueAtPath(data: unknown, path: KeyPath): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
