/**
 * What the generic contact flow does next, decided from the campaign's script: the flow itself
 * knows no questions (docs/contact-flow.md). Both flow Lambdas answer with one {@link FlowStep},
 * flattened to Connect's STRING_MAP (every value a string), which the flow reads as `$.External.*`:
 *
 * - `ASK`: play `prompt` and collect one key (`questionId`, `retry`, `validKeys`, `inputTimeout`);
 * - `CLOSE`: play `prompt` (closing, opt-out or give-up message) and hang up;
 * - `VOICEMAIL`: leave `prompt` on the answering machine and hang up;
 * - `HANG_UP`: hang up without a word;
 * - `TRANSFER`: play `prompt` and put the call in `queue` ("press 0 for a person", `script.transfer`).
 *
 * The flow hands `questionId`, `retry`, `answered` and `scriptVersion` back to record-answer with
 * the key pressed, so the call's progress travels with the call and no read is needed per step.
 * Pure functions: no AWS, no clock.
 */
import type { Question, Script } from '../campaign.ts';
import { toSsml } from './ssml.ts';

export type StepAction = 'ASK' | 'CLOSE' | 'VOICEMAIL' | 'HANG_UP' | 'TRANSFER';

/** Why a call ends (the `reason` of CLOSE, VOICEMAIL and HANG_UP steps). */
export type EndReason = 'COMPLETED' | 'OPTED_OUT' | 'NO_VALID_INPUT' | 'VOICEMAIL' | 'SCRIPT_CHANGED' | 'TRANSFERRED';

export interface FlowStep {
  action: StepAction;
  /** SSML to play; empty for HANG_UP. */
  prompt: string;
  /** The question asked (ASK), empty otherwise. */
  questionId: string;
  /** How often this question was asked again after an invalid key or silence. */
  retry: number;
  /** Questions answered so far in this call. */
  answered: number;
  /** Keys that answer the question (ASK), e.g. `['1', '2']`. */
  validKeys: string[];
  /** Seconds to wait for the key: one of {@link INPUT_TIMEOUT_CHOICES} (the flow holds one input block per value). */
  inputTimeout: number;
  /** Campaign version the step was decided under: the version an answer to it is recorded with. */
  scriptVersion: number;
  /** Amazon Polly voice and language of the script. */
  voice: string;
  language: string;
  reason?: EndReason;
  /** TRANSFER: the queue id or ARN the flow sets as the working queue before transferring. */
  queue?: string;
}

/**
 * Input timeouts the flow can wait for. Connect requires `InputTimeLimitSeconds` to be static, so
 * the flow has one input action per value and a question's `inputTimeoutSeconds` is rounded up to
 * the next one (never shortened).
 */
export const INPUT_TIMEOUT_CHOICES = [5, 8, 15, 30] as const;

/** The smallest timeout the flow offers that is at least `seconds` (30 at most). */
export function inputTimeoutFor(seconds: number): number {
  return INPUT_TIMEOUT_CHOICES.find((choice) => choice >= seconds) ?? 30;
}

/** What the flow passes back to record-answer about the question it asked. */
export interface AskedQuestion {
  questionId: string;
  retry: number;
  answered: number;
}

/** The contact's call context a prompt may use: contact attributes (`{name}`). */
export interface StepContext {
  script: Script;
  scriptVersion: number;
  attributes: Readonly<Record<string, string | undefined>>;
}

/** `$.StoredCustomerInput` when the callee pressed nothing (Connect's "Store customer input" block). */
export const NO_INPUT = 'Timeout';

/** What one keypad input meant, and the step that follows. */
export type InputOutcome =
  | { kind: 'ANSWER'; questionId: string; key: string; label: string; completed: boolean; step: FlowStep }
  | { kind: 'OPT_OUT'; questionId: string; step: FlowStep }
  | { kind: 'TRANSFER'; questionId: string; step: FlowStep }
  | { kind: 'INVALID' | 'NO_INPUT'; questionId: string; step: FlowStep }
  | { kind: 'UNKNOWN_QUESTION'; questionId: string; step: FlowStep };

/**
 * The first step of a call: on an answering machine, the campaign's voicemail (or silence); on a
 * person, the greeting with the first question.
 */
export function firstStep(context: StepContext, callProgress: 'HUMAN' | 'VOICEMAIL'): FlowStep {
  const { script } = context;
  if (callProgress === 'VOICEMAIL') {
    const message = script.voicemail.action === 'LEAVE_MESSAGE' ? script.voicemail.message : undefined;
    return message === undefined
      ? end(context, 'HANG_UP', [], 'VOICEMAIL', 0)
      : end(context, 'VOICEMAIL', [message], 'VOICEMAIL', 0);
  }
  const first = script.questions[0];
  if (first === undefined) return end(context, 'CLOSE', [script.greeting, script.closing], 'COMPLETED', 0);
  return ask(context, first, [script.greeting, first.prompt], 0, 0);
}

