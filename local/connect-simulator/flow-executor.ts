/**
 * Runs a real contact flow (Connect's flow language, the JSON in contact-flows/) for an answered
 * simulated call: the `runFlow` hook of the simulator.
 *
 * Each action does what Connect documents for it (tools/flows/actions.ts lists the sources):
 * prompts take speaking time, GetParticipantInput waits for the simulated callee's key (or times
 * out), InvokeLambdaFunction sends Connect's ContactFlowEvent to the function through the Lambda
 * API (serverless-offline locally) within `InvocationTimeLimitSeconds` (at most 8 s, wall clock),
 * validates a STRING_MAP response, retries throttles, service errors and function errors within
 * that limit like Connect, and exposes the result as `$.External`. Transitions follow Conditions,
 * then Errors (NoMatchingError catching what has no branch of its own), then NextAction. An
 * action type the executor does not implement fails the call with an error naming it: nothing is
 * skipped silently.
 *
 * The callee hangs up whenever the simulator says so (the call's `signal`): prompts and waits stop
 * at once, a Lambda invocation in progress runs to its end (Lambda does not stop because the caller
 * left), and the flow stops before its next action. Everything said, pressed and invoked goes into
 * the call's `details`, which the simulator writes to the call log.
 */
import { type ConditionTransition, type Flow, type FlowAction, FlowSchema, isTrue } from '../../tools/flows/actions.ts';
import type { FlowCall, FlowResult, RunFlow } from './flow.ts';
import { type FlowData, resolvePath, resolveValue } from './jsonpath.ts';
import { decideKeypress, type KeypadAction } from './keypad.ts';
import { pickWeighted } from './random.ts';

/**
 * Action types the executor runs (everything else fails the call with UnsupportedActionError, and
 * `npm run flows:check` warns about it in advance).
 */
export const SIMULATED_ACTION_TYPES: ReadonlySet<string> = new Set([
  'MessageParticipant',
  'GetParticipantInput',
  'InvokeLambdaFunction',
  'UpdateContactAttributes',
  'UpdateContactTextToSpeechVoice',
  'Compare',
  'CheckOutboundCallStatus',
  'DisconnectParticipant',
  'Loop',
  'TransferToFlow',
  'InvokeFlowModule',
  'EndFlowModuleExecution',
  'EndFlowExecution',
  'UpdateFlowLoggingBehavior',
  'UpdateContactEventHooks',
  'UpdateContactTargetQueue',
  'TransferContactToQueue',
  'UpdateContactRecordingBehavior',
  'UpdateContactMediaStreamingBehavior',
  'UpdateContactRoutingBehavior',
  'UpdateContactData',
  'UpdateFlowAttributes',
  'DistributeByPercentage',
  'ConnectParticipantWithLexBot',
]);

/** What the Lambda API answered to one invocation. */
export type LambdaInvokeResponse =
  | { kind: 'OK'; payload: string }
  /** The function threw (the API's `X-Amz-Function-Error`). */
  | { kind: 'FUNCTION_ERROR'; payload: string }
  /** 429: the function or the account is throttled. */
  | { kind: 'THROTTLED'; message: string }
  /** 5xx or a network failure. */
  | { kind: 'SERVICE_ERROR'; message: string }
  /** No answer within the time left. */
  | { kind: 'TIMEOUT' };

/** Invokes a function synchronously (RequestResponse), giving up after `timeoutMs`. */
export type LambdaInvoker = (request: {
  functionArn: string;
  payload: string;
  timeoutMs: number;
}) => Promise<LambdaInvokeResponse>;

export interface FlowExecutorOptions {
  flow: Flow;
  /**
   * Other flows and flow modules the flow may reach through TransferToFlow or InvokeFlowModule,
   * keyed by id or ARN (an ARN also matches by its trailing id).
   */
  flows?: Readonly<Record<string, Flow>>;
  invoke: LambdaInvoker;
  /** Actions one call may run before the executor calls it a loop and fails the call. Default 500. */
  maxActions?: number;
  /** Extra invocations after a failed one, within the time limit (Connect: up to 3). Default 3. */
  lambdaRetries?: number;
  /** Wall clock for Lambda time limits (tests). */
  now?: () => number;
}

