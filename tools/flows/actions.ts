/**
 * The actions of Connect's flow language (Version 2019-10-30) the engine's flows use, with their
 * parameters and transitions as the Amazon Connect API reference documents them. Shared by the
 * pre-deploy checks (flows/check.ts) and the local simulator's executor, so the simulator runs
 * exactly what the checks accept.
 *
 * Sources (API reference, "Actions in the Amazon Connect Flow language"):
 * - MessageParticipant: participant-actions-messageparticipant.html (exactly one of Text, SSML, PromptId, Media)
 * - GetParticipantInput: participant-actions-getparticipantinput.html (InputTimeLimitSeconds static;
 *   StoreInput "True" stores the digits in `$.StoredCustomerInput`, needs InputValidation, allows no
 *   conditions; errors InputTimeLimitExceeded / NoMatchingCondition only without StoreInput)
 * - InvokeLambdaFunction: interactions-invokelambdafunction.html (InvocationTimeLimitSeconds static
 *   1-8; ResponseValidation STRING_MAP or JSON; result under `$.External`; error NoMatchingError)
 * - UpdateContactAttributes: contact-actions-updatecontactattributes.html (TargetContact Current|Related)
 * - UpdateContactTextToSpeechVoice: contact-actions-updatecontacttexttospeechvoice.html
 * - Compare: flow-control-actions-compare.html (ComparisonValue: a single JSONPath; NoMatchingCondition)
 * - CheckOutboundCallStatus: flow-control-actions-checkoutboundcallstatus.html (operands
 *   CallAnswered, VoicemailBeep, VoicemailNoBeep, NotDetected; Equals only; NoMatchingError)
 * - DisconnectParticipant: participant-actions-disconnectparticipant.html (no parameters, ends the flow)
 * All under https://docs.aws.amazon.com/connect/latest/APIReference/ (checked 2026).
 */
import { z } from 'zod';
import { isJsonPath } from '../../local/connect-simulator/jsonpath.ts';

export const ConditionTransitionSchema = z.object({
  NextAction: z.string().min(1),
  Condition: z.object({ Operator: z.string().min(1), Operands: z.array(z.string()).min(1) }),
});
export type ConditionTransition = z.infer<typeof ConditionTransitionSchema>;

export const ErrorTransitionSchema = z.object({ NextAction: z.string().min(1), ErrorType: z.string().min(1) });
export type ErrorTransition = z.infer<typeof ErrorTransitionSchema>;

export const TransitionsSchema = z.looseObject({
  NextAction: z.string().optional(),
  Conditions: z.array(ConditionTransitionSchema).optional(),
  Errors: z.array(ErrorTransitionSchema).optional(),
});

export const ActionSchema = z.object({
  Identifier: z
    .string()
    .min(1)
    .max(50)
    .refine((identifier) => !/[%:()\\/=$,;[\]{}]/.test(identifier), {
      message: 'Identifier may not contain % : ( \\ / ) = $ , ; [ ] { }',
    }),
  Type: z.string().min(1),
  Parameters: z.record(z.string(), z.unknown()),
  Transitions: TransitionsSchema,
});
export type FlowAction = z.infer<typeof ActionSchema>;

export const FlowSchema = z.object({
  Version: z.literal('2019-10-30'),
  StartAction: z.string().min(1),
  Metadata: z.record(z.string(), z.unknown()).optional(),
  Actions: z.array(ActionSchema).min(1),
});
export type Flow = z.infer<typeof FlowSchema>;

/** A value Connect requires to be static: an integer written as a string, e.g. `"8"`. */
const staticInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'a static integer written as a string, e.g. "8" (Connect does not allow a reference here)')
    .refine((value) => Number(value) >= min && Number(value) <= max, { message: `between ${min} and ${max}` });
const staticBoolean = z.enum(['True', 'False', 'true', 'false']);
/** Text, or a reference such as `$.External.prompt`. */
const textOrReference = z.string().min(1);

