/**
 * Callee behaviour model: a seeded scenario (plain data, validated by zod) and the pure function
 * that decides what happens to one dial attempt.
 */
import { z } from 'zod';
import { pickOne, pickWeighted, type Random, randomStream, sampleDuration } from './random.ts';
import {
  type AmdStatus,
  AmdStatusSchema,
  type CalleeOutcome,
  CalleeOutcomeSchema,
  type DisconnectReason,
  DisconnectReasonSchema,
  E164,
  FLOW_OUTCOMES,
} from './vocabulary.ts';

const ProbabilitySchema = z.number().min(0).max(1);
const MillisecondsSchema = z.number().min(0).max(86_400_000);

/** A duration in ms: a number, or `{ min, max }` drawn uniformly. */
export const DurationRangeSchema = z.union([
  MillisecondsSchema,
  z
    .object({ min: MillisecondsSchema, max: MillisecondsSchema })
    .strict()
    .refine((range) => range.min <= range.max, { message: 'min must not exceed max' }),
]);

/** Outcomes that end without media; their disconnect reason comes from the scenario. */
export const FailedDialOutcomeSchema = CalleeOutcomeSchema.extract(['NO_ANSWER', 'BUSY', 'INVALID_NUMBER', 'FAILED']);
export type FailedDialOutcome = z.infer<typeof FailedDialOutcomeSchema>;