/**
 * Interprets the stored input for the question the flow asked and decides the next step:
 * - a valid key is an answer: the next question along `next[key]` (or `next.default`), or the
 *   closing message when the branch ends (the script is complete);
 * - the script's opt-out key ends the call with the opt-out message;
 * - the script's transfer key (`script.transfer`) hands the call to a person in its queue;
 * - an invalid key or silence asks again after the question's re-prompt, at most `maxRetries`
 *   times, then ends the call politely;
 * - a question the current script no longer has (it changed during the call) ends the call.
 */
export function stepAfterInput(context: StepContext, asked: AskedQuestion, input: string | undefined): InputOutcome {
  const { script } = context;
  const question = script.questions.find((candidate) => candidate.id === asked.questionId);
  if (question === undefined) {
    return {
      kind: 'UNKNOWN_QUESTION',
      questionId: asked.questionId,
      step: end(context, 'CLOSE', [script.closing], 'SCRIPT_CHANGED', asked.answered),
    };
  }
  const key = input?.trim() ?? '';
  if (key !== '' && key !== NO_INPUT && key === script.optOutKey) {
    return {
      kind: 'OPT_OUT',
      questionId: question.id,
      step: end(context, 'CLOSE', [script.optOutMessage], 'OPTED_OUT', asked.answered),
    };
  }
  if (key !== '' && key === script.transfer?.key) {
    return {
      kind: 'TRANSFER',
      questionId: question.id,
      step: {
        ...end(context, 'TRANSFER', [script.transfer.prompt], 'TRANSFERRED', asked.answered),
        queue: script.transfer.queue,
      },
    };
  }
  // Own properties only: a callee's input "constructor" or "toString" must not find Object.prototype's members.
  const label = ownValue(question.keys, key);
  if (label !== undefined) {
    const answered = asked.answered + 1;
    const nextId = ownValue(question.next, key) ?? ownValue(question.next, 'default');
    const next = nextId === undefined ? undefined : script.questions.find((candidate) => candidate.id === nextId);
    return {
      kind: 'ANSWER',
      questionId: question.id,
      key,
      label,
      completed: next === undefined,
      step:
        next === undefined
          ? end(context, 'CLOSE', [script.closing], 'COMPLETED', answered)
          : ask(context, next, [next.prompt], 0, answered),
    };
  }
  const kind = key === '' || key === NO_INPUT ? 'NO_INPUT' : 'INVALID';
  if (asked.retry >= question.maxRetries) {
    return {
      kind,
      questionId: question.id,
      step: end(context, 'CLOSE', [script.closing], 'NO_VALID_INPUT', asked.answered),
    };
  }
  const reprompt = kind === 'NO_INPUT' ? question.noInputPrompt : question.invalidInputPrompt;
  return {
    kind,
    questionId: question.id,
    step: ask(context, question, [reprompt, question.prompt], asked.retry + 1, asked.answered),
  };
}

/** `record[key]` when it is the record's own property, never one inherited from Object.prototype. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function ask(context: StepContext, question: Question, parts: string[], retry: number, answered: number): FlowStep {
  return {
    ...common(context),
    action: 'ASK',
    prompt: toSsml(parts, context.attributes),
    questionId: question.id,
    retry,
    answered,
    validKeys: Object.keys(question.keys).sort(),
    inputTimeout: inputTimeoutFor(question.inputTimeoutSeconds),
  };
}

function end(
  context: StepContext,
  action: Exclude<StepAction, 'ASK'>,
  parts: string[],
  reason: EndReason,
  answered: number,
): FlowStep {
  const prompt = action === 'HANG_UP' ? '' : toSsml(parts, context.attributes);
  return { ...common(context), action, prompt, questionId: '', retry: 0, answered, validKeys: [], reason };
}

function common(context: StepContext) {
  return {
    inputTimeout: inputTimeoutFor(8),
    scriptVersion: context.scriptVersion,
    voice: context.script.voice,
    language: context.script.language,
  };
}

/**
 * The step as Connect's STRING_MAP: a flat object of string values (InvokeLambdaFunction,
 * `ResponseValidation: { ResponseType: 'STRING_MAP' }`), plus any extra fields (e.g. `result`).
 */
export function toStringMap(step: FlowStep, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    action: step.action,
    prompt: step.prompt,
    questionId: step.questionId,
    retry: String(step.retry),
    answered: String(step.answered),
    validKeys: step.validKeys.join(','),
    inputTimeout: String(step.inputTimeout),
    scriptVersion: String(step.scriptVersion),
    voice: step.voice,
    language: step.language,
    reason: step.reason ?? '',
    queue: step.queue ?? '',
    ...extra,
  };
}
