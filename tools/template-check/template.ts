/**
 * The packaged CloudFormation template as the checks see it, and the walk over its intrinsic functions.
 */
import { z } from 'zod';

export const ResourceSchema = z
  .object({
    Type: z.string().min(1),
    Properties: z.record(z.string(), z.unknown()).optional(),
    DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
    Condition: z.string().optional(),
    DeletionPolicy: z.string().optional(),
    UpdateReplacePolicy: z.string().optional(),
  })
  .loose();
export type Resource = z.infer<typeof ResourceSchema>;

export const TemplateSchema = z
  .object({
    Parameters: z.record(z.string(), z.unknown()).optional(),
    Conditions: z.record(z.string(), z.unknown()).optional(),
    Resources: z.record(z.string(), ResourceSchema),
    Outputs: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type Template = z.infer<typeof TemplateSchema>;

/** Parses a template (JSON text or a parsed value); throws naming the first malformed part. */
export function parseTemplate(source: unknown): Template {
  const value = typeof source === 'string' ? JSON.parse(source) : source;
  const result = TemplateSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`not a CloudFormation template: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return result.data;
}

/** How one resource refers to another: the kind of reference and where in the resource it stands. */
export interface Reference {
  target: string;
  attribute?: string;
  via: 'Ref' | 'GetAtt' | 'Sub' | 'DependsOn';
  path: string;
}

/** Pseudo parameters CloudFormation resolves itself; a reference to one is no dependency. */
export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value that is one intrinsic function (`{ "Ref": … }`, `{ "Fn::GetAtt": … }`, …), whose type only CloudFormation knows. */
export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::') === true);
}

/** The `${Name}` and `${Name.Attribute}` variables of a Fn::Sub string (`${!Literal}` is text). */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((match) => match[1] ?? '').map((name) => name.trim());
}

/** The target and attribute of a Fn::GetAtt, in either of its forms. */
export function getAttTarget(value: unknown): { target: string; attribute: string } | undefined {
  if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
    return { target: value[0], attribute: value[1] };
  }
  if (typeof value === 'string' && value.includes('.')) {
    const dot = value.indexOf('.');
    return { target: value.slice(0, dot), attribute: value.slice(dot + 1) };
  }
  return undefined;
}

/**
 * Every Ref, Fn::GetAtt and Fn::Sub variable in a value, with its path. Pseudo parameters are left out;
 * both branches of a Fn::If count, as they do for CloudFormation's dependency order.
 */
export function referencesIn(value: unknown, path: string): Reference[] {
  const found: Reference[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) walk(item, `${at}[${index}]`);
      return;
    }
    if (!isRecord(node)) return;
    if (typeof node.Ref === 'string' && Object.keys(node).length === 1) {
      if (!PSEUDO_PARAMETERS.has(node.Ref)) found.push({ target: node.Ref, via: 'Ref', path: at });
      return;
    }
    if ('Fn::GetAtt' in node && Object.keys(node).length === 1) {
      const target = getAttTarget(node['Fn::GetAtt']);
      if (target) found.push({ ...target, via: 'GetAtt', path: at });
      return;
    }
    if ('Fn::Sub' in node && Object.keys(node).length === 1) {
      const sub = node['Fn::Sub'];
      const [text, locals] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
      const localNames = new Set(isRecord(locals) ? Object.keys(locals) : []);
      if (typeof text === 'string') {
        for (const name of subVariables(text)) {
          const [target = '', attribute] = name.split(/\.(.*)/s);
          if (localNames.has(target) || PSEUDO_PARAMETERS.has(name)) continue;
          found.push({ target, ...(attribute ? { attribute } : {}), via: 'Sub', path: at });
        }
      }
      if (isRecord(locals)) {
        for (const [name, local] of Object.entries(locals)) walk(local, `${at}.${name}`);
      }
      return;
    }
    for (const [key, inner] of Object.entries(node)) walk(inner, at === '' ? key : `${at}.${key}`);
  };
  walk(value, path);
  return found;
}

/** Every reference of one resource: its properties and its DependsOn. */
export function referencesOf(resource: Resource): Reference[] {
  const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
  return [
    ...referencesIn(resource.Properties ?? {}, 'Properties'),
    ...dependsOn.map((target): Reference => ({ target, via: 'DependsOn', path: 'DependsOn' })),
  ];
}

/**
 * Evaluates the template's Conditions where they compare literals (Fn::Equals, Fn::Not, Fn::And, Fn::Or,
 * Condition): serverless bakes stage parameters into the template, so its conditions are constants.
 * A condition that depends on anything else is left out of the result.
 */
export function evaluateConditions(template: Template): Map<string, boolean> {
  const definitions = template.Conditions ?? {};
  const values = new Map<string, boolean>();
  const evaluate = (node: unknown, seen: ReadonlySet<string>): boolean | undefined => {
    if (!isRecord(node)) return undefined;
    if (typeof node.Condition === 'string') return evaluateNamed(node.Condition, seen);
    const args = Object.values(node)[0];
    if (!Array.isArray(args)) return undefined;
    if ('Fn::Equals' in node) {
      const [left, right] = args;
      const literal = (value: unknown) =>
        typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
      return literal(left) && literal(right) ? String(left) === String(right) : undefined;
    }
    const parts = args.map((arg) => evaluate(arg, seen));
    if (parts.some((part) => part === undefined)) return undefined;
    if ('Fn::Not' in node) return !parts[0];
    if ('Fn::And' in node) return parts.every(Boolean);
    if ('Fn::Or' in node) return parts.some(Boolean);
    return undefined;
  };
  const evaluateNamed = (name: string, seen: ReadonlySet<string>): boolean | undefined => {
    if (values.has(name)) return values.get(name);
    if (seen.has(name)) return undefined;
    const value = evaluate(definitions[name], new Set([...seen, name]));
    if (value !== undefined) values.set(name, value);
    return value;
  };
  for (const name of Object.keys(definitions)) evaluateNamed(name, new Set());
  return values;
}

/** The value a Fn::If picks under known conditions (AWS::NoValue as undefined); other values unchanged. */
export function resolveIf(value: unknown, conditions: ReadonlyMap<string, boolean>): unknown {
  if (!isRecord(value) || !('Fn::If' in value)) return value;
  const args = value['Fn::If'];
  if (!Array.isArray(args) || typeof args[0] !== 'string') return value;
  const holds = conditions.get(args[0]);
  if (holds === undefined) return value;
  const picked: unknown = holds ? args[1] : args[2];
  if (isRecord(picked) && picked.Ref === 'AWS::NoValue') return undefined;
  return resolveIf(picked, conditions);
}

/** One problem a rule found: which rule, where, and what is wrong. */
export interface Finding {
  rule: string;
  resource?: string;
  message: string;
}

/** What a rule reports: problems, and figures or lists to print even when all is well. */
export interface RuleResult {
  findings: Finding[];
  notes: string[];
}
