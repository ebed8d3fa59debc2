/**
 * Static checks of a contact flow (Connect's flow language, Version 2019-10-30) before deploy:
 * JSON shape, known action types, each action's parameters and transitions (flows/actions.ts:
 * static values where Connect wants them, allowed operators and error types, required error
 * branches), every transition target exists, nothing unreachable, and every `${Placeholder}`
 * resolvable at deploy time. Connect would reject most of these at deploy time, minutes later;
 * some (unreachable blocks) it would silently accept.
 */
import { checkAction, FlowSchema, KNOWN_ACTION_TYPES } from './actions.ts';

export { type Flow, FlowSchema, KNOWN_ACTION_TYPES } from './actions.ts';

/** Checks a parsed flow file; returns every problem found, each naming the action it concerns. */
export function checkFlow(input: unknown, placeholders: ReadonlySet<string>): string[] {
  const parsed = FlowSchema.safeParse(input);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const flow = parsed.data;
  const problems: string[] = [];
  const identifiers = new Map<string, (typeof flow.Actions)[number]>();
  for (const action of flow.Actions) {
    if (identifiers.has(action.Identifier)) problems.push(`action "${action.Identifier}": duplicate Identifier`);
    identifiers.set(action.Identifier, action);
    if (!KNOWN_ACTION_TYPES.includes(action.Type)) {
      problems.push(`action "${action.Identifier}": unknown action type ${action.Type}`);
    }
    problems.push(...checkAction(action));
  }
  if (!identifiers.has(flow.StartAction)) problems.push(`StartAction: no action "${flow.StartAction}"`);

  const targetsOf = (action: (typeof flow.Actions)[number]): string[] => [
    ...(action.Transitions.NextAction ? [action.Transitions.NextAction] : []),
    ...(action.Transitions.Conditions ?? []).map((condition) => condition.NextAction),
    ...(action.Transitions.Errors ?? []).map((error) => error.NextAction),
  ];
  for (const action of flow.Actions) {
    for (const target of targetsOf(action)) {
      if (!identifiers.has(target))
        problems.push(`action "${action.Identifier}": transition to missing action "${target}"`);
    }
    if (action.Type !== 'DisconnectParticipant' && targetsOf(action).length === 0) {
      problems.push(`action "${action.Identifier}": no transition out (only DisconnectParticipant may end a flow)`);
    }
  }

  const reachable = new Set<string>();
  const queue = [flow.StartAction];
  while (queue.length > 0) {
    const identifier = queue.pop();
    if (identifier === undefined || reachable.has(identifier)) continue;
    reachable.add(identifier);
    const action = identifiers.get(identifier);
    if (action !== undefined) queue.push(...targetsOf(action));
  }
  for (const identifier of identifiers.keys()) {
    if (!reachable.has(identifier)) problems.push(`action "${identifier}": unreachable from StartAction`);
  }

  // The whole file goes through Fn::Sub at deploy time, Metadata included.
  const text = JSON.stringify(flow);
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1] ?? '';
    if (!placeholders.has(name)) problems.push(`placeholder \${${name}} has no value at deploy time`);
  }
  if (/\d{12}/.test(text))
    problems.push('the flow contains what looks like an AWS account id; use a placeholder substituted at deploy time');
  return problems;
}
