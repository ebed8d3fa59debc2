/**
 * Campaign definition: the single source of truth for what a campaign is.
 *
 * Definitions live in `config/campaigns/<campaignId>.yml` and can be replaced through
 * `PUT /campaigns/{campaignId}`. Everything the import, the dialer, the contact flow and the
 * reports need from a campaign is declared here, validated once, and typed from the schema.
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
import { Duration } from 'luxon';
import { z } from 'zod';
import { CampaignPolicySchema, DEFAULT_CAMPAIGN_POLICY } from './policy/campaign-policy.ts';
import { SPEECH_LANGUAGES, voicesOf } from './script/voices.ts';

const E164 = /^\+[1-9]\d{6,14}$/;
const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/**
 * Bounds of a definition. Every string, count and number a campaign holds is bounded, so no definition can make a
 * stored item, a Lambda response or a loop too large (issue 15: a 1 MB name, 5,000 chained questions and a weight of
 * 1e308 each gave 500, a 99999999999999999999-second retry delay broke every settle).
 */
export const CAMPAIGN_LIMITS = {
  /** Campaign names, answer labels: what a report shows in one cell. */
  nameLength: 200,
  labelLength: 100,
  /**
   * Anything the callee hears. Two texts make one prompt (a re-prompt and the question): within Polly's 3,000
   * billed characters and, escaped as SSML (6 bytes per character at worst), well within the 32 KB a flow Lambda
   * may answer with.
   */
  speechLength: 1_000,
  questions: 100,
  /** Questions asked in one call along the longest branch: each takes up to a minute with its re-prompts. */
  scriptDepth: 30,
  holidays: 366,
  followUps: 20,
  phoneColumns: 20,
  columnNameLength: 100,
  /** The whole definition as stored (UTF-8 JSON): far below DynamoDB's 400 KB item. */
  definitionBytes: 200_000,
  /** Longest retry delay: a contact waiting longer belongs to another run. */
  maxRetryDelaySeconds: 30 * 86_400,
  /** Campaign weights, for fair shares between runs. */
  minWeight: 0.01,
  maxWeight: 100,
} as const;

const boundedText = (max: number) => z.string().min(1).max(max, `at most ${max} characters`);
const speech = () => boundedText(CAMPAIGN_LIMITS.speechLength);

/** IANA time zone accepted by Intl (and therefore by luxon). */
export const TimeZoneSchema = z.string().max(64).refine(isValidTimeZone, { message: 'unknown IANA time zone' });

/**
 * A delay such as `PT2M`, `PT1H30M`, `P1D` or `P1W`: days, hours, minutes and seconds only (a month or a year has no
 * fixed length), no signs, kept as text so definitions round-trip unchanged.
 */
const RETRY_DELAY =
  /^P(?!$)(?:\d{1,20}W)?(?:\d{1,20}D)?(?:T(?=\d)(?:\d{1,20}H)?(?:\d{1,20}M)?(?:\d{1,20}(?:\.\d{1,3})?S)?)?$/;

/** The delay's length in seconds, or undefined when it is not a delay {@link IsoDurationSchema} accepts. */
export function retryDelaySeconds(text: string): number | undefined {
  if (!RETRY_DELAY.test(text)) return undefined;
  const duration = Duration.fromISO(text);
  if (!duration.isValid) return undefined;
  const seconds = duration.as('seconds');
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** ISO-8601 retry delay: positive and at most 30 days. The stage's minimum is checked by {@link campaignSchemaFor}. */
export const IsoDurationSchema = z
  .string()
  .max(32)
  .superRefine((value, context) => {
    const seconds = retryDelaySeconds(value);
    if (seconds === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'not a delay such as PT30M, PT2H or P1D (days, hours, minutes and seconds; no sign)',
      });
    } else if (seconds <= 0) {
      context.addIssue({ code: 'custom', message: 'must be longer than zero: a zero delay redials at once' });
    } else if (seconds > CAMPAIGN_LIMITS.maxRetryDelaySeconds) {
      context.addIssue({ code: 'custom', message: 'at most 30 days (P30D)' });
    }
  });

export const WeekdaySchema = z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);
export type Weekday = z.infer<typeof WeekdaySchema>;

