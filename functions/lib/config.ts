/**
 * Settings a function reads from its environment, validated once at cold start.
 * Each function gets only the variables it uses (serverless.yml, `environment:` per function) and asks for
 * exactly those: `environment(['TABLE_NAME', ...PACING_CAPS])`. A missing or malformed variable among them
 * fails the cold start with its name; nothing falls back silently.
 */
import { z } from 'zod';
import { validateCaps } from '../core/policy/pacing.ts';

const positiveInteger = z.coerce.number().int().positive();

export const EnvironmentSchema = z.object({
  STAGE: z.string().min(1),
  /** The function's Region: Lambda sets it itself (serverless-offline too), serverless.yml cannot. */
  AWS_REGION: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS Region such as eu-west-1'),
  TABLE_NAME: z.string().min(1),
  UPLOADS_BUCKET: z.string().min(1),
  REPORTS_BUCKET: z.string().min(1),
  ALERTS_TOPIC_ARN: z.string().min(1),
  CONNECT_INSTANCE_ARN: z
    .string()
    .regex(/^arn:aws[\w-]*:connect:[\w-]+:\d{12}:instance\/[\w-]+$/, 'Connect instance ARN'),
  CONNECT_QUEUE_ID: z.string().default(''),
  /** `true` dials with answering-machine detection (TrafficType CAMPAIGN). */
  ANSWERING_MACHINE_DETECTION: z.enum(['true', 'false']).transform((value) => value === 'true'),
  CONNECT_CAMPAIGN_ID: z.string().default(''),
  MAX_CONCURRENT_CALLS: positiveInteger,
  DIALS_PER_SECOND: z.coerce.number().positive(),
  DIAL_BURST: positiveInteger,
  FLOW_FUNCTION_CONCURRENCY: positiveInteger,
  TICK_SECONDS: positiveInteger,
  /** Longest a run sleeps before it looks at its status again: a pause or stop waits at most this long. */
  RUN_MAX_SLEEP_SECONDS: positiveInteger.max(3_600),
  RUN_STATE_MACHINE_ARN: z.string().min(1),
  CONTACT_FLOW_ARN: z.string().min(1),
  RETENTION_DAYS: positiveInteger,
  MAX_CALL_SECONDS: positiveInteger,
  /** Age of a cached campaign definition in the contact-flow functions: a `PUT` reaches new calls within it. */
  CAMPAIGN_CACHE_SECONDS: positiveInteger.max(60),
  /** The export worker, handed large per-contact exports by the export API. */
  EXPORT_FUNCTION_NAME: z.string().min(1),
  /** The secret keying the hashes of phone numbers (do-not-call list): functions/adapters/number-hasher.ts. */
  PERSON_KEY_SECRET_ARN: z
    .string()
    .regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/, 'Secrets Manager secret ARN'),
  /** Days the audit log is kept (its items' TTL). */
  AUDIT_RETENTION_DAYS: positiveInteger.max(3_650),
  /**
   * The stage's shortest retry delay a campaign definition may set (`minRetryDelaySeconds`: 60 in AWS, a second on
   * the local stage so the demo shows retries). Only `PUT /campaigns/{id}` reads it.
   */
  MIN_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(86_400),
  /** How long a per-contact export's download link lasts (`exportLinkSeconds`, minutes): made per request. */
  EXPORT_LINK_SECONDS: z.coerce.number().int().min(30).max(3_600),
});
export type Environment = z.infer<typeof EnvironmentSchema>;
export type SettingName = keyof Environment;

/** The pacing caps: a function that reads one reads all four, so their consistency is always checked. */
export const PACING_CAPS = [
  'MAX_CONCURRENT_CALLS',
  'DIALS_PER_SECOND',
  'DIAL_BURST',
  'FLOW_FUNCTION_CONCURRENCY',
] as const satisfies readonly SettingName[];

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/**
 * Parses the named variables of the given environment; throws a ConfigurationError naming every missing or bad
 * one. Other variables are neither read nor required.
 */
export function parseEnvironment<const Name extends SettingName>(
  source: NodeJS.ProcessEnv,
  names: readonly Name[],
): Pick<Environment, Name> {
  const capsAsked = PACING_CAPS.filter((cap) => names.some((name) => name === cap));
  if (capsAsked.length > 0 && capsAsked.length < PACING_CAPS.length) {
    const missing = PACING_CAPS.filter((cap) => !capsAsked.includes(cap));
    throw new ConfigurationError(`pacing caps are validated together: also ask for ${missing.join(', ')}`);
  }
  // Typed as the whole mask, so the parsed value types as the whole Environment: what is returned is its Pick.
  const mask: Partial<Record<SettingName, true>> = Object.fromEntries(names.map((name) => [name, true] as const));
  const result = EnvironmentSchema.pick(mask).safeParse(source);
  if (!result.success) {
    // An unset variable says so (coercion would call it NaN).
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}: ${source[name] === undefined ? 'missing' : issue.message}`;
    });
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  const settings: Pick<Environment, Name> = result.data;
  if (capsAsked.length > 0) {
    const caps = result.data;
    const capErrors = validateCaps({
      maxConcurrentCalls: caps.MAX_CONCURRENT_CALLS,
      dialsPerSecond: caps.DIALS_PER_SECOND,
      burst: caps.DIAL_BURST,
      flowFunctionReservedConcurrency: caps.FLOW_FUNCTION_CONCURRENCY,
    }).filter((problem) => problem.severity === 'error');
    if (capErrors.length > 0) {
      throw new ConfigurationError(
        `inconsistent pacing caps: ${capErrors.map((problem) => problem.message).join('; ')}`,
      );
    }
  }
  return settings;
}

/** The named settings of this process's environment, validated when called (at module load: the cold start). */
export function environment<const Name extends SettingName>(names: readonly Name[]): Pick<Environment, Name> {
  return parseEnvironment(process.env, names);
}
