/**
 * The stage parameters of serverless.yml (`params:`): its defaults, the stage's own values and the `--param
 * name=value` overrides a command was given, merged as the Serverless CLI merges them.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';
import { z } from 'zod';

const SERVICE_FILE = resolve(import.meta.dirname, '..', 'serverless.yml');

/** CloudFormation's short-form tags, read as plain values: only `service` and `params` are used here. */
const CLOUDFORMATION_TAGS: Array<ScalarTag | CollectionTag> = [
  'Ref',
  'GetAtt',
  'Sub',
  'If',
  'Not',
  'Equals',
  'Select',
  'Split',
  'Join',
].flatMap(
  (name): Array<ScalarTag | CollectionTag> => [
    { tag: `!${name}`, resolve: (value: string) => ({ [name]: value }) },
    { tag: `!${name}`, collection: 'seq', resolve: (value: unknown) => ({ [name]: value }) },
  ],
);

const ServiceFileSchema = z.object({
  service: z.string().min(1),
  params: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable()),
});

/** The service name and `params:` section of serverless.yml. */
export function serviceFile(text = readFileSync(SERVICE_FILE, 'utf8')): z.infer<typeof ServiceFileSchema> {
  return ServiceFileSchema.parse(parse(text, { customTags: CLOUDFORMATION_TAGS }));
}

/** Parses `name=value` overrides; throws naming a malformed one. */
export function parseParamOverrides(values: readonly string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new Error(`--param ${value}: expected name=value`);
    overrides[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return overrides;
}

/** The parameters a stage deploys with: defaults, then the stage's params, then the overrides. */
export function stageParams(
  stage: string,
  overrides: Record<string, string>,
  params = serviceFile().params,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of [params.default ?? {}, params[stage] ?? {}, overrides]) {
    for (const [name, value] of Object.entries(source)) merged[name] = String(value);
  }
  return merged;
}