/** The call log's view of one input the flow asked for. */
export interface PressRecord {
  /** `$.External.questionId` when the flow asked (the engine's question id). */
  questionId: string | undefined;
  /** Retry number of the question (`$.External.retry`). */
  retry: string | undefined;
  kind: 'KEY' | 'INVALID_KEY' | 'SILENCE';
  key?: string;
  /** What the flow stored (`$.StoredCustomerInput`) or matched: the key, '' for `#`, `Timeout`. */
  input: string;
}

export interface LambdaRecord {
  action: string;
  function: string;
  parameters: Record<string, string>;
  attempts: number;
  ok: boolean;
  /** The STRING_MAP's `action` and `result` fields (the engine's step), when there are any. */
  response?: Record<string, string>;
  error?: string;
}

/** `details` of a call run by the executor (the call log's `flow`). */
export interface FlowDetails {
  flow: string;
  /** Actions executed, in order (identifiers). */
  path: string[];
  /** Prompts played, as text. */
  said: string[];
  presses: PressRecord[];
  lambda: LambdaRecord[];
  attributesSet: Record<string, string>;
  voice?: string;
  /** Flows entered through TransferToFlow and modules invoked, in order (ids as the flow names them). */
  flowsEntered: string[];
  /** Event hooks set by UpdateContactEventHooks (hook → flow). */
  eventHooks: Record<string, string>;
  /** Flow logging as the flow left it (UpdateFlowLoggingBehavior). */
  logging?: 'Enabled' | 'Disabled';
  /** Intents the Lex bot recognised (ConnectParticipantWithLexBot), in order. */
  intents: string[];
  /** The queue the call was transferred to (TransferContactToQueue). */
  transferredTo?: string;
  /**
   * How the flow ended: it disconnected, handed the caller to a queue (a person takes over), the
   * callee hung up first, or it failed.
   */
  end: 'DISCONNECTED' | 'TRANSFERRED' | 'HUNG_UP' | 'FAILED';
  error?: string;
}

/** The flow could not go on; `details` says how far it got. */
export class FlowExecutionError extends Error {
  details: FlowDetails;
  constructor(message: string, details: FlowDetails) {
    super(message);
    this.name = 'FlowExecutionError';
    this.details = details;
  }
}

/** A flow uses an action type the simulator does not execute. */
export class UnsupportedActionError extends FlowExecutionError {
  constructor(action: FlowAction, details: FlowDetails) {
    super(`the simulator does not implement flow action type ${action.Type} (action "${action.Identifier}")`, details);
    this.name = 'UnsupportedActionError';
  }
}

/** The callee hung up (or StopContact): the flow stops where it is. */
class HungUp extends Error {}

/** Largest Lambda response Connect accepts (InvokeLambdaFunction). */
const MAX_RESPONSE_BYTES = 32_768;

/**
 * Parses a flow file's text, substituting `${Placeholder}` values first (as the deployment does with
 * Fn::Sub). @throws Error naming a placeholder without a value, or the schema problem.
 */
export function loadFlow(text: string, substitutions: Readonly<Record<string, string>>): Flow {
  const substituted = text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`flow placeholder \${${name}} has no value`);
    return value;
  });
  return FlowSchema.parse(JSON.parse(substituted));
}

