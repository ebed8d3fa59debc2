/**
 * The shape of a flow in Connect's flow language (Version 2019-10-30): the file, its actions and
 * their transitions, as the API reference's "Actions in the Amazon Connect Flow language" page
 * defines them (https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html).
 * What each action type accepts is data in `catalogue.ts`. Shared by the pre-deploy checker
 * (`check.ts`) and the local simulator's executor, so the simulator runs what the checker accepts.
 */
import { z } from 'zod';

export const ConditionTransitionSchema = z.object({
  NextAction: z.string().min(1),
  Condition: z.object({ Operator: z.string().min(1), Operands: z.array(z.string()).min(1) }),
});
export type ConditionTransition = z.infer<typeof ConditionTransitionSchema>;

export const ErrorTransitionSchema = z.object({ NextAction: z.string().min(1), ErrorType: z.string().min(1) });

export const TransitionsSchema = z.looseObject({
  NextAction: z.string().optional(),
  Conditions: z.array(ConditionTransitionSchema).optional(),
  Errors: z.array(ErrorTransitionSchema).optional(),
});

/** Strings the reference forbids as an Identifier (they would clash with JavaScript object keys). */
const RESERVED_IDENTIFIERS = new Set([
  '__proto__',
  'constructor',
  '__defineGetter__',
  '__defineSetter__',
  'toString',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'valueOf',
]);

export const ActionSchema = z.object({
  Identifier: z
    .string()
    .min(1)
    .max(50)
    .refine((identifier) => !/[%:()\\/=$,;[\]{}]/.test(identifier), {
      message: 'Identifier may not contain % : ( \\ / ) = $ , ; [ ] { }',
    })
    .refine((identifier) => !RESERVED_IDENTIFIERS.has(identifier), { message: 'Identifier is a reserved word' }),
  Type: z.string().min(1),
  // Exports write `"Parameters": {}` for actions without parameters; a missing or null one means the same.
  Parameters: z.preprocess((value) => value ?? {}, z.record(z.string(), z.unknown())),
  Transitions: TransitionsSchema.default({}),
});
export type FlowAction = z.infer<typeof ActionSchema>;

export const FlowSchema = z.object({
  Version: z.literal('2019-10-30'),
  StartAction: z.string().min(1),
  Metadata: z.record(z.string(), z.unknown()).optional(),
  // The reference: "A single Flow may have no more than 250 Actions defined" (example flow page).
  Actions: z.array(ActionSchema).min(1).max(250),
});
export type Flow = z.infer<typeof FlowSchema>;

/** Connect writes booleans as the strings "True" and "False". */
export function isTrue(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** Every action a transition of `action` may lead to. */
export function transitionTargets(action: FlowAction): string[] {
  const { NextAction, Conditions = [], Errors = [] } = action.Transitions;
  return [
    ...(NextAction ? [NextAction] : []),
    ...Conditions.map((condition) => condition.NextAction),
    ...Errors.map((error) => error.NextAction),
  ];
}
