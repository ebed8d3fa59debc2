/**
 * Rule: names fit their service's limits in the longest Region name. Names that contain the Region (IAM role
 * names, for one) pass in eu-west-1 and fail in ap-southeast-5, so they are rendered with the longest Region: both
 * AWS::Region and the Region the template was packaged for, which serverless writes into names as text.
 */
import { type Finding, isRecord, type RuleResult, type Template } from '../template.ts';

const RULE = 'names';

/** Name property and length limit by resource type (each service's documented maximum). */
export const NAME_LIMITS: Record<string, { property: string; max: number; pattern?: RegExp; what: string }> = {
  'AWS::IAM::Role': { property: 'RoleName', max: 64, what: 'IAM role name' },
  'AWS::Lambda::Function': { property: 'FunctionName', max: 64, what: 'Lambda function name' },
  'AWS::SQS::Queue': { property: 'QueueName', max: 80, what: 'SQS queue name' },
  'AWS::SNS::Topic': { property: 'TopicName', max: 256, what: 'SNS topic name' },
  'AWS::S3::Bucket': {
    property: 'BucketName',
    max: 63,
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    what: 'S3 bucket name',
  },
  'AWS::StepFunctions::StateMachine': { property: 'StateMachineName', max: 80, what: 'state machine name' },
  'AWS::DynamoDB::Table': { property: 'TableName', max: 255, what: 'DynamoDB table name' },
  'AWS::Events::Rule': { property: 'Name', max: 64, what: 'EventBridge rule name' },
  'AWS::CloudWatch::Alarm': { property: 'AlarmName', max: 255, what: 'alarm name' },
};

export interface NameContext {
  /** The longest Region name, which names are checked in. */
  region: string;
  /** The Region the template was packaged for: serverless writes it into some names as text. */
  deployRegion: string;
  partition: string;
  stackName: string;
}

/** Renders a name built with Fn::Join / Fn::Sub from literals and pseudo parameters; undefined if it needs more. */
export function renderName(value: unknown, context: NameContext): string | undefined {
  const pseudo: Record<string, string> = {
    'AWS::Region': context.region,
    'AWS::Partition': context.partition,
    'AWS::AccountId': '123456789012',
    'AWS::StackName': context.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return pseudo[value.Ref];
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].map((part) => renderName(part, context));
    return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
  }
  const sub = value['Fn::Sub'];
  const [text, locals] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
  if (typeof text === 'string') {
    let complete = true;
    const rendered = text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      const local = isRecord(locals) && name in locals ? renderName(locals[name], context) : pseudo[name];
      if (local === undefined) complete = false;
      return local ?? '';
    });
    return complete ? rendered.replace(/\$\{!/g, '${') : undefined;
  }
  return undefined;
}

/** Reports every name longer than its limit (or, for buckets, not of the allowed form) in the longest Region. */
export function checkNames(template: Template, context: NameContext): RuleResult {
  const findings: Finding[] = [];
  let longestRole = { id: '', length: 0 };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const limit = NAME_LIMITS[resource.Type];
    const value = resource.Properties?.[limit?.property ?? ''];
    if (limit === undefined || value === undefined) continue;
    const name = renderName(value, context)?.split(context.deployRegion).join(context.region);
    if (name === undefined) {
      findings.push({
        rule: RULE,
        resource: id,
        message: `${limit.what} ${JSON.stringify(value)} cannot be rendered to check its length`,
      });
      continue;
    }
    if (name.length > limit.max) {
      findings.push({
        rule: RULE,
        resource: id,
        message: `${limit.what} "${name}" has ${name.length} characters in ${context.region}; the limit is ${limit.max}`,
      });
    } else if (limit.pattern && !limit.pattern.test(name)) {
      findings.push({
        rule: RULE,
        resource: id,
        message: `${limit.what} "${name}" is not of the allowed form ${limit.pattern}`,
      });
    }
    if (resource.Type === 'AWS::IAM::Role' && name.length > longestRole.length)
      longestRole = { id, length: name.length };
  }
  const notes = longestRole.id
    ? [`longest IAM role name in ${context.region}: ${longestRole.length} of 64 characters (${longestRole.id})`]
    : [];
  return { findings, notes };
}
