/**
 * Rule: every state machine definition is valid Amazon States Language (asl-validator: the schema, JSON paths and
 * Resource ARNs). The template holds definitions as Fn::Sub strings; their variables are rendered to ARNs of the
 * resources they name first.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { type Finding, getAttTarget, isRecord, type RuleResult, type Template } from '../template.ts';

const RULE = 'state-machines';

const ValidationSchema = z.object({
  isValid: z.boolean(),
  errors: z.array(
    z.looseObject({
      'Error code': z.string().optional(),
      Message: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
});
type Validation = z.infer<typeof ValidationSchema>;

/** asl-validator ships no types: its result is parsed, not trusted. */
function validate(definition: unknown): Validation {
  const validator: unknown = createRequire(import.meta.url)('asl-validator');
  if (typeof validator !== 'function') throw new Error('asl-validator does not export a function');
  return ValidationSchema.parse(validator(definition, { checkPaths: true, checkArn: true }));
}

/** A plausible ARN for a resource of the template, so the validator can check ARN-shaped fields. */
function sampleArn(template: Template, logicalId: string): string {
  const type = template.Resources[logicalId]?.Type ?? '';
  const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:eu-west-1:123456789012:function:${logicalId}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:eu-west-1:123456789012:${logicalId}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:eu-west-1:123456789012:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:eu-west-1:123456789012:stateMachine:${logicalId}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:eu-west-1:123456789012:table/${logicalId}`;
    default:
      return `arn:aws:${service}:eu-west-1:123456789012:${logicalId}`;
  }
}

function renderVariable(template: Template, value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.Ref === 'string') return sampleArn(template, value.Ref);
  const target = isRecord(value) ? getAttTarget(value['Fn::GetAtt']) : undefined;
  if (target) return sampleArn(template, target.target);
  return 'rendered-value';
}

/** The definition of a state machine resource as an object, its Fn::Sub variables rendered. */
export function definitionOf(template: Template, properties: Record<string, unknown>): unknown {
  if (properties.Definition !== undefined) return properties.Definition;
  const source = properties.DefinitionString;
  const sub = isRecord(source) ? source['Fn::Sub'] : source;
  const [text, locals] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
  if (typeof text !== 'string') throw new Error('DefinitionString is neither a string nor a Fn::Sub');
  const rendered = text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
    if (isRecord(locals) && name in locals) return renderVariable(template, locals[name]);
    if (name === 'AWS::Region') return 'eu-west-1';
    if (name === 'AWS::AccountId') return '123456789012';
    if (name === 'AWS::Partition') return 'aws';
    const [logicalId = ''] = name.split('.');
    return sampleArn(template, logicalId);
  });
  return JSON.parse(rendered);
}

/** Validates every AWS::StepFunctions::StateMachine definition. */
export function checkStateMachines(template: Template): RuleResult {
  const findings: Finding[] = [];
  let count = 0;
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    count += 1;
    let definition: unknown;
    try {
      definition = definitionOf(template, resource.Properties ?? {});
    } catch (error) {
      findings.push({
        rule: RULE,
        resource: id,
        message: `definition unreadable: ${error instanceof Error ? error.message : String(error)}`,
      });
      continue;
    }
    const result = validate(definition);
    for (const error of result.errors) {
      findings.push({
        rule: RULE,
        resource: id,
        message: `invalid definition: ${[error['Error code'], error.Message ?? error.message].filter(Boolean).join(': ')}`,
      });
    }
    if (!result.isValid && result.errors.length === 0)
      findings.push({ rule: RULE, resource: id, message: 'invalid definition' });
  }
  return { findings, notes: [`${count} state machine definitions validated with asl-validator`] };
}