/** A keypad key a callee can press. */
export const KeypadKeySchema = z.string().regex(/^[0-9*#]$/, 'one key: 0-9, * or #');

/** How callees answer one question (keyed by the question id the flow announces as `$.External.questionId`). */
export const QuestionKeypadSchema = z
  .object({
    /** Relative weights of the keys pressed; default: the question's valid keys (`$.External.validKeys`) evenly. */
    keys: z.record(KeypadKeySchema, z.number().min(0)).optional(),
    invalidKeyProbability: ProbabilitySchema.optional(),
    silenceProbability: ProbabilitySchema.optional(),
  })
  .strict();

/** The callee model for keypad input (a person who picked up; machines never press keys). */
export const KeypadSchema = z
  .object({
    /** Share of inputs where the callee presses a key that is not valid for the question. */
    invalidKeyProbability: ProbabilitySchema.default(0.05),
    /** Share of inputs where the callee presses nothing until the input times out. */
    silenceProbability: ProbabilitySchema.default(0.05),
    /** Time from the end of the prompt to the key press; at or over the input timeout it is silence. */
    responseMs: DurationRangeSchema.default({ min: 800, max: 4_000 }),
    /** Per question id: answer weights per key and the invalid-key and silence probabilities. */
    questions: z.record(z.string(), QuestionKeypadSchema).default({}),
  })
  .strict();
export type Keypad = z.infer<typeof KeypadSchema>;

/** An intent a callee gives a Lex bot, with the slots the bot fills (`$.Lex.Slots.<name>`). */
export const LexIntentSchema = z
  .object({
    name: z.string().min(1).max(100),
    slots: z.record(z.string().min(1).max(100), z.string().max(1_000)).default({}),
  })
  .strict();
export type LexIntent = z.infer<typeof LexIntentSchema>;

/** Fixes parts of one attempt's behaviour; unset fields come from the scenario's distributions. */
export const CallOverrideSchema = z
  .object({
    outcome: CalleeOutcomeSchema.optional(),
    /** Time until the callee answers (or the network reports busy / invalid / failure). */
    ringMs: MillisecondsSchema.optional(),
    /** How long the default flow keeps an answered call. */
    talkMs: MillisecondsSchema.optional(),
    /** The callee hangs up this long after answering; `null` means they never hang up first. */
    hangUpAfterMs: MillisecondsSchema.nullable().optional(),
    disconnectReason: DisconnectReasonSchema.optional(),
    amdStatus: AmdStatusSchema.optional(),
    /**
     * Keys this callee presses, one per input the flow asks for, in order (`silence`: presses
     * nothing); replaces the keypad model for this attempt. When they run out the model takes over.
     */
    presses: z.array(z.union([KeypadKeySchema, z.literal('silence')])).optional(),
    /**
     * Intents this callee gives a Lex bot (ConnectParticipantWithLexBot), one per time the flow
     * connects them to it, in order (`silence`: says nothing); then the scenario's `lex` takes over.
     */
    intents: z
      .array(z.union([z.string().min(1).max(100), LexIntentSchema]))
      .max(50)
      .optional(),
  })
  .strict();
export type CallOverride = z.infer<typeof CallOverrideSchema>;

/** Per-number behaviour: one override for every attempt, or one per attempt (the last one repeats). */
export const NumberBehaviourSchema = z.union([
  CallOverrideSchema,
  z.object({ sequence: z.array(CallOverrideSchema).min(1) }).strict(),
]);
export type NumberBehaviour = z.infer<typeof NumberBehaviourSchema>;

/** Seeded delivery faults applied to each contact event independently. */
export const FaultsSchema = z
  .object({
    /** The event is never delivered. */
    dropProbability: ProbabilitySchema.default(0),
    /** The event is delivered twice; the copy follows after `duplicateDelayMs`. */
    duplicateProbability: ProbabilitySchema.default(0),
    /** The event is held back by `delayMs`, so a later event may overtake it. */
    delayProbability: ProbabilitySchema.default(0),
    delayMs: DurationRangeSchema.default({ min: 1_000, max: 10_000 }),
    duplicateDelayMs: DurationRangeSchema.default({ min: 0, max: 2_000 }),
    /**
     * A contact-flow Lambda invocation ran but the Lambda service answered with an error, so
     * Connect invokes the function again (the flow functions must be idempotent).
     */
    lambdaRetryProbability: ProbabilitySchema.default(0),
  })
  .strict();
export type Faults = z.infer<typeof FaultsSchema>;

const DEFAULT_OUTCOME_WEIGHTS = {
  ANSWERED: 0.55,
  NO_ANSWER: 0.2,
  BUSY: 0.07,
  VOICEMAIL: 0.12,
  INVALID_NUMBER: 0.03,
  FAILED: 0.03,
};

/** Disconnect reasons of calls that never reach the flow, per the admin guide's voice codes. */
export const DEFAULT_DISCONNECT_REASONS: Readonly<Record<FailedDialOutcome, DisconnectReason>> = {
  NO_ANSWER: 'TELECOM_TIMEOUT',
  BUSY: 'TELECOM_BUSY',
  INVALID_NUMBER: 'TELECOM_NUMBER_INVALID',
  FAILED: 'TELECOM_PROBLEM',
};

/**
 * A callee scenario. All durations are milliseconds of simulated time; the simulator multiplies
 * them by `timeScale` before waiting (0.001 turns a 30 s call into 30 ms).
 */
export const ScenarioSchema = z
  .object({
    seed: z.int().default(1),
    timeScale: z.number().positive().max(1_000).default(1),
    /** Relative weights of callee outcomes; an outcome left out has weight 0. */
    outcomes: z
      .partialRecord(CalleeOutcomeSchema, z.number().min(0))
      .default(DEFAULT_OUTCOME_WEIGHTS)
      .refine((weights) => Object.values(weights).some((weight) => weight > 0), {
        message: 'at least one outcome needs a positive weight',
      }),
    /** Ring time of answered calls (human or voicemail); at or over the ring timeout it is a no-answer. */
    ringMs: DurationRangeSchema.default({ min: 3_000, max: 25_000 }),
    /** Length of an answered call under the default flow. */
    talkMs: DurationRangeSchema.default({ min: 30_000, max: 90_000 }),
    /** Share of answering humans who hang up before the flow ends (CUSTOMER_DISCONNECT). */
    hangUpProbability: ProbabilitySchema.default(0.1),
    hangUpAfterMs: DurationRangeSchema.default({ min: 5_000, max: 40_000 }),
    /**
     * How long an answering machine records, from when it answers, before it hangs up (CUSTOMER_DISCONNECT): its
     * maximum message length. `null` (the default): it records until the flow disconnects.
     */
    voicemailMs: DurationRangeSchema.nullable().default(null),
    busyMs: DurationRangeSchema.default({ min: 2_000, max: 6_000 }),
    invalidNumberMs: DurationRangeSchema.default({ min: 1_000, max: 4_000 }),
    failedMs: DurationRangeSchema.default({ min: 500, max: 8_000 }),
    /** Share of voicemails that AMD reports as VOICEMAIL_BEEP (the rest VOICEMAIL_NO_BEEP). */
    voicemailBeepProbability: ProbabilitySchema.default(0.8),
    /** Share of answered calls (human or voicemail) that AMD cannot classify (AMD_UNRESOLVED). */
    amdUnresolvedProbability: ProbabilitySchema.default(0),
    /**
     * With AMD on, also emit CONNECTED_TO_SYSTEM for SIT-tone calls (busy, invalid number): the
     * contact events page says that event can carry any AMD status. Off by default.
     */
    sitToneConnectsToSystem: z.boolean().default(false),
    /** Disconnect reason per failed-dial outcome; a list is drawn from uniformly per call. */
    disconnectReasons: z
      .partialRecord(FailedDialOutcomeSchema, z.union([DisconnectReasonSchema, z.array(DisconnectReasonSchema).min(1)]))
      .default({}),
    /** Per-number behaviour for tests, keyed by E.164 destination. */
    numbers: z.record(z.string().regex(E164, 'E.164 number such as +48600000001'), NumberBehaviourSchema).default({}),
    faults: FaultsSchema.prefault({}),
    /** How callees use the keypad when the contact flow asks for input. */
    keypad: KeypadSchema.prefault({}),
    /** What callees say to a Lex bot: relative weights of the intents it recognises (none: no input). */
    lex: z
      .object({ intents: z.record(z.string().min(1).max(100), z.number().min(0)).default({}) })
      .strict()
      .prefault({}),
    /** Speaking time per word of a prompt (simulated ms): how long a message or question lasts. */
    speechMsPerWord: MillisecondsSchema.default(350),
    /**
     * EventBridge delivery latency added to every event, in wall-clock ms (not scaled: the engine's
     * own latency is not scaled either). 0 by default; `{ min: 100, max: 1000 }` is closer to AWS and
     * also lets a compressed call's events overtake each other.
     */
    eventLatencyMs: DurationRangeSchema.default(0),
  })
  .strict();
export type Scenario = z.infer<typeof ScenarioSchema>;
/** A scenario as written by people, before defaults are applied. */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export class InvalidScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidScenarioError';
  }
}

