/**
 * Ports, paths and options of the local cloud, from `LOCAL_*` environment variables.
 * Every port can be changed so several stacks (say, `npm start` and the integration tests) coexist.
 */
import { z } from 'zod';
import { DynamoDbFaultSettingsError, parseDynamoDbFaults } from './dynamodb-fault-settings.ts';

const port = z.coerce.number().int().min(0).max(65_535);

export const LocalSettingsSchema = z
  .object({
    LOCAL_STAGE: z.string().default('local'),
    LOCAL_REGION: z.string().default('eu-west-1'),
    LOCAL_HTTP_PORT: port.default(3000),
    LOCAL_LAMBDA_PORT: port.default(3002),
    /** The DynamoDB endpoint every client uses: the fault proxy (local/dynamodb-faults.ts). */
    LOCAL_DYNAMODB_PORT: port.default(8000),
    /** DynamoDB Local's own port behind the proxy; default LOCAL_DYNAMODB_PORT + 1. */
    LOCAL_DYNAMODB_BACKEND_PORT: port.optional(),
    /** Faults the proxy injects, e.g. `conflicts=5-20ms,throttle=0.01` (docs/local-cloud.md); none by default. */
    LOCAL_DYNAMODB_FAULTS: z
      .string()
      .default('')
      .transform((spec, context) => {
        try {
          return parseDynamoDbFaults(spec);
        } catch (error) {
          if (!(error instanceof DynamoDbFaultSettingsError)) throw error;
          context.addIssue({ code: 'custom', message: error.detail });
          return z.NEVER;
        }
      }),
    LOCAL_S3_PORT: port.default(4569),
    LOCAL_SFN_PORT: port.default(8083),
    LOCAL_SNS_PORT: port.default(8084),
    LOCAL_CONNECT_PORT: port.default(8085),
    LOCAL_ATHENA_PORT: port.default(8086),
    /** Directory for logs and persisted state (git-ignored). */
    LOCAL_STATE_DIR: z.string().default('.local'),
    /** Keep DynamoDB data between starts (`1`) or start empty (default). */
    LOCAL_PERSIST: z
      .enum(['0', '1', 'true', 'false'])
      .default('0')
      .transform((value) => value === '1' || value === 'true'),
    /** Load the demo campaign and list on start (`npm start` does; tests do not). */
    LOCAL_DEMO: z
      .enum(['0', '1', 'true', 'false'])
      .default('1')
      .transform((value) => value === '1' || value === 'true'),
  })
  .transform((settings) => ({
    ...settings,
    LOCAL_DYNAMODB_BACKEND_PORT: settings.LOCAL_DYNAMODB_BACKEND_PORT ?? settings.LOCAL_DYNAMODB_PORT + 1,
  }));
export type LocalSettings = z.infer<typeof LocalSettingsSchema>;

/** Reads the local settings, naming any bad variable. */
export function localSettings(source: NodeJS.ProcessEnv = process.env): LocalSettings {
  const result = LocalSettingsSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid local settings: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The fixed account id the local cloud pretends to be. */
export const LOCAL_ACCOUNT_ID = '000000000000';