/** The `runFlow` hook executing `options.flow` for every answered call. */
export function createFlowExecutor(options: FlowExecutorOptions): RunFlow {
  const maxActions = options.maxActions ?? 500;
  const retries = options.lambdaRetries ?? 3;
  const now = options.now ?? Date.now;
  const flowName = String(options.flow.Metadata?.name ?? 'flow');
  const indexed = new Map<Flow, Map<string, FlowAction>>();
  const actionsOf = (flow: Flow) => {
    let actions = indexed.get(flow);
    if (actions === undefined) {
      actions = new Map(flow.Actions.map((action) => [action.Identifier, action]));
      indexed.set(flow, actions);
    }
    return actions;
  };
  /** A flow or module by id or ARN (`…/contact-flow/<id>`, `…/flow-module/<id>`). */
  const findFlow = (reference: string): Flow | undefined => {
    const flows = options.flows ?? {};
    return flows[reference] ?? flows[reference.split('/').at(-1) ?? ''];
  };

  return async (call: FlowCall): Promise<FlowResult> => {
    const details: FlowDetails = {
      flow: flowName,
      path: [],
      said: [],
      presses: [],
      lambda: [],
      attributesSet: {},
      flowsEntered: [],
      eventHooks: {},
      intents: [],
      end: 'DISCONNECTED',
    };
    const data: FlowData = {
      ContactId: call.contactId,
      InitialContactId: call.contactId,
      Channel: 'VOICE',
      InstanceARN: call.instanceArn,
      CustomerEndpoint: { Address: call.customerPhoneNumber, Type: 'TELEPHONE_NUMBER' },
      ...(call.systemPhoneNumber !== undefined && {
        SystemEndpoint: { Address: call.systemPhoneNumber, Type: 'TELEPHONE_NUMBER' },
      }),
      Attributes: { ...call.attributes },
      External: {},
    };
    let pressIndex = 0;
    let intentIndex = 0;
    /** Loop actions' counters (Connect keeps one per action identifier, reset once done). */
    const loops = new Map<string, number>();
    /** The working queue (UpdateContactTargetQueue), else the queue the call was started with. */
    let targetQueue: string | undefined = call.queueId;
    /** The flow running now, and where each module invocation returns to. */
    let current = options.flow;
    const returns: Array<{ flow: Flow; next: string | undefined; action: FlowAction }> = [];
    const fail = (message: string): never => {
      details.end = 'FAILED';
      details.error = message;
      throw new FlowExecutionError(message, details);
    };
    const speak = async (text: string) => {
      details.said.push(text);
      await sleepOrHangUp(call, wordCount(text) * call.callee.speechMsPerWord);
    };

    /** The next action after `action` produced `value` (conditions) or failed with `error`. */
    const transition = (action: FlowAction, outcome: { value?: string; error?: string }): string => {
      const { Conditions = [], Errors = [], NextAction } = action.Transitions;
      if (outcome.error === undefined && outcome.value !== undefined && Conditions.length > 0) {
        const match = Conditions.find((condition) => matches(condition, outcome.value ?? ''));
        if (match !== undefined) return match.NextAction;
        const noMatch = ['Compare', 'DistributeByPercentage', 'ConnectParticipantWithLexBot'].includes(action.Type);
        return transition(action, { error: noMatch ? 'NoMatchingCondition' : 'NoMatchingError' });
      }
      if (outcome.error !== undefined) {
        const branch =
          Errors.find((error) => error.ErrorType === outcome.error) ??
          Errors.find((error) => error.ErrorType === 'NoMatchingError');
        if (branch === undefined) return fail(`action "${action.Identifier}": ${outcome.error} has no error branch`);
        return branch.NextAction;
      }
      if (NextAction === undefined) return fail(`action "${action.Identifier}" has no NextAction`);
      return NextAction;
    };

    /** Continues in another flow (TransferToFlow) or module (InvokeFlowModule) at its start. */
    const enter = (action: FlowAction, reference: unknown, module: boolean): string => {
      const id = resolveValue(data, reference);
      const target = id === undefined ? undefined : findFlow(id);
      if (id === undefined || target === undefined) {
        return fail(
          `action "${action.Identifier}" (${action.Type}): the simulator has no ${module ? 'flow module' : 'flow'} "${id ?? String(reference)}" (give it in the executor's \`flows\`)`,
        );
      }
      if (module) returns.push({ flow: current, next: action.Transitions.NextAction, action });
      details.flowsEntered.push(id);
      current = target;
      return target.StartAction;
    };

    /** Runs one action; returns the next action's identifier, or undefined when the call ends. */
    const run = async (action: FlowAction): Promise<string | undefined> => {
      const parameters = action.Parameters;
      switch (action.Type) {
        case 'MessageParticipant': {
          const prompt = promptOf(data, parameters);
          if (prompt === undefined || !isPlayable(prompt)) return transition(action, { error: 'NoMatchingError' });
          await speak(prompt.text);
          return transition(action, {});
        }
        case 'GetParticipantInput': {
          const timeoutSeconds = Number(parameters.InputTimeLimitSeconds);
          if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
            return fail(`action "${action.Identifier}": InputTimeLimitSeconds must be a static integer`);
          }
          const prompt = promptOf(data, parameters);
          if (prompt !== undefined) {
            if (!isPlayable(prompt)) return transition(action, { error: 'NoMatchingError' });
            await speak(prompt.text);
          }
          const decision = nextPress(call, data, pressIndex++);
          const pressed = decision.kind === 'PRESS' && decision.afterMs < timeoutSeconds * 1000;
          await sleepOrHangUp(call, pressed ? decision.afterMs : timeoutSeconds * 1000);
          const key = pressed ? decision.key : undefined;
          const input = key === undefined ? 'Timeout' : key === '#' ? '' : key;
          details.presses.push({
            questionId: stringOf(data.External.questionId),
            retry: stringOf(data.External.retry),
            kind: key === undefined ? 'SILENCE' : decision.kind === 'PRESS' && decision.invalid ? 'INVALID_KEY' : 'KEY',
            ...(key !== undefined && { key }),
            input,
          });
          if (isTrue(parameters.StoreInput)) {
            // Store mode: no conditions; silence is stored as "Timeout" and takes the success branch.
            data.StoredCustomerInput = input;
            return transition(action, {});
          }
          if (key === undefined) return transition(action, { error: 'InputTimeLimitExceeded' });
          const match = (action.Transitions.Conditions ?? []).find((condition) => matches(condition, input));
          return match === undefined ? transition(action, { error: 'NoMatchingCondition' }) : match.NextAction;
        }
        case 'ConnectParticipantWithLexBot': {
          const prompt = promptOf(data, parameters);
          if (prompt !== undefined) {
            if (!isPlayable(prompt)) return transition(action, { error: 'NoMatchingError' });
            await speak(prompt.text);
          }
          const intent = nextIntent(call, intentIndex++);
          await sleepOrHangUp(call, 2_000);
          if (intent === undefined) return transition(action, { error: 'InputTimeLimitExceeded' });
          details.intents.push(intent.name);
          data.Lex = { IntentName: intent.name, Slots: { ...intent.slots }, SessionAttributes: {} };
          return transition(action, { value: intent.name });
        }
        case 'InvokeLambdaFunction':
          return transition(action, await invokeLambda(action));
        case 'UpdateContactAttributes': {
          const entries = Object.entries((parameters.Attributes ?? {}) as Record<string, unknown>).map(
            ([key, value]) => [key, resolveValue(data, value)] as const,
          );
          if (entries.some(([, value]) => value === undefined)) return transition(action, { error: 'NoMatchingError' });
          const attributes = Object.fromEntries(entries) as Record<string, string>;
          Object.assign(data.Attributes, attributes);
          Object.assign(details.attributesSet, attributes);
          call.updateAttributes(attributes);
          return transition(action, {});
        }
        case 'UpdateContactTextToSpeechVoice': {
          const voice = resolveValue(data, parameters.TextToSpeechVoice);
          // Amazon Polly voice names are single capitalised words (Joanna, Ewa, Jacek, Hans, ...).
          if (voice === undefined || !/^[A-Z][a-zA-Z]+$/.test(voice))
            return transition(action, { error: 'NoMatchingError' });
          details.voice = voice;
          return transition(action, {});
        }
        case 'Compare': {
          const value = resolvePath(data, String(parameters.ComparisonValue));
          if (value === undefined) return transition(action, { error: 'NoMatchingCondition' });
          return transition(action, { value });
        }
        case 'DistributeByPercentage':
          // A number from 1 to 100 drawn for this call; the conditions are NumberLessThan thresholds.
          return transition(action, { value: String(1 + Math.floor(call.callee.random() * 100)) });
        case 'CheckOutboundCallStatus': {
          const status = callStatusOf(call);
          // Without answering-machine detection (non-campaign calls) there is nothing to check.
          if (status === undefined) return transition(action, { error: 'NoMatchingError' });
          return transition(action, { value: status });
        }
        case 'Loop': {
          const count = Number(resolveValue(data, parameters.LoopCount));
          if (!Number.isInteger(count) || count < 0) return transition(action, { error: 'NoMatchingError' });
          const runs = loops.get(action.Identifier) ?? 0;
          if (runs < count) {
            loops.set(action.Identifier, runs + 1);
            return transition(action, { value: 'ContinueLooping' });
          }
          loops.delete(action.Identifier);
          return transition(action, { value: 'DoneLooping' });
        }
        case 'TransferToFlow':
          return enter(action, parameters.ContactFlowId, false);
        case 'InvokeFlowModule':
          return enter(action, parameters.FlowModuleId, true);
        case 'EndFlowModuleExecution': {
          const back = returns.pop();
          if (back === undefined) return fail(`action "${action.Identifier}": EndFlowModuleExecution outside a module`);
          current = back.flow;
          return transition(back.action, {});
        }
        case 'EndFlowExecution':
          // Outside a queue or whisper flow, a flow that ends leaves nothing for the call: it ends.
          return undefined;
        case 'UpdateFlowLoggingBehavior':
          details.logging = parameters.FlowLoggingBehavior === 'Disabled' ? 'Disabled' : 'Enabled';
          return transition(action, {});
        case 'UpdateContactEventHooks': {
          for (const [hook, flow] of Object.entries((parameters.EventHooks ?? {}) as Record<string, unknown>)) {
            const resolved = resolveValue(data, flow);
            if (resolved === undefined) return transition(action, { error: 'NoMatchingError' });
            details.eventHooks[hook] = resolved;
          }
          return transition(action, {});
        }
        case 'UpdateContactTargetQueue': {
          const queue = resolveValue(data, parameters.QueueId ?? parameters.AgentId);
          if (queue === undefined || queue === '') return transition(action, { error: 'NoMatchingError' });
          targetQueue = queue;
          return transition(action, {});
        }
        case 'TransferContactToQueue':
          if (targetQueue === undefined) return transition(action, { error: 'NoMatchingError' });
          details.transferredTo = targetQueue;
          details.end = 'TRANSFERRED';
          return undefined;
        case 'UpdateContactRecordingBehavior':
        case 'UpdateContactMediaStreamingBehavior':
        case 'UpdateContactRoutingBehavior':
        case 'UpdateContactData':
        case 'UpdateFlowAttributes':
          // Recording, streaming, routing priority and contact data change nothing a callee hears.
          return transition(action, {});
        case 'DisconnectParticipant':
          return undefined;
        default:
          throw new UnsupportedActionError(action, { ...details, end: 'FAILED' });
      }
    };

    const invokeLambda = async (action: FlowAction): Promise<{ error?: string }> => {
      const parameters = action.Parameters;
      const functionArn = resolveValue(data, parameters.LambdaFunctionARN);
      const limitMs = Number(parameters.InvocationTimeLimitSeconds) * 1000;
      const invocationParameters: Record<string, string> = {};
      for (const [key, value] of Object.entries(
        (parameters.LambdaInvocationAttributes ?? {}) as Record<string, unknown>,
      )) {
        const resolved = resolveValue(data, value);
        if (resolved !== undefined) invocationParameters[key] = resolved;
      }
      const record: LambdaRecord = {
        action: action.Identifier,
        function: functionArn?.split(':').at(-1) ?? '(none)',
        parameters: invocationParameters,
        attempts: 0,
        ok: false,
      };
      details.lambda.push(record);
      if (functionArn === undefined || !Number.isInteger(limitMs) || limitMs < 1_000 || limitMs > 8_000) {
        record.error = 'invalid LambdaFunctionARN or InvocationTimeLimitSeconds';
        return { error: 'NoMatchingError' };
      }
      const payload = JSON.stringify(contactFlowEvent(call, data, invocationParameters));
      if ((parameters as { InvocationType?: string }).InvocationType === 'ASYNCHRONOUS') {
        record.attempts = 1;
        record.ok = true;
        void options.invoke({ functionArn, payload, timeoutMs: limitMs });
        return {};
      }
      const responseType = (parameters.ResponseValidation as { ResponseType?: string } | undefined)?.ResponseType;
      const deadline = now() + limitMs;
      for (let attempt = 0; attempt <= retries; attempt++) {
        const timeoutMs = deadline - now();
        if (timeoutMs <= 0) break;
        record.attempts++;
        const response = await options.invoke({ functionArn, payload, timeoutMs });
        if (response.kind === 'TIMEOUT') {
          record.error = `no response within ${limitMs} ms`;
          break;
        }
        if (response.kind !== 'OK') {
          record.error = response.kind === 'FUNCTION_ERROR' ? `function error: ${response.payload}` : response.message;
          continue;
        }
        const parsed = validateResponse(response.payload, responseType === 'JSON' ? 'JSON' : 'STRING_MAP');
        if (typeof parsed === 'string') {
          // An invalid response is not retried: the function would answer the same.
          record.error = parsed;
          break;
        }
        if (call.callee.random() < call.lambdaRetryProbability) {
          record.error = 'simulated Lambda service error after the function ran (retried)';
          continue;
        }
        data.External = parsed;
        record.ok = true;
        record.error = undefined;
        record.response = Object.fromEntries(
          ['action', 'result', 'questionId'].flatMap((key) =>
            typeof parsed[key] === 'string' ? [[key, parsed[key] as string]] : [],
          ),
        );
        return {};
      }
      return { error: 'NoMatchingError' };
    };

    try {
      let identifier: string | undefined = options.flow.StartAction;
      while (identifier !== undefined) {
        if (call.signal.aborted) throw new HungUp();
        if (details.path.length >= maxActions) fail(`more than ${maxActions} actions: the flow loops`);
        const action = actionsOf(current).get(identifier);
        if (action === undefined) return fail(`no action "${identifier}"`);
        if (!SIMULATED_ACTION_TYPES.has(action.Type))
          throw new UnsupportedActionError(action, { ...details, end: 'FAILED' });
        details.path.push(action.Identifier);
        identifier = await run(action);
      }
      // A queued caller talks to a person until one of them hangs up: the agent, say.
      const transferred = details.end === 'TRANSFERRED';
      if (transferred) await sleepOrHangUp(call, call.callee.talkMs);
      return {
        disconnectReason: transferred ? 'AGENT_DISCONNECT' : 'CONTACT_FLOW_DISCONNECT',
        details: { ...details },
      };
    } catch (error) {
      if (error instanceof HungUp || (call.signal.aborted && !(error instanceof FlowExecutionError))) {
        // A transferred caller who hangs up on the agent is still transferred.
        if (details.end !== 'TRANSFERRED') details.end = 'HUNG_UP';
        return { disconnectReason: 'CUSTOMER_DISCONNECT', details: { ...details } };
      }
      if (error instanceof FlowExecutionError) {
        error.details = { ...details, end: 'FAILED', error: error.message };
      }
      throw error;
    }
  };

  function nextPress(call: FlowCall, data: FlowData, index: number): KeypadAction {
    // An answering machine records; it never presses a key.
    if (call.callee.outcome === 'VOICEMAIL') return { kind: 'SILENCE' };
    const scripted = call.callee.presses?.[index];
    const validKeys = (stringOf(data.External.validKeys) ?? '').split(',').filter((key) => key !== '');
    const decided = decideKeypress(call.callee.keypad, call.callee.random, {
      questionId: stringOf(data.External.questionId),
      validKeys,
    });
    if (scripted === undefined) return decided;
    if (scripted === 'silence') return { kind: 'SILENCE' };
    const afterMs = decided.kind === 'PRESS' ? decided.afterMs : 1_000;
    return { kind: 'PRESS', key: scripted, afterMs, invalid: !validKeys.includes(scripted) };
  }
}

