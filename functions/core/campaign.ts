/**
 * Campaign definition: the single source of truth for what a campaign is.
 *
 * Definitions live in `config/campaigns/<campaignId>.yml` and can be replaced through
 * `PUT /campaigns/{campaignId}`. Everything the import, the dialer, the contact flow and the
 * reports need from a campaign is declared here, validated once, and typed from the schema.
 */
import { Duration } from 'luxon';
import { z } from 'zod';

const E164 = /^\+[1-9]\d{6,14}$/;
const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** IANA time zone accepted by Intl (and therefore by luxon). */
export const TimeZoneSchema = z.string().refine(isValidTimeZone, { message: 'unknown IANA time zone' });

/** ISO-8601 duration such as `PT2M` or `P1D`, kept as text so definitions round-trip unchanged. */
export const IsoDurationSchema = z
  .string()
  .refine((value) => Duration.fromISO(value).isValid, { message: 'not an ISO-8601 duration (e.g. PT30M)' });

export const WeekdaySchema = z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);
export type Weekday = z.infer<typeof WeekdaySchema>;

export const CallingWindowSchema = z
  .object({
    /** Weekdays on which calls may be placed, in the callee's time zone. */
    days: z.array(WeekdaySchema).min(1).default(['MON', 'TUE', 'WED', 'THU', 'FRI']),
    /** Local time of day the window opens (inclusive), `HH:MM`. */
    start: z.string().regex(HHMM, 'expected HH:MM').default('09:00'),
    /** Local time of day the window closes (exclusive), `HH:MM`; `24:00` means midnight. */
    end: z.string().regex(HHMM, 'expected HH:MM').default('20:00'),
    /** Dates (callee-local, `YYYY-MM-DD`) on which nobody is called. */
    holidays: z.array(z.string().regex(ISO_DATE, 'expected YYYY-MM-DD')).default([]),
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

export const QuestionSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lower-case id such as q1'),
  prompt: z.string().min(1),
  /** Valid keys and the label each answer is reported under. */
  keys: z.record(KeySchema, z.string().min(1)).refine((keys) => Object.keys(keys).length > 0, {
    message: 'at least one key',
  }),
  /** Next question per key; `default` when the key has no entry; absent means the script ends. */
  next: z.record(z.union([KeySchema, z.literal('default')]), z.string()).default({}),
  invalidInputPrompt: z.string().default('Sorry, that key is not valid.'),
  noInputPrompt: z.string().default('Sorry, I did not hear a key.'),
  /** Times the question is asked again after an invalid key or silence. */
  maxRetries: z.number().int().min(0).max(5).default(2),
  inputTimeoutSeconds: z.number().int().min(1).max(30).default(8),
});
export type Question = z.infer<typeof QuestionSchema>;

export const ScriptSchema = z
  .object({
    language: z.string().default('en-US'),
    voice: z.string().default('Joanna'),
    greeting: z.string().min(1),
    questions: z.array(QuestionSchema).min(1),
    optOutKey: KeySchema.optional(),
    optOutMessage: z.string().default('You will not be called again. Goodbye.'),
    closing: z.string().min(1),
    voicemail: z
      .object({
        action: z.enum(['LEAVE_MESSAGE', 'HANG_UP']).default('HANG_UP'),
        message: z.string().optional(),
      })
      .default({ action: 'HANG_UP' }),
  })
  .superRefine((script, context) => {
    const ids = new Set(script.questions.map((question) => question.id));
    script.questions.forEach((question, index) => {
      for (const [key, target] of Object.entries(question.next)) {
        if (!ids.has(target)) {
          context.addIssue({
            code: 'custom',
            path: ['questions', index, 'next', key],
            message: `unknown question "${target}"`,
          });
        }
      }
      if (script.optOutKey !== undefined && script.optOutKey in question.keys) {
        context.addIssue({
          code: 'custom',
          path: ['questions', index, 'keys', script.optOutKey],
          message: 'the opt-out key cannot also be an answer',
        });
      }
    });
    if (ids.size !== script.questions.length) {
      context.addIssue({ code: 'custom', path: ['questions'], message: 'question ids must be unique' });
    }
    // Each question is asked at most once per call: answers are recorded once per (call, question).
    const cycle = firstCycle(script.questions);
    if (cycle !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['questions'],
        message: `branching leads back to a question already asked: ${cycle.join(' → ')}`,
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
  when: z.record(z.string(), z.array(KeySchema).min(1)),
  sms: z.string().min(1).max(1600),
});
export type FollowUp = z.infer<typeof FollowUpSchema>;

export const ImportSettingsSchema = z.object({
  /** Header names (compared case- and space-insensitively) that hold the phone number. */
  phoneColumns: z.array(z.string()).default(['phone', 'phone_number', 'number', 'msisdn', 'telefon', 'tel']),
  /** Accept premium-rate and shared-cost numbers. */
  allowPremium: z.boolean().default(false),
  /** Alert when more than this share of a list's rows is rejected. */
  rejectionAlertThreshold: z.number().min(0).max(1).default(0.2),
});

export const RunSettingsSchema = z.object({
  /** What happens to contacts still open when the run's day ends. */
  leftovers: z.enum(['EXPIRE', 'CARRY_OVER']).default('EXPIRE'),
  /** Share of the Connect concurrency when several campaigns run at once. */
  weight: z.number().positive().default(1),
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
export type AnalyticsSettings = z.infer<typeof AnalyticsSettingsSchema>;

export const CampaignSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(1),
  /** ISO 3166 alpha-2 country used for numbers written without an international prefix. */
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, e.g. PL'),
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
  followUps: z.array(FollowUpSchema).default([]),
  analytics: AnalyticsSettingsSchema.default({ dimensions: [] }),
});
export type Campaign = z.infer<typeof CampaignSchema>;
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

/** A path of question ids that returns to its start through `next`, or undefined when there is none. */
function firstCycle(questions: ReadonlyArray<{ id: string; next: Record<string, string> }>): string[] | undefined {
  const edges = new Map(questions.map((question) => [question.id, [...new Set(Object.values(question.next))]]));
  const done = new Set<string>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    const seen = path.indexOf(id);
    if (seen >= 0) return [...path.slice(seen), id];
    if (done.has(id)) return undefined;
    for (const target of edges.get(id) ?? []) {
      const cycle = visit(target, [...path, id]);
      if (cycle !== undefined) return cycle;
    }
    done.add(id);
    return undefined;
  };
  for (const question of questions) {
    const cycle = visit(question.id, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
