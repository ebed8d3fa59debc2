/**
 * A person's data, by phone number, across every campaign and day: what the engine holds (access request, GDPR
 * art. 15) and removing it (erasure, art. 17).
 *
 * Shown: contacts with their attempts and answers, answer and follow-up records, call records, the person's
 * contact ledger (frequency caps), the do-not-call state, and the lists and exports of the runs they are in.
 *
 * Forgotten:
 * - every item holding the number is deleted (contacts, answers, follow-ups, call records, the ledger); a contact
 *   still waiting is first closed as `ERASED` (its run's counters move, so the run can finish);
 * - a do-not-call entry stored under the plain number becomes a keyed hash: the opt-out holds, the number goes;
 * - the runs' uploaded files (originals and rejected rows) and exports are deleted, and their records say so
 *   (export again to get the run without the person); the rejections a list's summary shows lose the number's rows;
 * - an erasure record (when, by whom, how much of what was removed; never the number) is kept, and the request is
 *   in the audit log.
 * Run counters are anonymous totals and stay. Analytics facts hold no number: a contact is its random `contactKey`,
 * which only the contact item holds, so deleting that item leaves the facts anonymous (docs/contact-policy.md). A person in a call, or a run whose list is being imported, is refused
 * (409): ask again when it has ended.
 */
import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../../core/audit.ts';
import { CONTACT_PREFIX, EXPORT_PREFIX, LEASE_PREFIX, PERSON_PREFIX } from '../../core/keys.ts';
import { foldLedger, type LedgerCall } from '../../core/policy/frequency-caps.ts';

export interface StoredItem extends Record<string, unknown> {
  pk: string;
  sk: string;
}

export interface DoNotCallState {
  listed: boolean;
  source?: string;
  addedAt?: string;
  optedOutAt?: string;
  plain: boolean;
}

