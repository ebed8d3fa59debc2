/**
 * Settings of the analytics functions, each from its own environment (serverless.yml gives every analytics function
 * only the variables it reads), validated once at cold start: a missing variable fails naming it.
 */
import { z } from 'zod';
import { ConfigurationError } from './config.ts';

const positiveInteger = z.coerce.number().int().positive();
const name = z.string().min(1);

/** The stream consumer: reads contacts and campaigns, admits dimension values, writes fact files. */
export const FactStreamEnvironmentSchema = z.object({ TABLE_NAME: name, REPORTS_BUCKET: name });

/** Compaction and retention of the fact files. */
export const CompactionEnvironmentSchema = z.object({
  REPORTS_BUCKET: name,
  /** Partitions whose run date is older than this many days are deleted. */
  RETENTION_DAYS: positiveInteger,
  /** Longest a stream record can still be delivered after it was recorded (record age limit + time-out + margin). */
  ANALYTICS_SETTLE_SECONDS: positiveInteger,
  /** How much later than its name a batch file may appear (the consumer's time-out plus clock skew). */
  ANALYTICS_CLOCK_MARGIN_SECONDS: positiveInteger,
});

/** Backfill: facts of ended runs, from their items. */
export const BackfillEnvironmentSchema = z.object({
  TABLE_NAME: name,
  REPORTS_BUCKET: name,
  ANALYTICS_SETTLE_SECONDS: positiveInteger,
});

/** The backfill request: which runs to hand to the backfill worker. */
export const BackfillRequestEnvironmentSchema = z.object({
  TABLE_NAME: name,
  ANALYTICS_SETTLE_SECONDS: positiveInteger,
  BACKFILL_FUNCTION_NAME: name,
});

/** The named analyses: Athena queries over the fact views. */
export const AnalysisEnvironmentSchema = z.object({
  TABLE_NAME: name,
  ANALYTICS_DATABASE: z.string().regex(/^[a-z0-9_]{1,255}$/, 'a Glue database name'),
  ANALYTICS_WORKGROUP: name,
  /** Cells counting fewer contacts (or attempts) than this are returned as null. */
  ANALYTICS_MIN_CELL: z.coerce.number().int().min(1).max(1_000),
});

/** Parses one function's settings; throws a ConfigurationError naming every bad variable. */
export function parseSettings<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}
