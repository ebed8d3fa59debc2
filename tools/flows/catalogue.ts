/**
 * Connect's flow-language action catalogue as data: every action type of the API reference's
 * "Actions in the Amazon Connect Flow language" (contact actions, flow control actions,
 * interactions, participant actions), each with the page it comes from and what that page says
 * about its parameters, conditions and errors. `check.ts` reads it; nothing here runs a flow.
 *
 * Pages: https://docs.aws.amazon.com/connect/latest/APIReference/<page>.html (the admin guide and
 * the developer guide carry the same pages). Lists of types: contact-actions, flow-control-actions,
 * interactions, participant-actions (read 2026). Where a page was not read in full, or says
 * nothing about a point, the entry says so (`rules: 'listed'`) and the checker is permissive: it
 * accepts any parameters, conditions and error types for that action, and only checks the graph.
 *
 * Required error branches: the reference never says a branch must be present (real exports leave
 * out many of them, e.g. MessageParticipant's NoMatchingError). The checker requires one only where
 * the action has no other way to go on a common run-time failure and every published flow in
 * test/fixtures/contact-flows/real carries it: a Lambda invocation that fails or times out,
 * keypad input that fails, a comparison that matches no condition. Everything else is optional.
 */
import { z } from 'zod';
import { isJsonPath } from '../../local/connect-simulator/jsonpath.ts';
import { isTrue } from './actions.ts';

const PAGE_BASE = 'https://docs.aws.amazon.com/connect/latest/APIReference/';

export type ActionCategory = 'contact' | 'flow-control' | 'interaction' | 'participant';

/** What the reference says about one action type. */
export interface ActionSpec {
  category: ActionCategory;
  /** The reference page (file name under APIReference/, without `.html`). */
  page: string;
  /**
   * `checked`: parameters, conditions and errors below are the page's. `listed`: the type is in the
   * reference, its rules are not encoded here; anything is accepted.
   */
  rules: 'checked' | 'listed';
  /** Parameter rules (loose objects: parameters the page does not name are accepted). */
  parameters: z.ZodType;
  /**
   * Conditions: `none` (the action takes none), or the operators it supports, the operands it allows
   * (when restricted) and the operands that must each have a condition.
   */
  conditions:
    | 'none'
    | 'any'
    | { operators: readonly string[]; operands?: readonly string[]; required?: readonly string[] };
  /** Error types the page lists (`any`: not encoded). */
  errors: readonly string[] | 'any';
  /** Error types whose branch must be present (see the module comment). */
  requiredErrors: readonly string[];
  /** Ends the flow (or module): takes no transitions. */
  terminal?: boolean;
  /** Why an entry deviates from, or goes beyond, its page. */
  note?: string;
}

/** The reference page URL of an action type. */
export function pageOf(spec: ActionSpec): string {
  return `${PAGE_BASE}${spec.page}.html`;
}

const loose = z.looseObject({});
/** "Must be either fully static or a single valid JSONPath identifier": non-empty text either way. */
const staticOrReference = z.string().min(1);
/** A value Connect requires to be static: an integer written as a string, e.g. `"8"`. */
export const staticInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'a static integer written as a string, e.g. "8" (Connect does not allow a reference here)')
    .refine((value) => Number(value) >= min && Number(value) <= max, { message: `between ${min} and ${max}` });
const staticBoolean = z.enum(['True', 'False', 'true', 'false']);
/** Exactly one of, or none of, a set of keys. */
const atMostOne = (keys: readonly string[]) => (parameters: Record<string, unknown>) =>
  keys.filter((key) => parameters[key] !== undefined).length <= 1;

const PROMPT_KEYS = ['Text', 'SSML', 'PromptId', 'Media'] as const;
const PromptShape = {
  Text: staticOrReference.optional(),
  SSML: staticOrReference.optional(),
  PromptId: staticOrReference.optional(),
  Media: z.looseObject({ Uri: z.string(), SourceType: z.string(), MediaType: z.string() }).optional(),
};

export const MessageParticipantSchema = z
  .looseObject(PromptShape)
  .refine((parameters) => PROMPT_KEYS.filter((key) => parameters[key] !== undefined).length === 1, {
    message: 'exactly one of Text, SSML, PromptId or Media',
  });

