/**
 * Rule: the template matches CloudFormation's resource schemas (from @aws-cdk/aws-service-spec): every resource
 * type exists, every property name is known, required properties are present, literal values have the type the
 * schema declares, and every Ref, Fn::GetAtt and Fn::Sub names a resource, parameter or attribute that exists.
 * In resources and outputs alike, an intrinsic function is an object of one key (serverless deep-merges an output
 * of serverless.yml into its own of the same name, which makes a Value of two functions CloudFormation refuses).
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, SpecDatabase, Resource as SpecResource, TypeDefinition } from '@aws-cdk/service-spec-types';
import {
  type Finding,
  isIntrinsic,
  isRecord,
  PSEUDO_PARAMETERS,
  type RuleResult,
  referencesOf,
  type Template,
} from '../template.ts';

const RULE = 'schema';

let database: SpecDatabase | undefined;
let byType: Map<string, SpecResource> | undefined;

/** The resource schemas, loaded once (about a second). */
export function resourceSpecs(): Map<string, SpecResource> {
  database ??= loadAwsServiceSpecSync();
  byType ??= new Map(database.all('resource').map((resource) => [resource.cloudFormationType, resource]));
  return byType;
}

function typeDefinition(reference: { $ref: string }): TypeDefinition {
  database ??= loadAwsServiceSpecSync();
  return database.get('typeDefinition', reference.$ref);
}

/** Resource types CloudFormation hands to someone else (custom resources): no schema to check against. */
const isCustomType = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

/** Why a literal does not fit a type, or undefined when it fits. */
function mismatch(value: unknown, type: PropertyType, path: string): string[] | undefined {
  if (isIntrinsic(value)) return undefined;
  switch (type.type) {
    case 'string':
    case 'date-time':
      // CloudFormation turns numbers and booleans into strings where a string is expected.
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return [`${path}: expected a string, got ${JSON.stringify(value)}`];
      }
      if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
        return [`${path}: ${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`];
      }
      return undefined;
    case 'integer':
    case 'number': {
      const numeric =
        typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));
      if (!numeric)
        return [
          `${path}: expected ${type.type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`,
        ];
      if (type.type === 'integer' && !Number.isInteger(Number(value)))
        return [`${path}: expected an integer, got ${value}`];
      return undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean' || value === 'true' || value === 'false') return undefined;
      return [`${path}: expected a boolean, got ${JSON.stringify(value)}`];
    case 'json':
      return undefined;
    case 'null':
      return value === null ? undefined : [`${path}: expected null`];
    case 'tag':
      return isRecord(value) && 'Key' in value && 'Value' in value
        ? undefined
        : [`${path}: expected a tag {Key, Value}`];
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected a list, got ${JSON.stringify(value)}`];
      return nonEmpty(value.flatMap((item, index) => mismatch(item, type.element, `${path}[${index}]`) ?? []));
    case 'map':
      if (!isRecord(value)) return [`${path}: expected a map, got ${JSON.stringify(value)}`];
      return nonEmpty(
        Object.entries(value).flatMap(([key, item]) => mismatch(item, type.element, `${path}.${key}`) ?? []),
      );
    case 'union': {
      const attempts = type.types.map((member) => mismatch(value, member, path));
      return attempts.some((attempt) => attempt === undefined)
        ? undefined
        : attempts.flatMap((attempt) => attempt ?? []);
    }
    case 'ref': {
      const definition = typeDefinition(type.reference);
      if (!isRecord(value)) return [`${path}: expected an object (${definition.name}), got ${JSON.stringify(value)}`];
      return nonEmpty(propertyProblems(value, definition.properties, path));
    }
    default:
      return undefined;
  }
}

const nonEmpty = (problems: string[]) => (problems.length === 0 ? undefined : problems);

/** Objects of a value that mix an intrinsic function (`Ref`, `Fn::…`) with other keys, by path. */
export function mixedIntrinsics(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => mixedIntrinsics(item, `${path}[${index}]`));
  if (!isRecord(value)) return [];
  const keys = Object.keys(value);
  const functions = keys.filter((key) => key === 'Ref' || key.startsWith('Fn::'));
  const own =
    functions.length > 0 && keys.length > 1
      ? [`${path}: ${keys.join(' and ')} in one object (an intrinsic function is an object of one key)`]
      : [];
  return [...own, ...Object.entries(value).flatMap(([key, item]) => mixedIntrinsics(item, `${path}.${key}`))];
}

/** Checks names, required properties and literal types of an object against its declared properties. */
function propertyProblems(
  values: Record<string, unknown>,
  declared: Record<string, { type: PropertyType; previousTypes?: PropertyType[]; required?: boolean }>,
  path: string,
): string[] {
  const problems: string[] = [];
  for (const [name, property] of Object.entries(declared)) {
    if (property.required && !(name in values)) problems.push(`${path}.${name}: required property missing`);
  }
  for (const [name, value] of Object.entries(values)) {
    const property = declared[name];
    if (property === undefined) {
      problems.push(`${path}.${name}: no such property`);
      continue;
    }
    // A property whose type changed over time accepts its earlier types too.
    const attempts = [property.type, ...(property.previousTypes ?? [])].map((type) =>
      mismatch(value, type, `${path}.${name}`),
    );
    if (attempts.every((attempt) => attempt !== undefined)) problems.push(...(attempts[0] ?? []));
  }
  return problems;
}

/** Checks every resource against its schema, and every reference against what the template declares. */
export function checkSchema(template: Template): RuleResult {
  const specs = resourceSpecs();
  const findings: Finding[] = [];
  const resources = template.Resources;
  const parameters = template.Parameters ?? {};
  for (const [id, resource] of Object.entries(resources)) {
    const spec = specs.get(resource.Type);
    if (spec === undefined) {
      if (!isCustomType(resource.Type)) {
        findings.push({ rule: RULE, resource: id, message: `unknown resource type ${resource.Type}` });
      }
    } else {
      for (const problem of propertyProblems(resource.Properties ?? {}, spec.properties, 'Properties')) {
        findings.push({ rule: RULE, resource: id, message: `${resource.Type} ${problem}` });
      }
    }
    for (const problem of mixedIntrinsics(resource.Properties ?? {}, 'Properties')) {
      findings.push({ rule: RULE, resource: id, message: problem });
    }
    for (const reference of referencesOf(resource)) {
      const target = resources[reference.target];
      const where = `${reference.via} at ${reference.path}`;
      if (target === undefined) {
        const isParameter =
          reference.target in parameters && reference.attribute === undefined && reference.via !== 'DependsOn';
        if (!isParameter && !PSEUDO_PARAMETERS.has(reference.target)) {
          findings.push({
            rule: RULE,
            resource: id,
            message: `${where} names ${reference.target}, which the template does not declare`,
          });
        }
        continue;
      }
      if (reference.attribute === undefined) continue;
      const targetSpec = specs.get(target.Type);
      if (targetSpec === undefined) continue;
      if (!(reference.attribute in targetSpec.attributes)) {
        findings.push({
          rule: RULE,
          resource: id,
          message: `${where}: ${target.Type} ${reference.target} has no attribute ${reference.attribute}`,
        });
      }
    }
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    for (const problem of mixedIntrinsics(output, `Outputs.${name}`)) findings.push({ rule: RULE, message: problem });
  }
  return { findings, notes: [] };
}