const PromptSchema = {
  Text: textOrReference.optional(),
  SSML: textOrReference.optional(),
  PromptId: textOrReference.optional(),
  Media: z.looseObject({ Uri: z.string(), SourceType: z.string(), MediaType: z.string() }).optional(),
};

export const MessageParticipantSchema = z
  .looseObject(PromptSchema)
  .refine((parameters) => promptCount(parameters) === 1, { message: 'exactly one of Text, SSML, PromptId or Media' });

export const GetParticipantInputSchema = z
  .looseObject({
    ...PromptSchema,
    InputTimeLimitSeconds: staticInteger(1, 180),
    StoreInput: staticBoolean.optional(),
    InputValidation: z
      .looseObject({
        PhoneNumberValidation: z.looseObject({ NumberFormat: z.enum(['Local', 'E164']) }).optional(),
        CustomValidation: z.looseObject({ MaximumLength: staticInteger(1, 100) }).optional(),
      })
      .optional(),
    DTMFConfiguration: z
      .looseObject({
        InputTerminationSequence: z.string().max(5).optional(),
        DisableCancelKey: staticBoolean.optional(),
      })
      .optional(),
  })
  .refine((parameters) => promptCount(parameters) <= 1, { message: 'at most one of Text, SSML, PromptId or Media' })
  .refine((parameters) => isTrue(parameters.StoreInput) === (parameters.InputValidation !== undefined), {
    message: 'InputValidation is required if and only if StoreInput is "True"',
  });

export const InvokeLambdaFunctionSchema = z.looseObject({
  LambdaFunctionARN: z.string().min(1),
  InvocationTimeLimitSeconds: staticInteger(1, 8),
  InvocationType: z.enum(['SYNCHRONOUS', 'ASYNCHRONOUS']).optional(),
  LambdaInvocationAttributes: z.record(z.string(), z.string()).optional(),
  ResponseValidation: z.object({ ResponseType: z.enum(['STRING_MAP', 'JSON']) }).optional(),
});

export const UpdateContactAttributesSchema = z.looseObject({
  Attributes: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'attribute keys: A-Z, a-z, 0-9, - and _'), z.string()),
  TargetContact: z.enum(['Current', 'Related']).optional(),
});

export const UpdateContactTextToSpeechVoiceSchema = z.looseObject({
  TextToSpeechVoice: textOrReference,
  TextToSpeechEngine: textOrReference.optional(),
  TextToSpeechStyle: textOrReference.optional(),
});

export const CompareSchema = z.looseObject({
  ComparisonValue: z.string().refine(isJsonPath, { message: 'a single JSONPath reference such as $.External.action' }),
});

/** Operands CheckOutboundCallStatus supports. */
export const CALL_STATUS_OPERANDS = ['CallAnswered', 'VoicemailBeep', 'VoicemailNoBeep', 'NotDetected'] as const;
/** Operators of Compare conditions (the "Check contact attributes" block). */
export const COMPARE_OPERATORS = [
  'Equals',
  'NumberGreaterThan',
  'NumberGreaterOrEqualTo',
  'NumberLessThan',
  'NumberLessOrEqualTo',
  'TextStartsWith',
  'TextEndsWith',
  'TextContains',
] as const;

interface ActionRules {
  parameters: z.ZodType;
  /** Condition operators allowed; empty: the action takes no conditions. */
  operators: readonly string[];
  /** Allowed operands of conditions (when the action restricts them). */
  operands?: readonly string[];
  /** Error types the action may list, and those it must list. */
  errors: readonly string[];
  requiredErrors: readonly string[];
  /** Ends the flow: no transitions. */
  terminal?: boolean;
}

