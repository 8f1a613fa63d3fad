#!/usr/bin/env node
// Writes docs/config-reference.md from `procinit schema`, the JSON Schema that the zod schema in
// src/config/ produces, so the reference cannot drift from what procinit accepts: every key, its
// type and its description (defaults included) come from the schema. Needs the bundle
// (npm run build). `--check` changes nothing and exits 1 when the file is out of date (a test
// runs it); `--out PATH` writes or checks another file.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The JSON Schema, as the built procinit prints it. */
function loadSchema() {
  const result = spawnSync(process.execPath, [join(root, 'dist/procinit.cjs'), 'schema'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`procinit schema failed (${result.status}); run npm run build first\n${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

const code = (text) => `\`${text}\``;
const oneOf = (values) => values.map(code).join(', ');
/** zod writes an unbounded integer's maximum as Number.MAX_SAFE_INTEGER. */
const bounded = (max) => max !== undefined && max < Number.MAX_SAFE_INTEGER;

function isDuration(schema) {
  return (
    schema.anyOf?.some((option) => option.type === 'number') &&
    schema.anyOf?.some((o) => o.pattern?.includes('ms|s|m|h'))
  );
}

function integerType(schema) {
  if (schema.minimum !== undefined && bounded(schema.maximum))
    return `integer ${schema.minimum}–${schema.maximum}`;
  return schema.minimum === undefined ? 'integer' : `integer ≥ ${schema.minimum}`;
}

function stringType(schema) {
  if (schema.enum) return `one of ${oneOf(schema.enum)}`;
  return schema.pattern ? `string matching ${code(schema.pattern)}` : 'string';
}

/** The checks that pick exactly one key (probes, wait_for): `exactly one of http, tcp`. */
function exactlyOne(schema) {
  const keys = schema.oneOf?.map((option) => option.required?.[0]).filter(Boolean);
  return keys?.length ? `; exactly one of ${oneOf(keys)}` : '';
}

/** A schema's type in words: `duration`, `list of string`, `one of a, b`. */
function typeOf(schema) {
  if (isDuration(schema)) return 'duration';
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (schema.type === 'array') return `list of ${typeOf(schema.items)}`;
  if (schema.type === 'integer') return integerType(schema);
  if (schema.type === 'string') return stringType(schema);
  if (
    schema.type === 'object' &&
    schema.additionalProperties &&
    typeof schema.additionalProperties === 'object'
  ) {
    const key = schema.propertyNames?.pattern ? ` (keys matching ${code(schema.propertyNames.pattern)})` : '';
    return `mapping of name to ${typeOf(schema.additionalProperties)}${key}`;
  }
  if (schema.type === 'object') return `mapping${exactlyOne(schema)}`;
  return schema.type ?? 'any';
}

/** The mapping whose keys a schema nests, if any: properties, list items, `<name>` entries. */
function nested(schema, path) {
  if (schema.type === 'array' && schema.items?.properties) return [[`${path}[]`, schema.items]];
  const entry = schema.additionalProperties;
  if (entry && typeof entry === 'object' && entry.properties) return [[`${path}.<name>`, entry]];
  return schema.properties ? [[path, schema]] : [];
}

/** One table row per key below `schema`, depth first, as `a.b[].c` paths. */
function rows(schema, path) {
  const found = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const keyPath = path ? `${path}.${name}` : name;
    const required = schema.required?.includes(name) ? ', required' : '';
    found.push({ path: keyPath, type: typeOf(property) + required, description: property.description ?? '' });
    for (const [innerPath, inner] of nested(property, keyPath)) {
      if (innerPath !== keyPath) {
        found.push({ path: innerPath, type: typeOf(inner), description: inner.description ?? '' });
      }
      found.push(...rows(inner, innerPath));
    }
  }
  return found;
}

/** Table cell text: `|` would end the cell; a lone `*` could start emphasis. */
const cell = (text) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const prose = (text) => cell(text).replaceAll('*', '\\*');

/** The description without its closing "Default: X.", and X: the schema says both in one text. */
function splitDefault(description) {
  const match = /^(.*?)\s*Default: (.*?)\.?$/.exec(description);
  return match ? { text: match[1], fallback: match[2] } : { text: description, fallback: '' };
}

function table(found) {
  const lines = found.map((row) => {
    const { text, fallback } = splitDefault(row.description);
    return `| ${code(row.path)} | ${cell(row.type)} | ${prose(fallback)} | ${prose(text)} |`;
  });
  return ['| key | type | default | description |', '| --- | --- | --- | --- |', ...lines].join('\n');
}

/** The whole page: scalars at the top, then one section per top-level mapping. */
export function renderReference(schema) {
  const entries = Object.entries(schema.properties);
  const topLevel = entries.filter(([, property]) => nested(property, '').length === 0);
  const sections = entries.filter(([, property]) => nested(property, '').length > 0);
  const parts = [
    '<!-- Generated by scripts/gen-config-reference.mjs from `procinit schema`. Do not edit: run `npm run docs:reference`. -->',
    '',
    '# procinit.yaml reference',
    '',
    `${schema.description} Found as \`./procinit.yaml\` (or \`.yml\`, \`.json\`), or named with`,
    '`-c/--config PATH` or `PROCINIT_CONFIG`. Unknown keys, wrong types and bad values are errors',
    'naming the file, line and column. `procinit schema` prints the JSON Schema this page is made',
    'from; point your editor at it (a top-level `$schema` key is allowed) to get completion.',
    '',
    'A **duration** is `500ms`, `10s`, `5m`, `1h`, a combination such as `1m30s`, or a number of',
    'seconds. A **probe** (`readiness`, `liveness`) has exactly one check (`http`, `tcp`, `exec`, or',
    'for readiness `log`) plus its timing keys. `<name>` stands for a process type.',
    '',
    '## Top-level keys',
    '',
    table(
      topLevel.map(([name, property]) => ({
        path: name,
        type: typeOf(property),
        description: property.description ?? '',
      })),
    ),
  ];
  for (const [name, property] of sections) {
    // The section's own row would repeat the paragraph above it.
    const [, ...below] = rows({ properties: { [name]: property } }, '');
    parts.push('', `## ${code(name)}`, '', property.description ?? '', '', table(below));
  }
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function main(argv) {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : join(root, 'docs/config-reference.md');
  const wanted = renderReference(loadSchema());
  const shown = relative(process.cwd(), out) || out;
  if (!argv.includes('--check')) {
    writeFileSync(out, wanted);
    console.log(`wrote ${shown}`);
    return 0;
  }
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing: out of date
  }
  if (current === wanted) return 0;
  console.error(`${shown} is out of date with \`procinit schema\`: run npm run docs:reference`);
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
