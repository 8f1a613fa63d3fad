/**
 * The parts of zod procinit uses, by name. Importing zod's `z` namespace made the bundle build
 * every export table of zod (hundreds of getters) at each start, even a start that never loads
 * a config file: esbuild creates a namespace object at the top of the bundle. Named exports
 * need none.
 */

export type { core, output, ZodType } from 'zod';
export {
  array,
  boolean,
  enum,
  int,
  number,
  object,
  record,
  strictObject,
  string,
  toJSONSchema,
  union,
} from 'zod';