/** Action type → its rules. Types not listed here are unknown to the engine (and the simulator). */
export const ACTION_RULES: Readonly<Record<string, ActionRules>> = {
  MessageParticipant: {
    parameters: MessageParticipantSchema,
    operators: [],
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  GetParticipantInput: {
    parameters: GetParticipantInputSchema,
    operators: ['Equals'],
    errors: ['InputTimeLimitExceeded', 'NoMatchingCondition', 'NoMatchingError', 'InvalidPhoneNumber'],
    requiredErrors: ['NoMatchingError'],
  },
  InvokeLambdaFunction: {
    parameters: InvokeLambdaFunctionSchema,
    operators: [],
    errors: ['NoMatchingError'],
    requiredErrors: ['NoMatchingError'],
  },
  UpdateContactAttributes: {
    parameters: UpdateContactAttributesSchema,
    operators: [],
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  UpdateContactTextToSpeechVoice: {
    parameters: UpdateContactTextToSpeechVoiceSchema,
    operators: [],
    errors: ['NoMatchingError'],
    requiredErrors: ['NoMatchingError'],
  },
  Compare: {
    parameters: CompareSchema,
    operators: COMPARE_OPERATORS,
    errors: ['NoMatchingCondition'],
    requiredErrors: ['NoMatchingCondition'],
  },
  CheckOutboundCallStatus: {
    parameters: z.looseObject({}),
    operators: ['Equals'],
    operands: CALL_STATUS_OPERANDS,
    errors: ['NoMatchingError'],
    requiredErrors: ['NoMatchingError'],
  },
  DisconnectParticipant: {
    parameters: z.looseObject({}),
    operators: [],
    errors: [],
    requiredErrors: [],
    terminal: true,
  },
};

/** Action types the engine's flows may use (and the local simulator executes). */
export const KNOWN_ACTION_TYPES = Object.keys(ACTION_RULES);

/**
 * Problems of one action's parameters and transitions against its type's rules (an unknown type
 * is reported by the caller). Each problem names the action.
 */
export function checkAction(action: FlowAction): string[] {
  const rules = ACTION_RULES[action.Type];
  if (rules === undefined) return [];
  const name = `action "${action.Identifier}" (${action.Type})`;
  const problems: string[] = [];
  const parsed = rules.parameters.safeParse(action.Parameters);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${name}: Parameters${issue.path.map((part) => `.${String(part)}`).join('')}: ${issue.message}`);
    }
  }
  const { Conditions = [], Errors = [], NextAction } = action.Transitions;
  if (rules.terminal) {
    if (NextAction !== undefined || Conditions.length > 0 || Errors.length > 0) {
      problems.push(`${name}: ends the flow and takes no transitions`);
    }
    return problems;
  }
  const storesInput = action.Type === 'GetParticipantInput' && isTrue(action.Parameters.StoreInput);
  if (Conditions.length > 0 && (rules.operators.length === 0 || storesInput)) {
    problems.push(`${name}: takes no conditions${storesInput ? ' when StoreInput is "True"' : ''}`);
  }
  for (const { Condition } of Conditions) {
    if (rules.operators.length > 0 && !rules.operators.includes(Condition.Operator)) {
      problems.push(`${name}: operator ${Condition.Operator} is not supported (${rules.operators.join(', ')})`);
    }
    for (const operand of Condition.Operands) {
      if (rules.operands !== undefined && !rules.operands.includes(operand)) {
        problems.push(`${name}: operand "${operand}" is not one of ${rules.operands.join(', ')}`);
      }
      if (action.Type === 'GetParticipantInput' && !/^[0-9*#]$/.test(operand)) {
        problems.push(`${name}: operand "${operand}" must be a single key 0-9, * or #`);
      }
    }
  }
  for (const { ErrorType } of Errors) {
    const allowed = storesInput ? ['NoMatchingError', 'InvalidPhoneNumber'] : rules.errors;
    if (!allowed.includes(ErrorType)) problems.push(`${name}: error type ${ErrorType} cannot occur here`);
  }
  for (const required of rules.requiredErrors) {
    if (!Errors.some((error) => error.ErrorType === required)) {
      problems.push(`${name}: must handle the ${required} error`);
    }
  }
  return problems;
}

/** Connect writes booleans as the strings "True" and "False". */
export function isTrue(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

function promptCount(parameters: { Text?: unknown; SSML?: unknown; PromptId?: unknown; Media?: unknown }): number {
  return [parameters.Text, parameters.SSML, parameters.PromptId, parameters.Media].filter(
    (value) => value !== undefined,
  ).length;
}
