/**
 * Settings every function reads from its environment, validated once at cold start.
 * A missing or malformed variable fails the cold start with its name; nothing falls back silently.
 */
import { z } from 'zod';
import { validateCaps } from '../core/policy/pacing.ts';

const positiveInteger = z.coerce.number().int().positive();

export const EnvironmentSchema = z.object({
  STAGE: z.string().min(1),
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
  RUN_STATE_MACHINE_ARN: z.string().min(1),
  CONTACT_FLOW_ARN: z.string().min(1),
  RETENTION_DAYS: positiveInteger,
  MAX_CALL_SECONDS: positiveInteger,
  /** Age of a cached campaign definition in the contact-flow functions: a `PUT` reaches new calls within it. */
  CAMPAIGN_CACHE_SECONDS: positiveInteger.max(60),
  /** The export worker, handed large per-contact exports by the export API. */
  EXPORT_FUNCTION_NAME: z.string().min(1),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Parses the given environment; throws a ConfigurationError naming every bad variable. */
export function parseEnvironment(source: NodeJS.ProcessEnv): Environment {
  const result = EnvironmentSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  const caps = result.data;
  const capErrors = validateCaps({
    maxConcurrentCalls: caps.MAX_CONCURRENT_CALLS,
    dialsPerSecond: caps.DIALS_PER_SECOND,
    burst: caps.DIAL_BURST,
    flowFunctionReservedConcurrency: caps.FLOW_FUNCTION_CONCURRENCY,
  }).filter((problem) => problem.severity === 'error');
  if (capErrors.length > 0) {
    throw new ConfigurationError(`inconsistent pacing caps: ${capErrors.map((problem) => problem.message).join('; ')}`);
  }
  return result.data;
}

/**
 * Settings of the campaign-definition API alone (its function's own environment in serverless.yml): the stage's
 * shortest retry delay, `minRetryDelaySeconds` (60 in AWS, seconds on the local stage so the demo shows retries).
 */
export const CampaignLimitsEnvironmentSchema = z.object({
  MIN_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(86_400),
});

/** The campaign limits of this stage, parsed from `source`; a ConfigurationError names a bad variable. */
export function campaignLimits(source: NodeJS.ProcessEnv = process.env): { minRetryDelaySeconds: number } {
  const result = CampaignLimitsEnvironmentSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  return { minRetryDelaySeconds: result.data.MIN_RETRY_DELAY_SECONDS };
}

/** Settings of the export API alone: how long a download link lasts (`exportLinkSeconds`, minutes). */
export const ExportLinksEnvironmentSchema = z.object({
  EXPORT_LINK_SECONDS: z.coerce.number().int().min(30).max(3_600),
});

/** Seconds a per-contact export's download link is valid, parsed from `source`. */
export function exportLinkSeconds(source: NodeJS.ProcessEnv = process.env): number {
  const result = ExportLinksEnvironmentSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data.EXPORT_LINK_SECONDS;
}

let cached: Environment | undefined;

/** The validated environment of this process, parsed on first use. */
export function environment(): Environment {
  cached ??= parseEnvironment(process.env);
  return cached;
}
