/**
 * A person's data by phone number (functions/use-cases/people/person-data.ts), both audited:
 * - GET /people/{phone}: everything the engine holds about the number across campaigns and days (access request);
 * - DELETE /people/{phone}: removes it everywhere, keeping only the do-not-call hash and the erasure record
 *   (`200` with the record; `409` while the person is in a call or a run of theirs imports a list).
 * `{phone}` is E.164, `+` written as `%2B` (or left out: `48601234567`).
 */
import { z } from 'zod';
import { AuditLog } from '../../adapters/audit-log.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { DynamoDbContacts } from '../../adapters/contacts.ts';
import { DoNotCallStore } from '../../adapters/do-not-call-store.ts';
import { SecretNumberHasher } from '../../adapters/number-hasher.ts';
import { PersonDataStore } from '../../adapters/person-data.ts';
import { StoredFiles } from '../../adapters/stored-files.ts';
import { auditedHttpHandler, callerIdentity } from '../../lib/audit-trail.ts';
import { environment } from '../../lib/config.ts';
import { HttpError, json, parseRequest } from '../../lib/http.ts';
import { ErasureRefusedError, forgetPerson, type PeoplePorts, showPerson } from '../../use-cases/people/person-data.ts';

const settings = environment([
  'TABLE_NAME',
  'UPLOADS_BUCKET',
  'REPORTS_BUCKET',
  'PERSON_KEY_SECRET_ARN',
  'AUDIT_RETENTION_DAYS',
]);
const audit = new AuditLog(settings.TABLE_NAME, settings.AUDIT_RETENTION_DAYS, documentClient);
const ports: PeoplePorts = {
  records: new PersonDataStore(settings.TABLE_NAME, documentClient),
  contacts: new DynamoDbContacts(settings.TABLE_NAME, documentClient),
  doNotCall: new DoNotCallStore(settings.TABLE_NAME, new SecretNumberHasher(settings.PERSON_KEY_SECRET_ARN)),
  uploads: new StoredFiles(settings.UPLOADS_BUCKET),
  reports: new StoredFiles(settings.REPORTS_BUCKET),
  clock: { now: () => new Date() },
};

/** `+48601234567`, `%2B48601234567` (decoded or not), `0048601234567` or `48601234567`: the E.164 number. */
export const PhonePathSchema = z.object({
  phone: z
    .string()
    .max(40)
    .transform((value) => {
      const text = value.includes('%') ? decodeURIComponent(value) : value;
      const digits = text.replace(/[\s().-]/g, '');
      return digits.startsWith('+') ? digits : `+${digits.replace(/^00/, '')}`;
    })
    .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +48601234567 (+ written as %2B)')),
});

export const show = auditedHttpHandler('PERSON_SHOW', audit, async (event, _context, note) => {
  const { phone } = parseRequest(PhonePathSchema, event.pathParameters ?? {}, 'path');
  const view = await showPerson(ports, phone);
  // The audit entry says what was shown, never whose it was (it would outlive an erasure).
  note.details = {
    contacts: view.contacts.length,
    answers: view.answers.length,
    runs: view.runs.length,
    doNotCall: view.doNotCall.listed,
  };
  return json(200, view);
});

export const forget = auditedHttpHandler('PERSON_FORGET', audit, async (event, _context, note) => {
  const { phone } = parseRequest(PhonePathSchema, event.pathParameters ?? {}, 'path');
  try {
    const record = await forgetPerson(ports, phone, callerIdentity(event));
    note.target = { erasureId: record.erasureId };
    note.details = { runs: record.runs, ...record.removed };
    return json(200, record);
  } catch (error) {
    if (error instanceof ErasureRefusedError) throw new HttpError(409, error.code, error.message);
    throw error;
  }
});
