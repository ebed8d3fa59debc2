/**
 * Daily list import API:
 * - POST /campaigns/{campaignId}/lists?date=YYYY-MM-DD, the file as body: import a small list (201 with the summary;
 *   202 when it is too large to finish within the API's time, the rest continuing in the background);
 * - POST /campaigns/{campaignId}/lists/upload-url?date=YYYY-MM-DD[&format=xlsx]: an URL to PUT a large list to;
 * - GET /campaigns/{campaignId}/lists?date=YYYY-MM-DD: the lists of a run;
 * - GET /campaigns/{campaignId}/lists/{listId}: status and summary of one list;
 * - GET /campaigns/{campaignId}/lists/{listId}/rejected.csv: every rejected row with its reason.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { AlertPublisher } from '../../adapters/alerts.ts';
import { CampaignStore } from '../../adapters/campaign-store.ts';
import { ContactWriter } from '../../adapters/contact-writer.ts';
import { DoNotCallStore } from '../../adapters/do-not-call-store.ts';
import { ListStore } from '../../adapters/list-store.ts';
import { CSV_CONTENT_TYPE, UploadsBucket } from '../../adapters/uploads-bucket.ts';
import type { Campaign } from '../../core/campaign.ts';
import { dateOfListId } from '../../core/import/list-id.ts';
import { ListFormatSchema, listView } from '../../core/import/list-record.ts';
import { environment } from '../../lib/config.ts';
import { HttpError, type HttpResult, httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';
import { ListImports } from '../../use-cases/import/list-intake.ts';
import {
  CampaignPathSchema,
  ListPathSchema,
  ListQuerySchema,
  listFileBytes,
  listFileFormat,
  MAX_LIST_UPLOAD_BYTES,
  refusedImport,
  requireRunDate,
} from './list-requests.ts';

const settings = environment(['TABLE_NAME', 'UPLOADS_BUCKET', 'ALERTS_TOPIC_ARN', 'RETENTION_DAYS']);
const campaigns = new CampaignStore(settings.TABLE_NAME);
const records = new ListStore(settings.TABLE_NAME, settings.RETENTION_DAYS);
const files = new UploadsBucket(settings.UPLOADS_BUCKET);
const imports = new ListImports(
  {
    records,
    files,
    campaigns,
    contacts: new ContactWriter(settings.TABLE_NAME, settings.RETENTION_DAYS),
    doNotCall: new DoNotCallStore(settings.TABLE_NAME),
    alerts: new AlertPublisher(settings.TABLE_NAME, settings.ALERTS_TOPIC_ARN),
  },
  { retentionDays: settings.RETENTION_DAYS },
);

/** Time kept back from the Lambda's limit to record where the import stopped and answer. */
const RESPONSE_MARGIN_MS = 4_000;
/** Rejected-rows files up to this size are answered inline; larger ones by a redirect to the bucket. */
const INLINE_CSV_BYTES = 4_000_000;
const DOWNLOAD_URL_SECONDS = 300;

async function findCampaign(campaignId: string): Promise<Campaign> {
  const stored = await campaigns.get(campaignId);
  if (stored === undefined) throw notFound(`campaign "${campaignId}" does not exist`);
  return stored.campaign;
}

const location = (campaignId: string, listId: string) => `/campaigns/${campaignId}/lists/${listId}`;

export const upload = httpHandler(async (event, context: Context) => {
  const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
  const { date, format: formatParameter } = parseRequest(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
  requireRunDate(date, new Date(), settings.RETENTION_DAYS);
  const campaign = await findCampaign(campaignId);
  const format = listFileFormat(event.headers?.['content-type'], formatParameter);
  const bytes = listFileBytes(event, format);
  const remaining = context.getRemainingTimeInMillis();
  const started = Date.now();
  const { outcome, ref } = await imports.importBody({
    campaign,
    date,
    format,
    bytes,
    deadline: started + remaining - RESPONSE_MARGIN_MS,
    handoffAt: new Date(started + remaining),
  });
  const record = await records.get(ref);
  if (record === undefined) throw new Error(`list ${ref.listId} vanished`);
  const status = outcome === 'DONE' ? 201 : outcome === 'INCOMPLETE' ? 202 : 422;
  return json(status, listView(record), { location: location(campaignId, ref.listId) });
}, refusedImport);

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

export const uploadUrl = httpHandler(async (event) => {
  const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
  const query = parseRequest(UploadUrlQuerySchema, event.queryStringParameters ?? {}, 'query');
  requireRunDate(query.date, new Date(), settings.RETENTION_DAYS);
  const campaign = await findCampaign(campaignId);
  const contentType = event.headers?.['content-type'];
  const format = query.format ?? (contentType === undefined ? 'csv' : listFileFormat(contentType));
  const upload = await imports.requestUpload({ campaign, date: query.date, format, sizeBytes: query.size });
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

const RunQuerySchema = z.object({ date: z.iso.date('expected a date as YYYY-MM-DD') });

export const listForRun = httpHandler(async (event) => {
  const { campaignId } = parseRequest(CampaignPathSchema, event.pathParameters, 'path');
  const { date } = parseRequest(RunQuerySchema, event.queryStringParameters ?? {}, 'query');
  const lists = await records.listForRun(campaignId, date);
  return json(200, { campaignId, date, lists: lists.map(listView) });
});

export const get = httpHandler(async (event) => {
  const { campaignId, listId } = parseRequest(ListPathSchema, event.pathParameters, 'path');
  const record = await records.get({ campaignId, date: dateOfListId(listId), listId });
  if (record === undefined) throw notFound(`campaign "${campaignId}" has no list ${listId}`);
  return json(200, listView(record));
});

export const rejectedRows = httpHandler(async (event): Promise<HttpResult> => {
  const { campaignId, listId } = parseRequest(ListPathSchema, event.pathParameters, 'path');
  const record = await records.get({ campaignId, date: dateOfListId(listId), listId });
  if (record === undefined) throw notFound(`campaign "${campaignId}" has no list ${listId}`);
  if (record.status !== 'DONE' || record.rejectedKey === undefined) {
    throw new HttpError(
      409,
      'NOT_READY',
      `list ${listId} is ${record.status}: its rejected rows are known once it is DONE`,
    );
  }
  const filename = `rejected-${listId}.csv`;
  const size = await files.size(record.rejectedKey);
  if (size === undefined) throw notFound(`the rejected rows of list ${listId} are no longer kept`);
  if (size > INLINE_CSV_BYTES) {
    const url = await files.presignGet(record.rejectedKey, DOWNLOAD_URL_SECONDS, filename);
    return { statusCode: 303, headers: { location: url, 'cache-control': 'no-store' }, body: '' };
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': CSV_CONTENT_TYPE,
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
    body: await files.getText(record.rejectedKey),
  };
});