/**
 * The intent the Lex bot recognises the n-th time the flow connects the callee to it: the
 * per-number script (`numbers.<E.164>.intents`, `silence` for none) first, then the scenario's
 * `lex.intents` weights; undefined (no input) when neither names one.
 */
function nextIntent(call: FlowCall, index: number): { name: string; slots: Record<string, string> } | undefined {
  const scripted = call.callee.intents?.[index];
  if (typeof scripted === 'object') return { name: scripted.name, slots: scripted.slots };
  if (scripted !== undefined) return scripted === 'silence' ? undefined : { name: scripted, slots: {} };
  const weights = Object.entries(call.callee.lexIntents).filter(([, weight]) => weight > 0);
  if (weights.length === 0) return undefined;
  return { name: pickWeighted(call.callee.random, weights), slots: {} };
}

/** Connect's ContactFlowEvent for this call (admin guide, "Invoke AWS Lambda functions"). */
export function contactFlowEvent(call: FlowCall, data: FlowData, parameters: Record<string, string>) {
  return {
    Name: 'ContactFlowEvent',
    Details: {
      ContactData: {
        Attributes: { ...data.Attributes },
        Channel: 'VOICE',
        ContactId: call.contactId,
        CustomerEndpoint: { Address: call.customerPhoneNumber, Type: 'TELEPHONE_NUMBER' },
        InitialContactId: call.contactId,
        InitiationMethod: 'API',
        InstanceARN: call.instanceArn,
        PreviousContactId: call.contactId,
        Queue:
          call.queueId === undefined ? null : { ARN: `${call.instanceArn}/queue/${call.queueId}`, Name: call.queueId },
        SystemEndpoint:
          call.systemPhoneNumber === undefined ? null : { Address: call.systemPhoneNumber, Type: 'TELEPHONE_NUMBER' },
        MediaStreams: {},
      },
      Parameters: parameters,
    },
  };
}