export const CallingWindowSchema = z
  .object({
    /** Weekdays on which calls may be placed, in the callee's time zone. */
    days: z.array(WeekdaySchema).min(1).max(7).default(['MON', 'TUE', 'WED', 'THU', 'FRI']),
    /** Local time of day the window opens (inclusive), `HH:MM`. */
    start: z.string().regex(HHMM, 'expected HH:MM').default('09:00'),
    /** Local time of day the window closes (exclusive), `HH:MM`; `24:00` means midnight. */
    end: z.string().regex(HHMM, 'expected HH:MM').default('20:00'),
    /** Dates (callee-local, `YYYY-MM-DD`) on which nobody is called. */
    holidays: z
      .array(
        z.iso
          .date('expected a real date as YYYY-MM-DD')
          .refine((date) => date >= '2000-01-01' && date <= '2199-12-31', 'expected a date between 2000 and 2199'),
      )
      .max(CAMPAIGN_LIMITS.holidays)
      .default([]),
  })
  .refine((window) => window.start < window.end, { message: 'start must be before end', path: ['end'] });
export type CallingWindow = z.infer<typeof CallingWindowSchema>;

/** Outcomes of one call attempt (see docs/outcomes in the README). */
export const AttemptOutcomeSchema = z.enum([
  'COMPLETED',
  'PARTIAL',
  'NO_ANSWER',
  'BUSY',
  'VOICEMAIL',
  'INVALID_NUMBER',
  'FAILED',
  'OPTED_OUT',
  /** The callee asked for a person and the flow queued the call (`script.transfer`): never retried. */
  'TRANSFERRED',
  'UNKNOWN',
]);
export type AttemptOutcome = z.infer<typeof AttemptOutcomeSchema>;

/** Outcomes that may be retried; the others always end the contact. */
export const RetryableOutcomeSchema = AttemptOutcomeSchema.extract([
  'PARTIAL',
  'NO_ANSWER',
  'BUSY',
  'VOICEMAIL',
  'FAILED',
  'UNKNOWN',
]);
export type RetryableOutcome = z.infer<typeof RetryableOutcomeSchema>;

