import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../../src/config/did-you-mean.js';
import { configSchema, schemaAsJson } from '../../../src/config/schema.js';
import { allowedKeysAt } from '../../../src/config/schema-keys.js';

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
  description?: string;
};

/** Every object schema in a JSON Schema, with its path. */
function objects(schema: unknown, path = '', found: [string, JsonSchema][] = []): [string, JsonSchema][] {
  if (typeof schema !== 'object' || schema === null) return found;
  const node = schema as JsonSchema;
  if (node.properties) found.push([path || '(top)', node]);
  for (const [key, child] of Object.entries(schema)) objects(child, `${path}/${key}`, found);
  return found;
}

describe('schemaAsJson', () => {
  const json = schemaAsJson();

  it('is a JSON Schema of procinit.yaml', () => {
    expect(json).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
    expect(Object.keys((json as JsonSchema).properties ?? {})).toEqual([
      '$schema',
      'procfile',
      'env_file',
      'user',
      'preflight',
      'processes',
      'health',
      'shutdown',
      'log',
    ]);
  });

  it('forbids unknown keys and describes every field, so the reference can be generated', () => {
    const undocumented: string[] = [];
    for (const [path, node] of objects(json)) {
      expect(node.additionalProperties, path).toBe(false);
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) undocumented.push(`${path}/${key}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('says "exactly one check" for probes and wait_for, so editors flag it', () => {
    const processes = (json as JsonSchema).properties?.processes as { additionalProperties: JsonSchema };
    const options = processes.additionalProperties.properties ?? {};
    const required = (node: unknown) =>
      (node as { oneOf: { required: string[] }[] }).oneOf.map((o) => o.required[0]);
    expect(required(options.readiness)).toEqual(['http', 'tcp', 'exec', 'log']);
    expect(required(options.liveness)).toEqual(['http', 'tcp', 'exec']);
    const preflight = (json as JsonSchema).properties?.preflight?.properties ?? {};
    expect(required((preflight.wait_for as { items: unknown }).items)).toEqual(['tcp', 'http']);
  });

  it('documents durations as strings or numbers', () => {
    const text = JSON.stringify(json);
    expect(text).toContain('"type":"number"');
    expect(text).toContain('(?:ms|s|m|h)');
  });
});

describe('allowedKeysAt', () => {
  it.each([
    [[], ['$schema', 'procfile', 'env_file', 'user', 'preflight', 'processes', 'health', 'shutdown', 'log']],
    [['health'], ['port', 'host']],
    [
      ['processes', 'anything', 'backoff'],
      ['initial', 'max', 'reset_after'],
    ],
    [
      ['preflight', 'tasks', 0],
      ['name', 'run', 'timeout', 'user'],
    ],
    [
      ['processes', 'web', 'readiness'],
      [
        'http',
        'tcp',
        'exec',
        'log',
        'interval',
        'timeout',
        'initial_delay',
        'failure_threshold',
        'success_threshold',
      ],
    ],
    [['log', 'level'], []],
    [['nope'], []],
    [['constructor'], []],
  ])('at %j', (path, keys) => {
    expect(allowedKeysAt(configSchema, path)).toEqual(keys);
  });
});

describe('didYouMean', () => {
  it.each([
    ['stop_timout', 'stop_timeout'],
    ['stop-timeout', 'stop_timeout'],
    ['Stop_Timeout', 'stop_timeout'],
    ['stpo_timeout', 'stop_timeout'],
    ['proceses', 'processes'],
    ['restrat', 'restart'],
    ['banana', undefined],
    ['x', undefined],
  ])('%s → %s', (word, suggestion) => {
    const candidates = ['stop_timeout', 'stop_signal', 'processes', 'restart', 'readiness'];
    expect(didYouMean(word, candidates)).toBe(suggestion);
  });

  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
  ])('editDistance(%j, %j) = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});