/**
 * Checks a Lambda response as InvokeLambdaFunction's ResponseValidation does; returns the parsed
 * object or the problem. STRING_MAP: a flat object of string values. Either way at most 32 KB.
 */
export function validateResponse(payload: string, type: 'STRING_MAP' | 'JSON'): Record<string, unknown> | string {
  if (Buffer.byteLength(payload, 'utf8') > MAX_RESPONSE_BYTES)
    return `response larger than ${MAX_RESPONSE_BYTES} bytes`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return 'response is not JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'response is not an object';
  if (type === 'STRING_MAP') {
    const nested = Object.entries(parsed).find(([, value]) => typeof value !== 'string');
    if (nested !== undefined) return `STRING_MAP response: "${nested[0]}" is not a string`;
  }
  return parsed as Record<string, unknown>;
}

function promptOf(data: FlowData, parameters: Record<string, unknown>): { text: string; ssml: boolean } | undefined {
  if (parameters.SSML !== undefined) {
    const ssml = resolveValue(data, parameters.SSML);
    return ssml === undefined ? undefined : { text: ssml, ssml: true };
  }
  if (parameters.Text !== undefined) {
    const text = resolveValue(data, parameters.Text);
    return text === undefined ? undefined : { text, ssml: false };
  }
  if (parameters.PromptId !== undefined) {
    const id = resolveValue(data, parameters.PromptId);
    return id === undefined ? undefined : { text: `(recorded prompt ${id})`, ssml: false };
  }
  return undefined;
}