export const RetryPolicySchema = z.object({
  /** Attempts in total, first call included. */
  maxAttempts: z.number().int().min(1).max(20).default(3),
  /** Attempts per callee-local day. */
  maxAttemptsPerDay: z.number().int().min(1).max(20).default(3),
  /** Delay before the next attempt per outcome; an outcome not listed here is final. */
  retryDelays: z.partialRecord(RetryableOutcomeSchema, IsoDurationSchema).default({
    NO_ANSWER: 'PT2H',
    BUSY: 'PT30M',
    VOICEMAIL: 'PT4H',
    FAILED: 'PT15M',
    UNKNOWN: 'PT15M',
  }),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

const KeySchema = z.string().regex(/^[0-9*#]$/, 'expected one keypad key: 0-9, * or #');

const QuestionIdSchema = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lower-case id such as q1');

/**
 * "Press 0 for a person": during any question, `key` puts the call in an Amazon Connect queue. The
 * queue is a queue id or queue ARN of the instance (the flow's UpdateContactTargetQueue takes either).
 */
export const TransferSchema = z.object({
  key: KeySchema.refine((key) => key !== '#', { message: '# ends keypad input in Connect; choose another key' }),
  queue: z
    .string()
    .max(300)
    .regex(
      /^(arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance\/[0-9a-f-]{36}\/queue\/)?[0-9a-f-]{36}$/,
      'a queue id or queue ARN (…:instance/<id>/queue/<id>)',
    ),
  /** Said before the transfer. */
  prompt: z.string().min(1).max(1_000).default('Please hold, we are connecting you to a person.'),
});

export const QuestionSchema = z.object({
  id: QuestionIdSchema,
  prompt: speech(),
  /** Valid keys and the label each answer is reported under. */
  keys: z.record(KeySchema, boundedText(CAMPAIGN_LIMITS.labelLength)).refine((keys) => Object.keys(keys).length > 0, {
    message: 'at least one key',
  }),
  /** Next question per key; `default` when the key has no entry; absent means the script ends. */
  next: z.record(z.union([KeySchema, z.literal('default')]), z.string().max(32)).default({}),
  invalidInputPrompt: speech().default('Sorry, that key is not valid.'),
  noInputPrompt: speech().default('Sorry, I did not hear a key.'),
  /** Times the question is asked again after an invalid key or silence. */
  maxRetries: z.number().int().min(0).max(5).default(2),
  inputTimeoutSeconds: z.number().int().min(1).max(30).default(8),
});
export type Question = z.infer<typeof QuestionSchema>;

export const ScriptSchema = z
  .object({
    /** Amazon Polly language code of the prompts (functions/core/script/voices.ts). */
    language: z
      .enum(SPEECH_LANGUAGES, { message: `one of Connect's text-to-speech languages: ${SPEECH_LANGUAGES.join(', ')}` })
      .default('en-US'),
    /** Amazon Polly standard voice speaking `language`. */
    voice: z.string().max(32).default('Joanna'),
    greeting: speech(),
    questions: z.array(QuestionSchema).min(1).max(CAMPAIGN_LIMITS.questions),
    optOutKey: KeySchema.optional(),
    optOutMessage: speech().default('You will not be called again. Goodbye.'),
    /** Optional "press <key> for a person": the flow transfers the call to `queue`. */
    transfer: TransferSchema.optional(),
    closing: speech(),
    voicemail: z
      .object({
        action: z.enum(['LEAVE_MESSAGE', 'HANG_UP']).default('HANG_UP'),
        message: speech().optional(),
      })
      .default({ action: 'HANG_UP' }),
  })
  .superRefine((script, context) => {
    if (!voicesOf(script.language).includes(script.voice)) {
      context.addIssue({
        code: 'custom',
        path: ['voice'],
        message: `not a standard voice for ${script.language}: one of ${voicesOf(script.language).join(', ')}`,
      });
    }
    const ids = new Set(script.questions.map((question) => question.id));
    script.questions.forEach((question, index) => {
      for (const [key, target] of Object.entries(question.next)) {
        if (!ids.has(target)) {
          context.addIssue({
            code: 'custom',
            path: ['questions', index, 'next', key],
            message: `unknown question "${target}"`,
          });
        } else if (key !== 'default' && !Object.hasOwn(question.keys, key)) {
          context.addIssue({
            code: 'custom',
            path: ['questions', index, 'next', key],
            message: `"${key}" is not one of the question's keys, so this branch is never taken`,
          });
        }
      }
      if (script.transfer !== undefined && script.transfer.key in question.keys) {
        context.addIssue({
          code: 'custom',
          path: ['questions', index, 'keys', script.transfer.key],
          message: 'the transfer key cannot also be an answer',
        });
      }
      if (script.optOutKey !== undefined && script.optOutKey in question.keys) {
        context.addIssue({
          code: 'custom',
          path: ['questions', index, 'keys', script.optOutKey],
          message: 'the opt-out key cannot also be an answer',
        });
      }
    });
    if (script.transfer !== undefined && script.transfer.key === script.optOutKey) {
      context.addIssue({
        code: 'custom',
        path: ['transfer', 'key'],
        message: 'the transfer key cannot be the opt-out key',
      });
    }
    if (ids.size !== script.questions.length) {
      context.addIssue({ code: 'custom', path: ['questions'], message: 'question ids must be unique' });
    }
    // Each question is asked at most once per call: answers are recorded once per (call, question).
    const branching = analyseBranching(script.questions);
    if (branching.cycle !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['questions'],
        message: `branching leads back to a question already asked: ${branching.cycle.join(' → ')}`,
      });
    } else if (branching.depth > CAMPAIGN_LIMITS.scriptDepth) {
      context.addIssue({
        code: 'custom',
        path: ['questions'],
        message: `a call can be asked ${branching.depth} questions; at most ${CAMPAIGN_LIMITS.scriptDepth}`,
      });
    }
    if (script.voicemail.action === 'LEAVE_MESSAGE' && !script.voicemail.message) {
      context.addIssue({ code: 'custom', path: ['voicemail', 'message'], message: 'required to leave a message' });
    }
  });
export type Script = z.infer<typeof ScriptSchema>;

export const FollowUpSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  /** Every listed question must have been answered with one of the listed keys. */
  when: z
    .record(QuestionIdSchema, z.array(KeySchema).min(1).max(12))
    .refine((when) => Object.keys(when).length > 0, { message: 'name at least one question' }),
  sms: z.string().min(1).max(1600),
});
export type FollowUp = z.infer<typeof FollowUpSchema>;

export const ImportSettingsSchema = z.object({
  /** Header names (compared case- and space-insensitively) that hold the phone number. */
  phoneColumns: z
    .array(boundedText(CAMPAIGN_LIMITS.columnNameLength))
    .min(1)
    .max(CAMPAIGN_LIMITS.phoneColumns)
    .default(['phone', 'phone_number', 'number', 'msisdn', 'telefon', 'tel']),
  /** Accept premium-rate and shared-cost numbers. */
  allowPremium: z.boolean().default(false),
  /** Alert when more than this share of a list's rows is rejected. */
  rejectionAlertThreshold: z.number().min(0).max(1).default(0.2),
});

