import { schemaAsJson } from '../config/schema.js';

/** `procinit schema`: the JSON Schema of procinit.yaml, for editors and CI linting. */
export function schemaCommand(): number {
  process.stdout.write(`${JSON.stringify(schemaAsJson(), null, 2)}\n`);
  return 0;
}
