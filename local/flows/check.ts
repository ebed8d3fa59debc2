/**
 * Static checks of a contact flow (Connect's flow language, Version 2019-10-30) before deploy:
 * JSON shape, known action types, every transition target exists, nothing unreachable, and every
 * `${Placeholder}` resolvable at deploy time. Connect would reject most of these at deploy time,
 * minutes later; some (unreachable blocks) it would silently accept.
 */
import { z } from 'zod';

/** Action types the engine's flows may use (and the local simulator executes). */
export const KNOWN_ACTION_TYPES = [
  'MessageParticipant',
  'GetParticipantInput',
  'InvokeLambdaFunction',
  'UpdateContactAttributes',
  'Compare',
  'CheckOutboundCallStatus',
  'DisconnectParticipant',
] as const;

const TransitionSchema = z.object({ NextAction: z.string().min(1) }).passthrough();

const ActionSchema = z.object({
  Identifier: z.string().min(1),
  Type: z.string().min(1),
  Parameters: z.record(z.string(), z.unknown()),
  Transitions: z
    .object({
      NextAction: z.string().optional(),
      Conditions: z.array(TransitionSchema).optional(),
      Errors: z.array(TransitionSchema).optional(),
    })
    .passthrough(),
});

export const FlowSchema = z.object({
  Version: z.literal('2019-10-30'),
  StartAction: z.string().min(1),
  Metadata: z.record(z.string(), z.unknown()).optional(),
  Actions: z.array(ActionSchema).min(1),
});
export type Flow = z.infer<typeof FlowSchema>;

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
    if (!(KNOWN_ACTION_TYPES as readonly string[]).includes(action.Type)) {
      problems.push(`action "${action.Identifier}": unknown action type ${action.Type}`);
    }
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

  const text = JSON.stringify(flow.Actions);
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1] ?? '';
    if (!placeholders.has(name)) problems.push(`placeholder \${${name}} has no value at deploy time`);
  }
  if (/\d{12}/.test(text))
    problems.push('the flow contains what looks like an AWS account id; use a placeholder substituted at deploy time');
  return problems;
}