export const RunSettingsSchema = z.object({
  /** What happens to contacts still open when the run's day ends. */
  leftovers: z.enum(['EXPIRE', 'CARRY_OVER']).default('EXPIRE'),
  /** Share of the Connect concurrency when several campaigns run at once. */
  weight: z.number().min(CAMPAIGN_LIMITS.minWeight).max(CAMPAIGN_LIMITS.maxWeight).default(1),
  /** Start the run automatically when the calling window opens. */
  autoStart: z.boolean().default(false),
  /** Ring time before an unanswered call ends, seconds (Connect allows 15-60). */
  ringTimeoutSeconds: z.number().int().min(15).max(60).default(30),
});

/** At most this many list columns are analytics dimensions (two of them can be crossed in one analysis). */
export const MAX_ANALYTICS_DIMENSIONS = 4;

/**
 * Column names that identify a person: never analytics dimensions, whatever the list calls them (the phone, name and
 * external id are not attributes anyway; these are the usual other identifiers).
 */
const PERSONAL_COLUMNS = new Set(['phone', 'name', 'full_name', 'external_id', 'email', 'e_mail', 'address', 'pesel']);

export const AnalyticsSettingsSchema = z.object({
  /**
   * List columns (attribute keys, as the import stores them: lower case, `_` for spaces) whose values every
   * analytics fact carries, so analyses can be cut by them. Bounded: see docs/analytics.md.
   */
  dimensions: z
    .array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a list column as stored: lower case, digits and _'))
    .max(MAX_ANALYTICS_DIMENSIONS, `at most ${MAX_ANALYTICS_DIMENSIONS} dimensions`)
    .refine((dimensions) => new Set(dimensions).size === dimensions.length, { message: 'dimensions must be unique' })
    .refine((dimensions) => dimensions.every((dimension) => !PERSONAL_COLUMNS.has(dimension)), {
      message: `a column that identifies a person (${[...PERSONAL_COLUMNS].join(', ')}) cannot be a dimension`,
    })
    .default([]),
});

export const CampaignSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
    name: boundedText(CAMPAIGN_LIMITS.nameLength),
    /** ISO 3166 alpha-2 country used for numbers written without an international prefix. */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, e.g. PL')
      .refine(
        (code): boolean => isSupportedCountry(code),
        'not a country with a numbering plan (ISO 3166 alpha-2, e.g. PL)',
      ),
    /** Time zone for callees whose zone cannot be derived from the list or their number. */
    timeZone: TimeZoneSchema,
    /** Number shown to callees (E.164), claimed in the Connect instance. */
    callerId: z.string().regex(E164, 'E.164 number such as +48221234567'),
    callingWindow: CallingWindowSchema.default({
      days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      start: '09:00',
      end: '20:00',
      holidays: [],
    }),
    retryPolicy: RetryPolicySchema.default({
      maxAttempts: 3,
      maxAttemptsPerDay: 3,
      retryDelays: { NO_ANSWER: 'PT2H', BUSY: 'PT30M', VOICEMAIL: 'PT4H', FAILED: 'PT15M', UNKNOWN: 'PT15M' },
    }),
    run: RunSettingsSchema.default({ leftovers: 'EXPIRE', weight: 1, autoStart: false, ringTimeoutSeconds: 30 }),
    import: ImportSettingsSchema.default({
      phoneColumns: ['phone', 'phone_number', 'number', 'msisdn', 'telefon', 'tel'],
      allowPremium: false,
      rejectionAlertThreshold: 0.2,
    }),
    script: ScriptSchema,
    followUps: z.array(FollowUpSchema).max(CAMPAIGN_LIMITS.followUps).default([]),
    analytics: AnalyticsSettingsSchema.default({ dimensions: [] }),
    /** Purpose, lawful basis, contact-policy category and exemptions, caller-ID pool, legal-hours overrides. */
    policy: CampaignPolicySchema.default(DEFAULT_CAMPAIGN_POLICY),
  })
  .superRefine((campaign, context) => {
    const questions = new Map(campaign.script.questions.map((question) => [question.id, question]));
    const ruleIds = new Set<string>();
    campaign.followUps.forEach((rule, index) => {
      if (ruleIds.has(rule.id)) {
        context.addIssue({ code: 'custom', path: ['followUps', index, 'id'], message: 'follow-up ids must be unique' });
      }
      ruleIds.add(rule.id);
      for (const [questionId, keys] of Object.entries(rule.when)) {
        const question = questions.get(questionId);
        if (question === undefined) {
          context.addIssue({
            code: 'custom',
            path: ['followUps', index, 'when', questionId],
            message: `unknown question "${questionId}"`,
          });
          continue;
        }
        keys.forEach((key, keyIndex) => {
          if (!Object.hasOwn(question.keys, key)) {
            context.addIssue({
              code: 'custom',
              path: ['followUps', index, 'when', questionId, keyIndex],
              message: `"${key}" is not a key of question ${questionId}`,
            });
          }
        });
      }
    });
    const bytes = new TextEncoder().encode(JSON.stringify(campaign)).length;
    if (bytes > CAMPAIGN_LIMITS.definitionBytes) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: `the definition takes ${bytes} bytes; at most ${CAMPAIGN_LIMITS.definitionBytes}`,
      });
    }
  });
