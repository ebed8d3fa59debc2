/**
 * S3 `ObjectCreated` under `lists/` in the uploads bucket: imports the list whose original was just stored, streaming
 * it from the bucket (memory does not grow with the file).
 *
 * S3 invokes asynchronously and Lambda retries a failed invocation twice, so an import that breaks off (an error, or
 * the time running out) throws and is run again; it continues where it stopped. Duplicate events find the list DONE.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { AlertPublisher } from '../../adapters/alerts.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ContactWriter } from '../../adapters/contact-writer.ts';
import { DoNotCallStore } from '../../adapters/do-not-call-store.ts';
import { ListStore } from '../../adapters/list-store.ts';
import { SecretNumberHasher } from '../../adapters/number-hasher.ts';
import { DynamoDbPersonLedgers } from '../../adapters/person-ledgers.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { UploadsBucket } from '../../adapters/uploads-bucket.ts';
import { environment } from '../../lib/config.ts';
import { contactPolicyOf } from '../../lib/contact-policy.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { attributeToRun } from '../../lib/usage-meter.ts';
import { ListImports } from '../../use-cases/import/list-intake.ts';

const settings = environment([
  'TABLE_NAME',
  'UPLOADS_BUCKET',
  'ALERTS_TOPIC_ARN',
  'RETENTION_DAYS',
  'PERSON_KEY_SECRET_ARN',
  'STAGE',
]);
const imports = new ListImports(
  {
    records: new ListStore(settings.TABLE_NAME, settings.RETENTION_DAYS),
    files: new UploadsBucket(settings.UPLOADS_BUCKET),
    campaigns: new CampaignStore(settings.TABLE_NAME),
    contacts: new ContactWriter(settings.TABLE_NAME, settings.RETENTION_DAYS),
    doNotCall: new DoNotCallStore(settings.TABLE_NAME, new SecretNumberHasher(settings.PERSON_KEY_SECRET_ARN)),
    alerts: new AlertPublisher(settings.TABLE_NAME, settings.ALERTS_TOPIC_ARN),
    ledgers: new DynamoDbPersonLedgers(settings.TABLE_NAME, documentClient),
  },
  { retentionDays: settings.RETENTION_DAYS, contactPolicy: contactPolicyOf(settings.STAGE) },
);

/** Time kept back from the Lambda's limit to record where the import stopped. */
const STOP_MARGIN_MS = 30_000;

export const S3ObjectCreatedEventSchema = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({
        bucket: z.object({ name: z.string() }),
        object: z.object({ key: z.string(), size: z.number().int().nonnegative().optional() }),
      }),
    }),
  ),
});

/** The import stopped before the end of the list (time ran out); thrown so that Lambda runs it again. */
export class ImportIncompleteError extends Error {
  constructor(listId: string) {
    super(`the import of list ${listId} stopped before the end of the list; it continues on the retry`);
    this.name = 'ImportIncompleteError';
  }
}

/** This function's usage goes to the runs it works on (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const handler = lambdaHandler(
  async (event: unknown, context: Context) => {
    const { Records } = S3ObjectCreatedEventSchema.parse(event);
    for (const record of Records) {
      // Object keys arrive URL-encoded, spaces as "+".
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      if (record.s3.bucket.name !== settings.UPLOADS_BUCKET) {
        logger.warn('object of another bucket ignored', { bucket: record.s3.bucket.name, key });
        continue;
      }
      const deadline = Date.now() + context.getRemainingTimeInMillis() - STOP_MARGIN_MS;
      const result = await imports.importUploaded(key, record.s3.object.size ?? 0, deadline);
      // An import is a one-off invocation: its usage goes to the run it fills when it ends, not left pending.
      if (result.ref !== undefined) attributeToRun(result.ref.campaignId, result.ref.date, { flushAtEnd: true });
      logger.info('list upload handled', { key, ...result });
      if (result.outcome === 'INCOMPLETE') throw new ImportIncompleteError(result.ref.listId);
    }
  },
  { runUsage },
);
