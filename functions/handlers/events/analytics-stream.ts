/**
 * The table's change stream → analytics fact files (docs/analytics.md). Lambda delivers batches of stream records
 * (NEW_AND_OLD_IMAGES); the facts of each batch go to one Parquet file per table and partition. A file that cannot be
 * written is reported as a partial batch failure from the earliest record it held, so the stream delivers from there
 * again; a thrown error has the batch split (bisect on error) and retried, and a batch that keeps failing goes to the
 * on-failure queue and raises the alarm. Either way a fact written twice is still counted once.
 */
import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { AnalyticsContacts } from '../../adapters/analytics-contacts.ts';
import { CampaignStore, cachedCampaign } from '../../adapters/campaign-store.ts';
import { DimensionRegistry } from '../../adapters/dimension-registry.ts';
import { FactFiles } from '../../adapters/fact-files.ts';
import { FactStreamEnvironmentSchema, parseSettings } from '../../lib/analytics-config.ts';
import { lambdaHandler } from '../../lib/handler.ts';
import { logger } from '../../lib/logger.ts';
import { recordFacts, type StreamChange } from '../../use-cases/analytics/record-facts.ts';

const settings = parseSettings(FactStreamEnvironmentSchema);
const campaignStore = new CampaignStore(settings.TABLE_NAME);
const ports = {
  contacts: new AnalyticsContacts(settings.TABLE_NAME),
  campaigns: {
    async analyticsOf(campaignId: string) {
      const stored = await cachedCampaign(campaignStore, campaignId);
      return stored === undefined
        ? undefined
        : { callerId: stored.campaign.callerId, dimensions: stored.campaign.analytics.dimensions };
    },
  },
  dimensions: new DimensionRegistry(settings.TABLE_NAME),
  files: new FactFiles(settings.REPORTS_BUCKET),
  now: () => Date.now(),
  newFileId: () => randomBytes(6).toString('hex'),
  warn: (message: string, details: Record<string, unknown>) => logger.warn(message, details),
};

const ImageSchema = z.custom<Record<string, AttributeValue>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'an item image',
);

/** A DynamoDB stream record as Lambda delivers it (only what the facts use). */
export const StreamRecordSchema = z.object({
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    ApproximateCreationDateTime: z.number().positive(),
    Keys: z.object({ pk: z.object({ S: z.string() }), sk: z.object({ S: z.string() }) }),
    SequenceNumber: z.string().min(1),
    NewImage: ImageSchema.optional(),
    OldImage: ImageSchema.optional(),
  }),
});
export const StreamEventSchema = z.object({ Records: z.array(StreamRecordSchema) });

/** The change a record describes; REMOVE (TTL, erasure) gives none. */
export function toChange(record: z.infer<typeof StreamRecordSchema>): StreamChange {
  const { dynamodb } = record;
  return {
    sequenceNumber: dynamodb.SequenceNumber,
    // Lambda gives seconds (a fraction since 2024 on some tables); facts keep milliseconds.
    recordedAt: new Date(Math.round(dynamodb.ApproximateCreationDateTime * 1000)),
    pk: dynamodb.Keys.pk.S,
    sk: dynamodb.Keys.sk.S,
    newImage: record.eventName === 'REMOVE' || !dynamodb.NewImage ? undefined : unmarshall(dynamodb.NewImage),
    oldImage: dynamodb.OldImage ? unmarshall(dynamodb.OldImage) : undefined,
  };
}

export const handler = lambdaHandler(async (event: unknown) => {
  const { Records } = StreamEventSchema.parse(event);
  const started = Date.now();
  const result = await recordFacts(ports, Records.map(toChange));
  logger.info('facts recorded', {
    records: Records.length,
    facts: result.facts,
    files: result.files,
    withoutContact: result.withoutContact,
    milliseconds: Date.now() - started,
    retryFrom: result.retryFrom,
  });
  return { batchItemFailures: result.retryFrom === undefined ? [] : [{ itemIdentifier: result.retryFrom }] };
});
