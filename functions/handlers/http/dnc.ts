/**
 * Do-not-call list API:
 * - POST /dnc[?country=XX], a CSV with a phone column as body: adds the numbers (engine-wide) and answers with the
 *   counts; `country` is the country of numbers written without a country code (required for those).
 *
 * Numbers on the list are `suppressed` by every later import.
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { AuditLog } from '../../adapters/audit-log.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { DoNotCallStore } from '../../adapters/do-not-call-store.ts';
import { SecretNumberHasher } from '../../adapters/number-hasher.ts';
import { auditedHttpHandler } from '../../lib/audit-trail.ts';
import { environment } from '../../lib/config.ts';
import { HttpError, json, parseRequest } from '../../lib/http.ts';
import { readDoNotCallList } from '../../use-cases/import/read-do-not-call-list.ts';
import { listFileBytes, listFileFormat, refusedImport } from './list-requests.ts';

const settings = environment(['TABLE_NAME', 'PERSON_KEY_SECRET_ARN', 'AUDIT_RETENTION_DAYS']);
const audit = new AuditLog(settings.TABLE_NAME, settings.AUDIT_RETENTION_DAYS, documentClient);
const doNotCall = new DoNotCallStore(settings.TABLE_NAME, new SecretNumberHasher(settings.PERSON_KEY_SECRET_ARN));

const DoNotCallQuerySchema = z.object({
  country: z
    .string()
    .transform((country) => country.toUpperCase())
    .refine(isSupportedCountry, { message: 'not an ISO 3166 country with a known numbering plan, e.g. PL' })
    .optional(),
});

export const upload = auditedHttpHandler(
  'DNC_ADD',
  audit,
  async (event, _context, note) => {
    const { country } = parseRequest(DoNotCallQuerySchema, event.queryStringParameters ?? {}, 'query');
    if (listFileFormat(event.headers?.['content-type']) !== 'csv') {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'a do-not-call list is a CSV file (text/csv)', [
        { path: 'header.content-type', message: 'not text/csv' },
      ]);
    }
    const bytes = listFileBytes(event, 'csv');
    const reading = await readDoNotCallList(bytes, country);
    const { added, alreadyListed } = await doNotCall.add(reading.phones, 'upload', new Date());
    note.details = {
      rows: reading.rows,
      added,
      alreadyListed,
      rejected: reading.rejected,
      ...(country !== undefined && { country }),
    };
    return json(200, {
      rows: reading.rows,
      added,
      alreadyListed,
      duplicates: reading.duplicates,
      rejected: reading.rejected,
      errors: reading.errors,
      errorsTruncated: reading.errorsTruncated,
    });
  },
  refusedImport,
);
