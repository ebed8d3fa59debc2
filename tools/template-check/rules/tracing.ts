/**
 * Rule: a traced function may trace. Lambda refuses to create a function with `TracingConfig: Active` whose role
 * cannot call xray:PutTraceSegments and xray:PutTelemetryRecords; a traced state machine needs the same.
 */
import {
  evaluateConditions,
  type Finding,
  getAttTarget,
  isRecord,
  type RuleResult,
  resolveIf,
  type Template,
} from '../template.ts';
import { matchingActions, statementsOf, stringsOf } from './iam.ts';

const RULE = 'tracing';
export const TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
/** AWS managed policies that grant both tracing actions. */
const TRACING_MANAGED_POLICIES = /(AWSXRayDaemonWriteAccess|AWSXrayWriteOnlyAccess)$/;

/** The actions a role of the template allows: its inline policies and the AWS::IAM::Policy resources attached to it. */
async function allowedActions(template: Template, roleId: string): Promise<{ actions: Set<string>; managed: boolean }> {
  const role = template.Resources[roleId];
  const documents: unknown[] = [];
  if (Array.isArray(role?.Properties?.Policies)) {
    for (const policy of role.Properties.Policies) if (isRecord(policy)) documents.push(policy.PolicyDocument);
  }
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::RolePolicy') continue;
    const roles = [resource.Properties?.Roles, resource.Properties?.RoleName].flat();
    if (roles.some((entry) => isRecord(entry) && entry.Ref === roleId))
      documents.push(resource.Properties?.PolicyDocument);
  }
  const actions = new Set<string>();
  for (const statement of documents.flatMap(statementsOf)) {
    if (statement.Effect !== 'Allow') continue;
    for (const pattern of stringsOf(statement.Action)) {
      for (const action of await matchingActions(pattern)) actions.add(action.toLowerCase());
    }
  }
  const managed = stringsOf(role?.Properties?.ManagedPolicyArns).some((arn) => TRACING_MANAGED_POLICIES.test(arn));
  return { actions, managed };
}

/** Reports every traced Lambda function or state machine whose role may not write traces. */
export async function checkTracing(template: Template): Promise<RuleResult> {
  const conditions = evaluateConditions(template);
  const findings: Finding[] = [];
  let traced = 0;
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    let roleReference: unknown;
    if (resource.Type === 'AWS::Lambda::Function') {
      const tracing = resolveIf(properties.TracingConfig, conditions);
      if (!isRecord(tracing) || resolveIf(tracing.Mode, conditions) !== 'Active') continue;
      roleReference = properties.Role;
    } else if (resource.Type === 'AWS::StepFunctions::StateMachine') {
      const tracing = resolveIf(properties.TracingConfiguration, conditions);
      const enabled = isRecord(tracing) ? resolveIf(tracing.Enabled, conditions) : undefined;
      if (enabled !== true && enabled !== 'true') continue;
      roleReference = properties.RoleArn;
    } else {
      continue;
    }
    traced += 1;
    const role = isRecord(roleReference) ? getAttTarget(roleReference['Fn::GetAtt']) : undefined;
    if (role === undefined || !(role.target in template.Resources)) {
      findings.push({
        rule: RULE,
        resource: id,
        message: 'traced, with a role outside the template: cannot tell whether it may trace',
      });
      continue;
    }
    const { actions, managed } = await allowedActions(template, role.target);
    const missing = TRACING_ACTIONS.filter(
      (action) => !managed && !actions.has(action.toLowerCase()) && !actions.has('*'),
    );
    if (missing.length > 0) {
      findings.push({
        rule: RULE,
        resource: id,
        message: `traced (X-Ray) but its role ${role.target} does not allow ${missing.join(', ')}: ${resource.Type} creation fails`,
      });
    }
  }
  return { findings, notes: [`${traced} traced functions and state machines`] };
}
