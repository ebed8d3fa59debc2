/**
 * Daily list import API, reading (uploading is list-uploads.ts):
 * - GET /campaigns/{campaignId}/lists?date=YYYY-MM-DD: the lists of a run;
 * - GET /campaigns/{campaignId}/lists/{listId}: status and summary of one list;
 * - GET /campaigns/{campaignId}/lists/{listId}/rejected.csv: every rejected row with its reason.
 */
import { z } from 'zod';
import { ListStore } from '../../adapters/list-store.ts';
import { CSV_CONTENT_TYPE, UploadsBucket } from '../../adapters/uploads-bucket.ts';
import { dateOfListId } from '../../core/import/list-id.ts';
import { listView } from '../../core/import/list-record.ts';
import { environment } from '../../lib/config.ts';
import { HttpError, type HttpResult, httpHandler, json, notFound, parseRequest } from '../../lib/http.ts';
import { CampaignPathSchema, ListPathSchema } from './list-requests.ts';

const settings = environment(['TABLE_NAME', 'UPLOADS_BUCKET', 'RETENTION_DAYS']);
const records = new ListStore(settings.TABLE_NAME, settings.RETENTION_DAYS);
const files = new UploadsBucket(settings.UPLOADS_BUCKET);

/** Rejected-rows files up to this size are answered inline; larger ones by a redirect to the bucket. */
const INLINE_CSV_BYTES = 4_000_000;
const DOWNLOAD_URL_SECONDS = 300;

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