/**
 * Validates a scenario and applies defaults.
 * @throws InvalidScenarioError describing every problem.
 */
export function parseScenario(input: unknown): Scenario {
  const result = ScenarioSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new InvalidScenarioError(z.prettifyError(result.error));
  }
  return result.data;
}

/** What will happen to one dial attempt, in unscaled milliseconds. */
export interface CallPlan {
  /** Ground truth after the ring timeout is applied. */
  outcome: CalleeOutcome;
  /** Time from INITIATED until the call connects or the dial fails. */
  ringMs: number;
  /** Whether CONNECTED_TO_SYSTEM happens (media established). */
  connects: boolean;
  /** Whether the contact flow runs (a human or a voicemail answered). */
  runsFlow: boolean;
  /** How long the default flow keeps the call once connected. */
  talkMs: number;
  /** The callee hangs up this long after connecting (an answering human, or a machine at its maximum message length). */
  hangUpAfterMs: number | undefined;
  /** Reason for calls that end without running the flow. */
  disconnectReason: DisconnectReason | undefined;
  /** Status reported on the events when AMD is enabled; undefined otherwise. */
  amdStatus: AmdStatus | undefined;
  /** Keys the callee presses in order (a per-number override), before the keypad model takes over. */
  presses: ReadonlyArray<string> | undefined;
  /** Intents the callee gives a Lex bot in order (a per-number override). */
  intents: ReadonlyArray<string | LexIntent> | undefined;
}

/** The facts of one dial request that the callee model needs. */
export interface PlanCallInput {
  destination: string;
  /** 0 for the first call to this destination, 1 for the second, … */
  attempt: number;
  amdEnabled: boolean;
  ringTimeoutMs: number;
}

/**
 * Decides one dial attempt. Deterministic in (scenario.seed, destination, attempt): the same seed
 * reproduces every call whatever the interleaving of requests.
 */
