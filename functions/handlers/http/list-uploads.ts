/**
 * Uploading the day's lists, each request audited:
 * - POST /campaigns/{campaignId}/lists?date=YYYY-MM-DD, the file as body: import a small list (201 with the summary;
 *   202 when it is too large to finish within the API's time, the rest continuing in the background);
 * - POST /campaigns/{campaignId}/lists/upload-url?date=YYYY-MM-DD[&format=xlsx]: an URL to PUT a large list to.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { AlertPublisher } from '../../adapters/alerts.ts';
import { AuditLog } from '../../adapters/audit-log.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ContactWriter } from '../../adapters/contact-writer.ts';
import { DoNotCallStore } from '../../adapters/do-not-call-store.ts';
import { ListStore } from '../../adapters/list-store.ts';
import { SecretNumberHasher } from '../../adapters/number-hasher.ts';
import { DynamoDbPersonLedgers } from '../../adapters/person-ledgers.ts';
import { RunUsageStore } from '../../adapters/run-usage.ts';
import { UploadsBucket } from '../../adapters/uploads-bucket.ts';
import type { Campaign } from '../../core/campaign.ts';
import { ListFormatError } from '../../core/import/list-format-error.ts';
import { ListFormatSchema, listView } from '../../core/import/list-record.ts';
import { CallingWindowClosedError } from '../../core/policy/calling-window.ts';
import { auditedHttpHandler } from '../../lib/audit-trail.ts';
import { environment } from '../../lib/config.ts';
import { contactPolicyOf } from '../../lib/contact-policy.ts';
import { json, notFound, parseRequest } from '../../lib/http.ts';
import { RunUsageRecorder } from '../../lib/run-usage.ts';
import { attributeToRun } from '../../lib/usage-meter.ts';
import { ListImports } from '../../use-cases/import/list-intake.ts';
import {
  CampaignPathSchema,
  ListQuerySchema,
  listFileBytes,
  listFileFormat,
  MAX_LIST_UPLOAD_BYTES,
  refusedList,
  requireRunDate,
} from './list-requests.ts';

const settings = environment([
  'TABLE_NAME',
  'UPLOADS_BUCKET',
  'ALERTS_TOPIC_ARN',
  'RETENTION_DAYS',
  'PERSON_KEY_SECRET_ARN',
  'AUDIT_RETENTION_DAYS',
  'STAGE',
]);
const audit = new AuditLog(settings.TABLE_NAME, settings.AUDIT_RETENTION_DAYS, documentClient);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const records = new ListStore(settings.TABLE_NAME, settings.RETENTION_DAYS);
const files = new UploadsBucket(settings.UPLOADS_BUCKET);
const imports = new ListImports(
  {
    records,
    files,
    campaigns,
    contacts: new ContactWriter(settings.TABLE_NAME, settings.RETENTION_DAYS),
    doNotCall: new DoNotCallStore(settings.TABLE_NAME, new SecretNumberHasher(settings.PERSON_KEY_SECRET_ARN)),
    alerts: new AlertPublisher(settings.TABLE_NAME, settings.ALERTS_TOPIC_ARN),
    ledgers: new DynamoDbPersonLedgers(settings.TABLE_NAME, documentClient),
  },
  { retentionDays: settings.RETENTION_DAYS, contactPolicy: contactPolicyOf(settings.STAGE) },
);

/** Time kept back from the Lambda's limit to record where the import stopped and answer. */
const RESPONSE_MARGIN_MS = 4_000;

async function findCampaign(campaignId: string): Promise<Campaign> {
  const stored = await campaigns.get(campaignId);
  if (stored === undefined) throw notFound(`campaign "${campaignId}" does not exist`);
  return stored.campaign;
}

/** An import's counts, for its audit entry (no rows, no numbers). */
function summaryCounts(
  summary: { rows: number; accepted: number; rejected: number; duplicates: number; suppressed: number } | undefined,
): Record<string, number> {
  if (summary === undefined) return {};
  const { rows, accepted, rejected, duplicates, suppressed } = summary;
  return { rows, accepted, rejected, duplicates, suppressed };
}

const location = (campaignId: string, listId: string) => `/campaigns/${campaignId}/lists/${listId}`;

/** An import's usage goes to the run it fills (the run report's cost, docs/cost-model.md). */
const runUsage = new RunUsageRecorder(new RunUsageStore(settings.TABLE_NAME));

export const upload = auditedHttpHandler(
  'LIST_UPLOAD',
  audit,
  async (event, context: Context, note) => {
    const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
    note.target = { campaignId };
    const { date, format: formatParameter } = parseRequest(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
    note.target.date = date;
    requireRunDate(date, new Date(), settings.RETENTION_DAYS);
    // An import is a one-off invocation: its usage goes to the run it fills when it ends, not left pending.
    attributeToRun(campaignId, date, { flushAtEnd: true });
    const campaign = await findCampaign(campaignId);
    const format = listFileFormat(event.headers?.['content-type'], formatParameter);
    const bytes = listFileBytes(event, format);
    const remaining = context.getRemainingTimeInMillis();
    const started = Date.now();
    const { outcome, ref } = await imports
      .importBody({
        campaign,
        date,
        format,
        bytes,
        deadline: started + remaining - RESPONSE_MARGIN_MS,
        handoffAt: new Date(started + remaining),
      })
      .catch((error: unknown) => {
        if (error instanceof ListFormatError || error instanceof CallingWindowClosedError) throw refusedList(error);
        throw error;
      });
    note.target.listId = ref.listId;
    const record = await records.get(ref);
    if (record === undefined) throw new Error(`list ${ref.listId} vanished`);
    note.details = { format, bytes: bytes.length, outcome, ...summaryCounts(record.summary) };
    const status = outcome === 'DONE' ? 201 : outcome === 'INCOMPLETE' ? 202 : 422;
    return json(status, listView(record), { location: location(campaignId, ref.listId) });
  },
  undefined,
  { runUsage },
);

const UploadUrlQuerySchema = z.object({
  date: z.iso.date('expected a date as YYYY-MM-DD'),
  format: ListFormatSchema.optional(),
  /** The file's size in bytes: the upload URL takes exactly this many. */
  size: z.coerce
    .number('expected the file size in bytes')
    .int('expected the file size in bytes')
    .min(1, 'the file is empty')
    .max(MAX_LIST_UPLOAD_BYTES, `larger than ${MAX_LIST_UPLOAD_BYTES} bytes: split the list into several files`),
});

export const uploadUrl = auditedHttpHandler('LIST_UPLOAD_URL', audit, async (event, _context, note) => {
  const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
  note.target = { campaignId };
  const query = parseRequest(UploadUrlQuerySchema, event.queryStringParameters ?? {}, 'query');
  note.target.date = query.date;
  requireRunDate(query.date, new Date(), settings.RETENTION_DAYS);
  const campaign = await findCampaign(campaignId);
  const contentType = event.headers?.['content-type'];
  const format = query.format ?? (contentType === undefined ? 'csv' : listFileFormat(contentType));
  const upload = await imports.requestUpload({ campaign, date: query.date, format, sizeBytes: query.size });
  note.target.listId = upload.listId;
  note.details = { format, bytes: query.size };
  return json(
    201,
    {
      ...upload,
      method: 'PUT',
      campaignId,
      date: query.date,
      format,
      status: 'AWAITING_UPLOAD',
      links: { self: location(campaignId, upload.listId) },
    },
    { location: location(campaignId, upload.listId) },
  );
});
