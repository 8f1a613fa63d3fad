import type { KeyPath } from './yaml-locate.js';
import type * as z from './zod.js';

type Def = { type: string; [key: string]: unknown };

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** Looks through wrappers (optional, default, transform pipes) to the schema that matters. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let def = defOf(current); def; def = defOf(current)) {
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else break;
  }
  return current;
}

/** The schema of the value at `segment` below `schema`, or undefined. */
function child(schema: unknown, segment: PropertyKey): unknown {
  const def = defOf(unwrap(schema));
  if (!def) return undefined;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<PropertyKey, unknown>;
      return Object.hasOwn(shape, segment) ? shape[segment] : undefined;
    }
    case 'record':
      return def.valueType;
    case 'array':
      return def.element;
    case 'union':
      // The first option that has something at this segment (env_file: a string or a list).
      return (def.options as unknown[]).map((option) => child(option, segment)).find((found) => found);
    default:
      return undefined;
  }
}

/**
 * The keys a strict object at `path` of `schema` allows, for "did you mean"; empty when the
 * path does not lead to an object. Reads zod's schema definitions (`_zod.def`), which zod 4
 * exposes for tools that walk schemas.
 */
export function allowedKeysAt(schema: z.ZodType, path: KeyPath): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    current = child(current, segment);
    if (current === undefined) return [];
  }
  const def = defOf(unwrap(current));
  if (def?.type === 'union') {
    const option = (def.options as unknown[]).find((o) => defOf(unwrap(o))?.type === 'object');
    return option ? allowedKeysAt(option as z.ZodType, []) : [];
  }
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}