/**
 * Whether Connect could play the prompt: text must not be empty, SSML must be one `<speak>`
 * document whose text has every `&` and `<` escaped (Polly rejects anything else, and Connect takes
 * the error branch). Speech is recorded as plain text.
 */
function isPlayable(prompt: { text: string; ssml: boolean }): boolean {
  if (!prompt.ssml) return prompt.text.trim() !== '';
  const text = prompt.text.trim();
  if (!/^<speak>[\s\S]*<\/speak>$/.test(text)) return false;
  const inner = text.slice('<speak>'.length, -'</speak>'.length);
  const withoutTags = inner.replace(/<\/?[a-z][a-z-]*(\s+[a-z:-]+=("[^"<>]*"|'[^'<>]*'))*\s*\/?>/gi, ' ');
  if (/[<>]/.test(withoutTags) || /&(?!(amp|lt|gt|quot|apos);)/.test(withoutTags)) return false;
  prompt.text = withoutTags
    .replace(/&(amp|lt|gt|quot|apos);/g, (_entity, name: string) => ENTITIES[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return prompt.text !== '';
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function matches(condition: ConditionTransition, value: string): boolean {
  const { Operator, Operands } = condition.Condition;
  const number = Number(value);
  return Operands.some((operand) => {
    switch (Operator) {
      case 'Equals':
        return value === operand;
      case 'NumberGreaterThan':
        return number > Number(operand);
      case 'NumberGreaterOrEqualTo':
        return number >= Number(operand);
      case 'NumberLessThan':
        return number < Number(operand);
      case 'NumberLessOrEqualTo':
        return number <= Number(operand);
      case 'TextStartsWith':
        return value.startsWith(operand);
      case 'TextEndsWith':
        return value.endsWith(operand);
      case 'TextContains':
        return value.includes(operand);
      default:
        return false;
    }
  });
}

/** CheckOutboundCallStatus' result from the call's AMD status (undefined: no AMD on this call). */
function callStatusOf(call: FlowCall): string | undefined {
  switch (call.amdStatus) {
    case undefined:
      return undefined;
    case 'HUMAN_ANSWERED':
      return 'CallAnswered';
    case 'VOICEMAIL_BEEP':
      return 'VoicemailBeep';
    case 'VOICEMAIL_NO_BEEP':
      return 'VoicemailNoBeep';
    default:
      return 'NotDetected';
  }
}

async function sleepOrHangUp(call: FlowCall, milliseconds: number): Promise<void> {
  if (call.signal.aborted) throw new HungUp();
  try {
    await call.sleep(milliseconds);
  } catch {
    throw new HungUp();
  }
}

function wordCount(text: string): number {
  return Math.max(1, text.split(/\s+/).filter((word) => word !== '').length);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