export interface PeoplePorts {
  records: {
    itemsOf(phone: string): Promise<StoredItem[]>;
    runRecords(campaignId: string, date: string): Promise<{ lists: StoredItem[]; exports: StoredItem[] }>;
    delete(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<void>;
    replaceListErrors(list: { pk: string; sk: string }, errors: unknown[]): Promise<void>;
    markListFilesErased(list: { pk: string; sk: string }, at: Date): Promise<void>;
    expireExportJob(job: { pk: string; sk: string }, at: Date): Promise<void>;
    recordErasure(record: ErasureRecord): Promise<void>;
  };
  contacts: {
    closeWaiting(campaignId: string, date: string, phone: string, status: string, attempts?: number): Promise<boolean>;
  };
  doNotCall: { entry(phone: string): Promise<DoNotCallState>; hashPlainEntry(phone: string): Promise<boolean> };
  uploads: StoredFilesPort;
  reports: StoredFilesPort;
  clock: { now(): Date };
}

interface StoredFilesPort {
  keys(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

/** Why a person's data cannot be erased right now (the API answers 409). */
export class ErasureRefusedError extends Error {
  readonly code: 'CALL_IN_PROGRESS' | 'IMPORT_IN_PROGRESS';
  constructor(code: ErasureRefusedError['code'], message: string) {
    super(message);
    this.name = 'ErasureRefusedError';
    this.code = code;
  }
}

export interface ErasureRecord extends Record<string, unknown> {
  erasureId: string;
  at: string;
  by: AuditActor;
  runs: number;
  removed: Record<string, number>;
}

/** The status a waiting contact gets when its person is erased. */
export const ERASED_STATUS = 'ERASED';

const RUN_BUCKET = /^RUN#([a-z0-9][a-z0-9-]{0,62})#(\d{4}-\d{2}-\d{2})#B\d{2}$/;

type Kind = 'contact' | 'answer' | 'followUp' | 'call' | 'lease' | 'ledger' | 'doNotCall' | 'other';

function kindOf(item: StoredItem): Kind {
  if (item.pk.startsWith(PERSON_PREFIX)) return 'ledger';
  if (item.pk.startsWith('CALL#')) return 'call';
  if (item.pk === 'DNC') return 'doNotCall';
  if (item.sk.startsWith(LEASE_PREFIX)) return 'lease';
  if (RUN_BUCKET.test(item.pk)) {
    if (item.sk.startsWith(CONTACT_PREFIX)) return 'contact';
    if (item.sk.startsWith('ANSWER#')) return 'answer';
    if (item.sk.startsWith('FOLLOWUP#')) return 'followUp';
  }
  return 'other';
}

function runOf(item: StoredItem): { campaignId: string; date: string } | undefined {
  const match = RUN_BUCKET.exec(item.pk);
  return match === null ? undefined : { campaignId: match[1] ?? '', date: match[2] ?? '' };
}

/** An item as the person sees it: its attributes, without the table's keys and index attributes. */
function shownItem(item: StoredItem): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, expiresAt, ...rest } = item;
  return {
    ...runOf(item),
    ...rest,
    ...(typeof expiresAt === 'number' && { expiresAt: new Date(expiresAt * 1000).toISOString() }),
  };
}

const runId = (run: { campaignId: string; date: string }) => `${run.campaignId}#${run.date}`;

function runsOf(items: readonly StoredItem[]): Array<{ campaignId: string; date: string }> {
  const runs = new Map<string, { campaignId: string; date: string }>();
  for (const item of items) {
    const run = runOf(item);
    if (run !== undefined) runs.set(runId(run), run);
  }
  return [...runs.values()].sort((a, b) => runId(a).localeCompare(runId(b)));
}

const exportsPrefix = (run: { campaignId: string; date: string }) => `exports/${run.campaignId}/${run.date}/`;
const listsPrefix = (run: { campaignId: string; date: string }) => `lists/${run.campaignId}/${run.date}/`;

/** Everything the engine holds about `phone` (E.164). */
export async function showPerson(ports: PeoplePorts, phone: string) {
  const items = await ports.records.itemsOf(phone);
  const byKind = (kind: Kind) => items.filter((item) => kindOf(item) === kind);
  const runs = runsOf(items);
  const ledgerItem = byKind('ledger')[0];
  const ledger: LedgerCall[] =
    ledgerItem === undefined
      ? []
      : foldLedger({
          calls: Array.isArray(ledgerItem.calls) ? (ledgerItem.calls as LedgerCall[]) : [],
          events: Array.isArray(ledgerItem.events) ? (ledgerItem.events as []) : [],
        });
  const perRun = await Promise.all(
    runs.map(async (run) => {
      const [records, exportFiles] = await Promise.all([
        ports.records.runRecords(run.campaignId, run.date),
        ports.reports.keys(exportsPrefix(run)),
      ]);
      return { run, records, exportFiles };
    }),
  );
  return {
    phone,
    generatedAt: ports.clock.now().toISOString(),
    runs,
    contacts: byKind('contact').map(shownItem),
    answers: byKind('answer').map(shownItem),
    followUps: byKind('followUp').map(shownItem),
    calls: byKind('call').map(shownItem),
    callsInProgress: byKind('lease').length,
    contactLedger: ledger,
    doNotCall: await ports.doNotCall.entry(phone).then(({ plain: _plain, ...state }) => state),
    lists: perRun.flatMap(({ run, records }) =>
      records.lists.map((list) => ({
        ...run,
        listId: list.listId,
        status: list.status,
        objectKey: list.objectKey,
        rejectedKey: list.rejectedKey,
      })),
    ),
    /** Export files of the runs the person is in: each may hold their row (it did if it was made after the import). */
    exports: perRun.flatMap(({ run, exportFiles }) => exportFiles.map((key) => ({ ...run, key }))),
    other: byKind('other').map((item) => ({ pk: item.pk, sk: item.sk })),
  };
}

/** Removes `phone` everywhere (see the module's comment); returns the erasure record. */
export async function forgetPerson(ports: PeoplePorts, phone: string, by: AuditActor): Promise<ErasureRecord> {
  const now = ports.clock.now();
  const items = await ports.records.itemsOf(phone);
  const contacts = items.filter((item) => kindOf(item) === 'contact');
  const dialing =
    contacts.some((contact) => contact.status === 'DIALING') || items.some((item) => kindOf(item) === 'lease');
  if (dialing)
    throw new ErasureRefusedError('CALL_IN_PROGRESS', 'the person is in a call: ask again when it has ended');
  const runs = runsOf(items);
  const records = await Promise.all(
    runs.map(async (run) => ({ run, ...(await ports.records.runRecords(run.campaignId, run.date)) })),
  );
  const importing = records
    .flatMap(({ lists }) => lists)
    .find((list) => list.status === 'RECEIVED' || list.status === 'IMPORTING');
  if (importing !== undefined) {
    throw new ErasureRefusedError(
      'IMPORT_IN_PROGRESS',
      `list ${String(importing.listId)} of a run the person is in is being imported: ask again when it is done`,
    );
  }

  const removed: Record<string, number> = {
    contacts: 0,
    waitingContactsClosed: 0,
    answers: 0,
    followUps: 0,
    callRecords: 0,
    ledger: 0,
    other: 0,
    doNotCallEntriesHashed: 0,
    listRejectionsShown: 0,
    uploadedFiles: 0,
    exportFiles: 0,
    exportJobsExpired: 0,
  };
  for (const contact of contacts) {
    const run = runOf(contact);
    if (contact.status !== 'PENDING' || run === undefined) continue;
    const attempts = typeof contact.attempts === 'number' ? contact.attempts : undefined;
    if (await ports.contacts.closeWaiting(run.campaignId, run.date, phone, ERASED_STATUS, attempts)) {
      removed.waitingContactsClosed = (removed.waitingContactsClosed ?? 0) + 1;
    }
  }
  if ((await ports.doNotCall.hashPlainEntry(phone)) === true) removed.doNotCallEntriesHashed = 1;
  const deletable = items.filter((item) => kindOf(item) !== 'doNotCall');
  await ports.records.delete(deletable);
  const counted: Partial<Record<Kind, string>> = {
    contact: 'contacts',
    answer: 'answers',
    followUp: 'followUps',
    call: 'callRecords',
    ledger: 'ledger',
    other: 'other',
  };
  for (const item of deletable) {
    const name = counted[kindOf(item)];
    if (name !== undefined) removed[name] = (removed[name] ?? 0) + 1;
  }

  for (const { run, lists, exports } of records) {
    for (const list of lists) {
      const summary = list.summary as { errors?: Array<{ value?: unknown }> } | undefined;
      const errors = summary?.errors ?? [];
      const kept = errors.filter((error) => !sameNumber(error.value, phone));
      if (kept.length !== errors.length) {
        await ports.records.replaceListErrors(list, kept);
        removed.listRejectionsShown = (removed.listRejectionsShown ?? 0) + (errors.length - kept.length);
      }
      for (const key of [list.objectKey, list.rejectedKey]) {
        if (typeof key !== 'string') continue;
        await ports.uploads.delete(key);
        removed.uploadedFiles = (removed.uploadedFiles ?? 0) + 1;
      }
      await ports.records.markListFilesErased(list, now);
    }
    // Uploads no list record points at any more (a list item that expired before its file) go too.
    const known = new Set(lists.map((list) => list.objectKey));
    for (const key of await ports.uploads.keys(listsPrefix(run))) {
      if (known.has(key)) continue;
      await ports.uploads.delete(key);
      removed.uploadedFiles = (removed.uploadedFiles ?? 0) + 1;
    }
    for (const key of await ports.reports.keys(exportsPrefix(run))) {
      await ports.reports.delete(key);
      removed.exportFiles = (removed.exportFiles ?? 0) + 1;
    }
    for (const job of exports) {
      if (!job.sk.startsWith(EXPORT_PREFIX) || job.status !== 'DONE') continue;
      await ports.records.expireExportJob(job, now);
      removed.exportJobsExpired = (removed.exportJobsExpired ?? 0) + 1;
    }
  }

  const record: ErasureRecord = { erasureId: randomUUID(), at: now.toISOString(), by, runs: runs.length, removed };
  await ports.records.recordErasure(record);
  return record;
}

/**
 * Whether a list cell (as the import read it) is this number: the same digits, or the number's national digits
 * (`601 234 567` for `+48601234567`).
 */
export function sameNumber(value: unknown, phone: string): boolean {
  if (typeof value !== 'string') return false;
  const digits = value.replace(/\D/g, '').replace(/^00/, '');
  const full = phone.replace(/\D/g, '');
  return digits.length >= 6 && full.endsWith(digits);
}
