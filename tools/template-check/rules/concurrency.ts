/**
 * Rule: the Lambda concurrency the account needs. Reserved concurrency is taken from the account's quota, and
 * Lambda keeps 100 unreserved: below their sum plus 100 a deploy fails with "decreases account's
 * UnreservedConcurrentExecution below its minimum value of [100]". New accounts start with lower quotas.
 */
import { evaluateConditions, type Finding, type RuleResult, resolveIf, type Template } from '../template.ts';

const RULE = 'concurrency';
/** Concurrency Lambda keeps unreserved in every account. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/** The reserved concurrency of each function (conditions resolved), and what the account must allow. */
export function reservedConcurrency(template: Template): {
  byFunction: Map<string, number>;
  total: number;
  required: number;
  problems: Finding[];
} {
  const conditions = evaluateConditions(template);
  const byFunction = new Map<string, number>();
  const problems: Finding[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const value = resolveIf(resource.Properties?.ReservedConcurrentExecutions, conditions);
    if (value === undefined) continue;
    const reserved = Number(value);
    if (!Number.isInteger(reserved) || reserved < 0) {
      problems.push({
        rule: RULE,
        resource: id,
        message: `ReservedConcurrentExecutions ${JSON.stringify(value)} cannot be summed`,
      });
      continue;
    }
    byFunction.set(id, reserved);
  }
  const total = [...byFunction.values()].reduce((sum, reserved) => sum + reserved, 0);
  return { byFunction, total, required: total + LAMBDA_UNRESERVED_MINIMUM, problems };
}

/** Prints the account concurrency the template needs; fails only when a reservation cannot be read. */
export function checkConcurrency(template: Template): RuleResult {
  const { byFunction, total, required, problems } = reservedConcurrency(template);
  const parts = [...byFunction.entries()].map(([id, reserved]) => `${id.replace(/LambdaFunction$/, '')} ${reserved}`);
  const note =
    total === 0
      ? 'no reserved concurrency: any Lambda concurrency quota will do'
      : `reserved concurrency ${total} (${parts.join(', ')}): the account's Lambda concurrency quota must be at least ${required} (${total} + ${LAMBDA_UNRESERVED_MINIMUM} Lambda keeps unreserved)`;
  return { findings: problems, notes: [note] };
}