export type Campaign = z.infer<typeof CampaignSchema>;

/** Limits that depend on the stage (serverless.yml params), checked when a definition is stored. */
export interface StageLimits {
  /** Shortest retry delay, seconds: a minute in AWS, seconds on the local stage so the demo shows retries. */
  minRetryDelaySeconds: number;
}

/**
 * The schema a `PUT /campaigns/{id}` body must pass on this stage: {@link CampaignSchema} plus the stage's limits.
 * Stored definitions are read with {@link CampaignSchema} alone, so lowering a limit never breaks a running campaign.
 */
export function campaignSchemaFor(limits: StageLimits) {
  return CampaignSchema.superRefine((campaign, context) => {
    for (const [outcome, delay] of Object.entries(campaign.retryPolicy.retryDelays)) {
      const seconds = delay === undefined ? undefined : retryDelaySeconds(delay);
      if (seconds !== undefined && seconds < limits.minRetryDelaySeconds) {
        context.addIssue({
          code: 'custom',
          path: ['retryPolicy', 'retryDelays', outcome],
          message: `at least ${limits.minRetryDelaySeconds} seconds on this stage`,
        });
      }
    }
  });
}
/** A definition as written by people, before defaults are applied. */
export type CampaignInput = z.input<typeof CampaignSchema>;

/** One problem of an invalid definition, addressed by its path (`script.questions.0.keys`). */
export interface DefinitionProblem {
  path: string;
  message: string;
}

export class InvalidCampaignError extends Error {
  readonly problems: DefinitionProblem[];
  constructor(source: string, problems: DefinitionProblem[]) {
    super(`${source}: ${problems.map((problem) => `${problem.path || '(root)'}: ${problem.message}`).join('; ')}`);
    this.name = 'InvalidCampaignError';
    this.problems = problems;
  }
}

/**
 * Validates a campaign definition and applies defaults.
 * @throws InvalidCampaignError listing every problem by path.
 */
export function parseCampaign(input: unknown, source = 'campaign'): Campaign {
  const result = CampaignSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidCampaignError(source, toProblems(result.error));
  }
  return result.data;
}

/** Flattens a zod error into path/message pairs, the shape API errors use. */
export function toProblems(error: z.ZodError): DefinitionProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * The script's branching: a path of question ids that returns to its start through `next` (`cycle`), or else the
 * most questions one call can be asked, from the first question (`depth`). An explicit stack, not recursion: a
 * 5,000-question chain must not overflow the call stack.
 */
export function analyseBranching(questions: ReadonlyArray<{ id: string; next: Record<string, string> }>): {
  cycle?: string[];
  depth: number;
} {
  const ids = new Set(questions.map((question) => question.id));
  const edges = new Map(
    questions.map((question) => [question.id, [...new Set(Object.values(question.next))].filter((id) => ids.has(id))]),
  );
  const state = new Map<string, 'OPEN' | 'DONE'>();
  /** Questions asked from a question on, itself included, along its longest branch. */
  const longest = new Map<string, number>();
  for (const root of questions) {
    if (state.has(root.id)) continue;
    const stack: Array<{ id: string; next: number }> = [{ id: root.id, next: 0 }];
    state.set(root.id, 'OPEN');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { id: string; next: number };
      const targets = edges.get(frame.id) ?? [];
      const target = targets[frame.next];
      if (target !== undefined) {
        frame.next++;
        const seen = state.get(target);
        if (seen === 'OPEN') {
          const from = stack.findIndex((open) => open.id === target);
          return { cycle: [...stack.slice(from).map((open) => open.id), target], depth: Number.POSITIVE_INFINITY };
        }
        if (seen === undefined) {
          state.set(target, 'OPEN');
          stack.push({ id: target, next: 0 });
        }
        continue;
      }
      stack.pop();
      state.set(frame.id, 'DONE');
      let below = 0;
      for (const next of targets) below = Math.max(below, longest.get(next) ?? 0);
      longest.set(frame.id, below + 1);
    }
  }
  const first = questions[0];
  return { depth: first === undefined ? 0 : (longest.get(first.id) ?? 0) };
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