export const GetParticipantInputSchema = z
  .looseObject({
    ...PromptShape,
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
  .refine(atMostOne(PROMPT_KEYS), { message: 'at most one of Text, SSML, PromptId or Media' })
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
  // Keys are static names or, set dynamically, a single JSONPath reference (`$.External.key`).
  Attributes: z.record(
    z.string().refine((key) => /^[A-Za-z0-9_-]+$/.test(key) || isJsonPath(key), {
      message: 'attribute keys: A-Z, a-z, 0-9, - and _ (or a JSONPath reference)',
    }),
    z.string(),
  ),
  TargetContact: z.enum(['Current', 'Related']).optional(),
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
/** Event hooks UpdateContactEventHooks accepts (its page lists them). */
export const EVENT_HOOKS = [
  'AgentHold',
  'AgentWhisper',
  'CustomerHold',
  'CustomerQueue',
  'CustomerRemaining',
  'CustomerWhisper',
  'DefaultAgentUI',
  'DisconnectAgentUI',
  'PauseContact',
  'ResumeContact',
] as const;

/** A type the reference lists whose rules are not encoded: anything goes but the graph is checked. */
const listed = (category: ActionCategory, page: string, note?: string): ActionSpec => ({
  category,
  page,
  rules: 'listed',
  parameters: loose,
  conditions: 'any',
  errors: 'any',
  requiredErrors: [],
  ...(note !== undefined && { note }),
});

/** Action type → what the reference says about it. */
export const CATALOGUE: Readonly<Record<string, ActionSpec>> = {
  // Participant actions (participant-actions.html).
  MessageParticipant: {
    category: 'participant',
    page: 'participant-actions-messageparticipant',
    rules: 'checked',
    parameters: MessageParticipantSchema,
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  GetParticipantInput: {
    category: 'participant',
    page: 'participant-actions-getparticipantinput',
    rules: 'checked',
    parameters: GetParticipantInputSchema,
    // Keys pressed (or, with a Lex bot configured on the block, intents): Equals only.
    conditions: { operators: ['Equals'] },
    errors: ['InputTimeLimitExceeded', 'NoMatchingCondition', 'NoMatchingError', 'InvalidPhoneNumber'],
    requiredErrors: ['NoMatchingError'],
    note: 'StoreInput "True": no conditions; errors NoMatchingError and InvalidPhoneNumber only; silence is stored as "Timeout"',
  },
  ConnectParticipantWithLexBot: {
    category: 'participant',
    page: 'participant-actions-connectparticipantwithlexbot',
    rules: 'checked',
    parameters: z
      .looseObject({
        ...PromptShape,
        // Samples ship an empty AliasArn for the operator to fill in; the page does not say it must be set.
        LexV2Bot: z.looseObject({ AliasArn: z.string() }).optional(),
        LexBot: z.looseObject({ Name: z.string(), Region: z.string(), Alias: z.string() }).optional(),
        LexSessionAttributes: z.record(z.string(), z.string()).optional(),
      })
      .refine(atMostOne(PROMPT_KEYS), { message: 'at most one of Text, SSML, PromptId or Media' })
      .refine((parameters) => (parameters.LexV2Bot === undefined) !== (parameters.LexBot === undefined), {
        message: 'exactly one of LexV2Bot or LexBot',
      }),
    // Conditions compare the bot's intent name.
    conditions: { operators: ['Equals'] },
    errors: ['InputTimeLimitExceeded', 'NoMatchingError', 'NoMatchingCondition'],
    requiredErrors: [],
  },
  DisconnectParticipant: {
    category: 'participant',
    page: 'participant-actions-disconnectparticipant',
    rules: 'checked',
    parameters: loose,
    conditions: 'none',
    errors: [],
    requiredErrors: [],
    terminal: true,
  },
  MessageParticipantIteratively: {
    category: 'participant',
    page: 'participant-actions-messageparticipantiteratively',
    rules: 'checked',
    parameters: z.looseObject({ Messages: z.array(z.looseObject({})).min(1) }),
    conditions: { operators: ['Equals'], operands: ['MessagesInterrupted'] },
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  ShowView: {
    category: 'participant',
    page: 'participant-actions-showview',
    rules: 'checked',
    parameters: z.looseObject({ ViewResource: z.looseObject({ Id: z.string().min(1) }) }),
    // The conditions depend on the view (its actions): not checked.
    conditions: 'any',
    errors: ['NoMatchingError', 'NoMatchingCondition', 'TimeLimitExceeded'],
    requiredErrors: [],
  },
  TransferParticipantToThirdParty: listed(
    'participant',
    'participant-actions-transferparticipanttothirdparty',
    'published flows use ThirdPartyConnectionTimeLimitSeconds where the page says ThirdPartyConnectionTimeoutSeconds: parameters are not checked',
  ),

  // Flow control actions (flow-control-actions.html).
  CheckHoursOfOperation: {
    category: 'flow-control',
    page: 'flow-control-actions-checkhoursofoperation',
    rules: 'checked',
    parameters: z.looseObject({ HoursOfOperationId: staticOrReference.optional() }),
    conditions: { operators: ['Equals'], operands: ['True', 'False'], required: ['True', 'False'] },
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  CheckMetricData: {
    category: 'flow-control',
    page: 'flow-control-actions-checkmetricdata',
    rules: 'checked',
    parameters: z
      .looseObject({
        MetricType: z.enum([
          'NumberOfAgentsAvailable',
          'NumberOfAgentsStaffed',
          'NumberOfAgentsOnline',
          'OldestContactInQueueAgeSeconds',
          'NumberOfContactsInQueue',
        ]),
      })
      .refine(atMostOne(['QueueId', 'AgentId']), { message: 'QueueId and AgentId cannot both be given' }),
    // NumberOfAgents*: only "NumberGreaterThan 0"; otherwise Equals and the Number* operators.
    conditions: {
      operators: ['Equals', 'NumberGreaterThan', 'NumberGreaterOrEqualTo', 'NumberLessThan', 'NumberLessOrEqualTo'],
    },
    errors: ['NoMatchingError', 'NoMatchingCondition'],
    requiredErrors: [],
  },
  CheckOutboundCallStatus: {
    category: 'flow-control',
    page: 'flow-control-actions-checkoutboundcallstatus',
    rules: 'checked',
    parameters: loose,
    conditions: { operators: ['Equals'], operands: CALL_STATUS_OPERANDS },
    errors: ['NoMatchingError'],
    // Without answering-machine detection (GENERAL traffic) there is no status: only this branch runs.
    requiredErrors: ['NoMatchingError'],
  },
  CheckVoiceId: listed('flow-control', 'flow-control-actions-checkvoiceid'),
  Compare: {
    category: 'flow-control',
    page: 'flow-control-actions-compare',
    rules: 'checked',
    parameters: CompareSchema,
    conditions: { operators: COMPARE_OPERATORS },
    errors: ['NoMatchingCondition'],
    requiredErrors: ['NoMatchingCondition'],
  },
  DistributeByPercentage: {
    category: 'flow-control',
    page: 'flow-control-actions-distributebypercentage',
    rules: 'checked',
    parameters: loose,
    // The page says "NumericLessThan"; the operator other actions use is NumberLessThan: accept both.
    conditions: { operators: ['NumberLessThan', 'NumericLessThan'] },
    errors: ['NoMatchingCondition'],
    requiredErrors: ['NoMatchingCondition'],
  },
  EndFlowExecution: {
    category: 'flow-control',
    page: 'flow-control-actions-endflowexecution',
    rules: 'checked',
    parameters: loose,
    conditions: 'none',
    errors: [],
    requiredErrors: [],
    terminal: true,
  },
  GetMetricData: {
    category: 'flow-control',
    page: 'flow-control-actions-getmetricdata',
    rules: 'checked',
    parameters: z
      .looseObject({ QueueChannel: z.enum(['Voice', 'Chat']).optional() })
      .refine(atMostOne(['QueueId', 'AgentId']), { message: 'QueueId and AgentId cannot both be given' }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  Loop: {
    category: 'flow-control',
    page: 'flow-control-actions-loop',
    rules: 'checked',
    parameters: z.looseObject({
      LoopCount: z.string().refine((value) => isJsonPath(value) || (/^\d+$/.test(value) && Number(value) <= 100), {
        message: 'a number from 0 to 100, or a single JSONPath reference',
      }),
    }),
    conditions: {
      operators: ['Equals'],
      operands: ['ContinueLooping', 'DoneLooping'],
      required: ['ContinueLooping', 'DoneLooping'],
    },
    errors: [],
    requiredErrors: [],
  },
  StartVoiceIdStream: listed('flow-control', 'flow-control-actions-startvoiceidstream'),
  TransferToFlow: {
    category: 'flow-control',
    page: 'flow-control-actions-transfertoflow',
    rules: 'checked',
    parameters: z.looseObject({ ContactFlowId: staticOrReference }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  UpdateFlowAttributes: {
    category: 'flow-control',
    page: 'flow-control-actions-updateflowattributes',
    rules: 'checked',
    parameters: z.looseObject({ FlowAttributes: z.record(z.string(), z.unknown()) }),
    conditions: 'none',
    // The page lists no errors, yet designer exports carry a NoMatchingError branch: not checked.
    errors: 'any',
    requiredErrors: [],
  },
  UpdateFlowLoggingBehavior: {
    category: 'flow-control',
    page: 'flow-control-actions-updateflowloggingbehavior',
    rules: 'checked',
    parameters: z.looseObject({ FlowLoggingBehavior: z.enum(['Enabled', 'Disabled']) }),
    conditions: 'none',
    errors: [],
    requiredErrors: [],
  },
  UpdateRoutingCriteria: listed('flow-control', 'flow-control-actions-updateroutingcriteria'),
  Wait: {
    category: 'flow-control',
    page: 'flow-control-actions-wait',
    rules: 'checked',
    // The page names TimeoutSeconds; published flows write TimeLimitSeconds: neither is required here.
    parameters: z.looseObject({ Events: z.array(z.string()).optional() }),
    conditions: { operators: ['Equals'] },
    errors: ['NoMatchingError', 'ParticipantNotFound'],
    requiredErrors: [],
  },

  // Interactions (interactions.html).
  AssociateContactToCustomerProfile: listed('interaction', 'interactions-associatecontacttocustomerprofile'),
  CreateCallbackContact: {
    category: 'interaction',
    page: 'interactions-createcallbackcontact',
    rules: 'checked',
    parameters: z
      .looseObject({
        InitialCallDelaySeconds: staticInteger(1, 259_200).optional(),
        MaximumConnectionAttempts: z
          .string()
          .regex(/^[1-9]\d*$/, 'a static integer larger than zero')
          .optional(),
        RetryDelaySeconds: staticInteger(1, 259_200).optional(),
      })
      .refine(atMostOne(['QueueId', 'AgentId']), { message: 'QueueId and AgentId cannot both be given' }),
    conditions: 'none',
    // The page's error list was not read: any error type is accepted.
    errors: 'any',
    requiredErrors: [],
  },
  CreateCustomerProfile: listed('interaction', 'interactions-createcustomerprofile'),
  GetCalculatedAttributesForCustomerProfile: listed(
    'interaction',
    'interactions-getcalculatedattributesforcustomerprofile',
  ),
  GetCustomerProfile: listed('interaction', 'interactions-getcustomerprofile'),
  GetCustomerProfileObject: listed('interaction', 'interactions-getcustomerprofileobject'),
  InvokeLambdaFunction: {
    category: 'interaction',
    page: 'interactions-invokelambdafunction',
    rules: 'checked',
    parameters: InvokeLambdaFunctionSchema,
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: ['NoMatchingError'],
  },
  UpdateCustomerProfile: listed('interaction', 'interactions-updatecustomerprofile'),

  // Contact actions (contact-actions.html).
  CompleteOutboundCall: listed('contact', 'contact-actions-completeoutboundcall'),
  CreateCase: listed('contact', 'createcase'),
  CreateTask: listed('contact', 'createtask'),
  CreateWisdomSession: listed('contact', 'createwisdomsession'),
  DequeueContactAndTransferToQueue: listed('contact', 'contact-actions-dequeuecontactandtransfertoqueue'),
  EndFlowModuleExecution: {
    category: 'contact',
    page: 'endflowmoduleexecution',
    rules: 'checked',
    parameters: loose,
    conditions: 'none',
    errors: [],
    requiredErrors: [],
    terminal: true,
  },
  GetCase: listed('contact', 'getcase'),
  InvokeFlowModule: {
    category: 'contact',
    page: 'flow-language-actions-invoke-flow-module',
    rules: 'checked',
    parameters: z.looseObject({ FlowModuleId: staticOrReference }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  ResumeContact: listed('contact', 'contact-actions', 'listed on contact-actions; its own page was not read'),
  StartOutboundChatContact: listed('contact', 'contact-actions-startoutboundchatcontact'),
  TagContact: listed('contact', 'contact-actions-tagcontact'),
  TransferContactToAgent: listed('contact', 'contact-actions-transfercontacttoagent'),
  TransferContactToQueue: {
    category: 'contact',
    page: 'contact-actions-transfercontacttoqueue',
    rules: 'checked',
    parameters: loose,
    conditions: 'none',
    errors: ['QueueAtCapacity', 'NoMatchingError'],
    requiredErrors: [],
  },
  UnTagContact: listed('contact', 'contact-actions-untagcontact'),
  UpdateCase: listed('contact', 'updatecase'),
  UpdateContactAttributes: {
    category: 'contact',
    page: 'contact-actions-updatecontactattributes',
    rules: 'checked',
    parameters: UpdateContactAttributesSchema,
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  UpdateContactCallbackNumber: {
    category: 'contact',
    page: 'contact-actions-updatecontactcallbacknumber',
    rules: 'checked',
    parameters: z.looseObject({
      CallbackNumber: z.string().refine(isJsonPath, { message: 'a single JSONPath reference (it cannot be static)' }),
    }),
    conditions: 'none',
    errors: ['InvalidCallbackNumber', 'CallbackNumberNotDialable'],
    requiredErrors: [],
  },
  UpdateContactData: listed('contact', 'contact-actions-updatecontactdata'),
  UpdateContactEventHooks: {
    category: 'contact',
    page: 'contact-actions-updatecontacteventhooks',
    rules: 'checked',
    parameters: z.looseObject({
      EventHooks: z
        .partialRecord(z.enum(EVENT_HOOKS), z.string())
        .refine((hooks) => Object.keys(hooks).length === 1, { message: 'exactly one event hook per action' }),
    }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  UpdateContactMediaProcessing: listed('contact', 'contact-actions-updatecontactmediaprocessing'),
  UpdateContactMediaStreamingBehavior: {
    category: 'contact',
    page: 'contact-actions-updatecontactmediastreamingbehavior',
    rules: 'checked',
    parameters: z.looseObject({ MediaStreamingState: z.enum(['Enabled', 'Disabled']) }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  UpdateContactRecordingAndAnalyticsBehavior: listed(
    'contact',
    'contact-actions-updatecontactrecordingandanalyticsbehavior',
  ),
  UpdateContactRecordingBehavior: listed('contact', 'contact-actions-updatecontactrecordingbehavior'),
  UpdateContactRoutingBehavior: {
    category: 'contact',
    page: 'contact-actions-updatecontactroutingbehavior',
    rules: 'checked',
    parameters: z
      .looseObject({
        QueuePriority: z
          .string()
          .regex(/^[1-9]\d*$/, 'a static integer larger than zero')
          .optional(),
        QueueTimeAdjustmentSeconds: z
          .string()
          .regex(/^-?\d+$/, 'a static integer')
          .optional(),
      })
      .refine(atMostOne(['QueuePriority', 'QueueTimeAdjustmentSeconds']), {
        message: 'QueuePriority and QueueTimeAdjustmentSeconds cannot both be given',
      }),
    conditions: 'none',
    errors: [],
    requiredErrors: [],
  },
  UpdateContactTargetQueue: {
    category: 'contact',
    page: 'contact-actions-updatecontacttargetqueue',
    rules: 'checked',
    parameters: z
      .looseObject({ QueueId: staticOrReference.optional(), AgentId: staticOrReference.optional() })
      .refine(atMostOne(['QueueId', 'AgentId']), { message: 'QueueId and AgentId cannot both be given' }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
  UpdateContactTextToSpeechVoice: {
    category: 'contact',
    page: 'contact-actions-updatecontacttexttospeechvoice',
    rules: 'checked',
    parameters: z.looseObject({
      TextToSpeechVoice: staticOrReference,
      TextToSpeechEngine: staticOrReference.optional(),
      TextToSpeechStyle: staticOrReference.optional(),
    }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    // Exported flows often leave this branch out (3 of 4 in the corpus): optional.
    requiredErrors: [],
  },
  UpdatePreviousContactParticipantState: {
    category: 'contact',
    page: 'contact-actions-updatepreviouscontactparticipantstate',
    rules: 'checked',
    parameters: z.looseObject({
      PreviousContactParticipantState: z.enum(['AgentOnHold', 'CustomerOnHold', 'OffHold']),
    }),
    conditions: 'none',
    errors: ['NoMatchingError'],
    requiredErrors: [],
  },
};

/** Every action type of the catalogue. */
export const CATALOGUE_TYPES: readonly string[] = Object.keys(CATALOGUE);