export function planCall(scenario: Scenario, input: PlanCallInput): CallPlan {
  const random = randomStream(scenario.seed, 'callee', input.destination, input.attempt);
  // Draw everything up front in a fixed order, so an override of one field leaves the others unchanged.
  const draws = {
    outcome: pickWeighted(random, outcomeWeights(scenario)),
    answerRingMs: sampleDuration(random, scenario.ringMs),
    talkMs: sampleDuration(random, scenario.talkMs),
    hangsUp: random() < scenario.hangUpProbability,
    hangUpAfterMs: sampleDuration(random, scenario.hangUpAfterMs),
    beep: random() < scenario.voicemailBeepProbability,
    amdUnresolved: random() < scenario.amdUnresolvedProbability,
    busyMs: sampleDuration(random, scenario.busyMs),
    invalidNumberMs: sampleDuration(random, scenario.invalidNumberMs),
    failedMs: sampleDuration(random, scenario.failedMs),
    // Last, and only when set: a scenario without it draws exactly what it drew before.
    voicemailMs: scenario.voicemailMs === null ? undefined : sampleDuration(random, scenario.voicemailMs),
  };
  const override = overrideFor(scenario.numbers[input.destination], input.attempt);

  let outcome: CalleeOutcome = override.outcome ?? draws.outcome;
  const ringByOutcome: Record<CalleeOutcome, number> = {
    ANSWERED: draws.answerRingMs,
    VOICEMAIL: draws.answerRingMs,
    NO_ANSWER: input.ringTimeoutMs,
    BUSY: draws.busyMs,
    INVALID_NUMBER: draws.invalidNumberMs,
    FAILED: draws.failedMs,
  };
  let ringMs = override.ringMs ?? ringByOutcome[outcome];
  if (FLOW_OUTCOMES.has(outcome) && ringMs >= input.ringTimeoutMs) {
    outcome = 'NO_ANSWER';
  }
  if (outcome === 'NO_ANSWER') {
    ringMs = Math.min(ringMs, input.ringTimeoutMs);
  }

  const runsFlow = !isFailedDial(outcome);
  const sitTone = outcome === 'BUSY' || outcome === 'INVALID_NUMBER';
  const amdStatus = input.amdEnabled
    ? (override.amdStatus ?? amdStatusFor(outcome, draws.beep, draws.amdUnresolved))
    : undefined;
  return {
    outcome,
    ringMs,
    connects: runsFlow || (input.amdEnabled && scenario.sitToneConnectsToSystem && sitTone),
    runsFlow,
    talkMs: runsFlow ? (override.talkMs ?? draws.talkMs) : 0,
    hangUpAfterMs: hangUpAfterFor(outcome, override, draws),
    disconnectReason: isFailedDial(outcome)
      ? (override.disconnectReason ?? failedDialReason(scenario, outcome, random))
      : undefined,
    amdStatus,
    presses: override.presses,
    intents: override.intents,
  };
}

function outcomeWeights(scenario: Scenario): Array<readonly [CalleeOutcome, number]> {
  return CalleeOutcomeSchema.options.map((outcome) => [outcome, scenario.outcomes[outcome] ?? 0] as const);
}

function overrideFor(behaviour: NumberBehaviour | undefined, attempt: number): CallOverride {
  if (behaviour === undefined) return {};
  if ('sequence' in behaviour) {
    return behaviour.sequence[Math.min(attempt, behaviour.sequence.length - 1)] ?? {};
  }
  return behaviour;
}

/**
 * When the callee hangs up: an answering human when drawn to (or as the override says); an answering machine at its
 * maximum message length, when the scenario gives one (an override's hang-up is a person's, never a machine's).
 */
function hangUpAfterFor(
  outcome: CalleeOutcome,
  override: CallOverride,
  draws: { hangsUp: boolean; hangUpAfterMs: number; voicemailMs: number | undefined },
): number | undefined {
  if (outcome === 'VOICEMAIL') return draws.voicemailMs;
  if (outcome !== 'ANSWERED') return undefined;
  if (override.hangUpAfterMs !== undefined) return override.hangUpAfterMs ?? undefined;
  return draws.hangsUp ? draws.hangUpAfterMs : undefined;
}

function amdStatusFor(outcome: CalleeOutcome, beep: boolean, unresolved: boolean): AmdStatus {
  switch (outcome) {
    case 'ANSWERED':
      return unresolved ? 'AMD_UNRESOLVED' : 'HUMAN_ANSWERED';
    case 'VOICEMAIL':
      if (unresolved) return 'AMD_UNRESOLVED';
      return beep ? 'VOICEMAIL_BEEP' : 'VOICEMAIL_NO_BEEP';
    case 'NO_ANSWER':
      return 'AMD_UNANSWERED';
    case 'BUSY':
      return 'SIT_TONE_BUSY';
    case 'INVALID_NUMBER':
      return 'SIT_TONE_INVALID_NUMBER';
    case 'FAILED':
      return 'AMD_NOT_APPLICABLE';
  }
}

function failedDialReason(scenario: Scenario, outcome: FailedDialOutcome, random: Random): DisconnectReason {
  const configured = scenario.disconnectReasons[outcome] ?? DEFAULT_DISCONNECT_REASONS[outcome];
  if (typeof configured === 'string') return configured;
  const [first, ...rest] = configured;
  return first === undefined ? DEFAULT_DISCONNECT_REASONS[outcome] : pickOne(random, [first, ...rest]);
}

function isFailedDial(outcome: CalleeOutcome): outcome is FailedDialOutcome {
  return !FLOW_OUTCOMES.has(outcome);
}
