/**
 * The daily list import, from a list's bytes to contacts in the run: every data row ends up accepted (a contact was
 * created), rejected (with a reason, in the rejected-rows CSV), a duplicate (of an earlier row of the file or of a
 * contact the run already has) or suppressed (the number is on the do-not-call list), so that
 * `rows = accepted + rejected + duplicates + suppressed`.
 *
 * Reading and validating is the core's `readList`; storage sits behind the small interfaces below (DynamoDB adapters
 * in production, in-memory ones in tests). Contacts are written in batches while the file streams past, a few
 * batches at a time, so memory does not grow with the file. Writing is exactly-once per number (`ContactWriter`), so
 * running the same list again, after a crash or twice at once, ends with exactly the file's rows: contacts that an
 * earlier run of the same list created are recognised by their `listId` and counted as accepted again.
 */
import { DateTime } from 'luxon';
import type { Campaign } from '../../core/campaign.ts';
import { ImportSummariser, type ImportSummary, summariseRows } from '../../core/import/import-summary.ts';
import {
  type ListFileFormat,
  type ListHeader,
  type ListInput,
  type ReadListOptions,
  readList,
} from '../../core/import/list-reader.ts';
import type { ListImportProgress, ListImportSummary } from '../../core/import/list-record.ts';
import { rejectedCsv, rejectedLine } from '../../core/import/rejected-csv.ts';
import type { AcceptedRow } from '../../core/import/row-validator.ts';
import { clampIntoWindow } from '../../core/policy/calling-window.ts';
import { type ContactPolicy, rulesCounting, rulesHolding } from '../../core/policy/contact-policy.ts';
import { decideCaps, foldLedger, type PersonLedger } from '../../core/policy/frequency-caps.ts';
import { callableWindows, countryOfNumber, nextCallableAt } from '../../core/policy/legal-hours.ts';
import { runEndsAt } from '../../core/run-clock.ts';

export type { ListImportProgress, ListImportSummary } from '../../core/import/list-record.ts';

/** One contact as the import produces it. */
export interface NewContact {
  phone: string;
  timeZone: string;
  name?: string;
  externalId?: string;
  language?: string;
  attributes: Record<string, string>;
  /** Where it came from, for the per-contact export. */
  listId: string;
  line: number;
  /** When it may first be called (already inside the callee's calling window). */
  dueAt: Date;
  /** The lawful basis the campaign declared for calling this person (GDPR art. 6(1)), kept with the contact. */
  lawfulBasis?: string;
}

export interface WriteResult {
  created: number;
  /** Phones that were already in the run (from this or an earlier list). */
  existing: string[];
}

/** Creates contacts, each number at most once per run (`ContactWriter`). */
export interface ContactSink {
  write(campaignId: string, date: string, contacts: readonly NewContact[]): Promise<WriteResult>;
}

/** Which list created the run's contacts of some numbers. */
export interface ContactOrigins {
  listIdsOf(campaignId: string, date: string, phones: readonly string[]): Promise<Map<string, string | undefined>>;
}

/** The do-not-call list. */
export interface DoNotCallLookup {
  /** The numbers of `phones` that must not be called. */
  listed(phones: readonly string[]): Promise<Set<string>>;
}

/** Where the rejected-rows CSV goes, piece by piece. */
export interface RejectedRowsSink {
  write(text: string): Promise<void>;
}

/** People's contact ledgers (frequency caps), for the import's estimate of the holds. */
export interface LedgerLookup {
  readMany(phones: readonly string[]): Promise<Map<string, PersonLedger>>;
}

export interface ListImportPorts {
  contacts: ContactSink;
  origins: ContactOrigins;
  doNotCall: DoNotCallLookup;
  /** With `contactPolicy`: the summary says how many contacts the caps will delay or stop. */
  ledgers?: LedgerLookup;
}

export interface ListImportOptions {
  /** Contacts per batch: one do-not-call lookup and one transaction each; default 99 (`ContactWriter`'s chunk). */
  batchSize?: number;
  /** Batches in flight (their do-not-call lookups overlap; their transactions run one at a time); default 4. */
  concurrency?: number;
  /** Rejections listed in the summary (all of them are in the rejected-rows CSV); default 100. */
  maxErrors?: number;
  /** Longest `value` and `reason` kept in the summary's errors, in characters; default 200. */
  maxErrorText?: number;
  /** Passed to `readList`. */
  maxRows?: number;
  /** Least time between two `onProgress` calls; default 5 s. */
  progressIntervalMs?: number;
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: () => number;
  /** The stage's contact policy: with `ports.ledgers`, the summary's `capDelayed` and `capStopped`. */
  contactPolicy?: ContactPolicy;
}

export interface ListImportJob {
  campaign: Campaign;
  date: string;
  listId: string;
  format: ListFileFormat;
  input: ListInput;
  /** When the import started: contacts are first due at the later of this and the start of the run's date. */
  now: Date;
  /** Receives the rejected-rows CSV (header first); none when omitted. */
  rejected?: RejectedRowsSink;
  /** Stop reading (the result is then `complete: false`) once this time, in ms since the epoch, has passed. */
  deadline?: number;
  /** Counts so far, now and then while the import runs. */
  onProgress?: (progress: ListImportProgress) => Promise<void> | void;
}

export interface ListImportResult {
  /** False when the deadline stopped the import: run it again (same list id) to finish. */
  complete: boolean;
  header: ListHeader;
  summary: ListImportSummary;
}

const DEFAULTS = {
  batchSize: 99,
  concurrency: 4,
  maxErrors: 100,
  maxErrorText: 200,
  progressIntervalMs: 5_000,
} as const;

/**
 * Reads a whole list without writing anything, to refuse a broken file before the first contact is created: a
 * file can turn out not to be UTF-8, or to hold an unclosed quote, on its last line.
 *
 * Also checks that the campaign's calling window opens at all (the schedule of the first attempts).
 * @throws ListFormatError when the file cannot be imported; CallingWindowClosedError when nobody could be called.
 */
export async function checkList(
  input: ListInput,
  format: ListFileFormat,
  campaign: Campaign,
  run: { date: string; now: Date },
  options: Pick<ReadListOptions, 'maxRows'> = {},
): Promise<{ header: ListHeader; summary: ImportSummary }> {
  firstAttemptSchedule(campaign, run.date, run.now)(campaign.timeZone);
  const { header, rows } = await readList(input, format, campaign, options);
  return { header, summary: await summariseRows(rows, { maxErrors: 0 }) };
}

/**
 * Imports a list into the run of `job.date`: streams its rows, writes the accepted ones as contacts (minus
 * do-not-call numbers and numbers the run already has) and returns the account.
 *
 * Idempotent: running the same `listId` again writes only what is missing and returns the same summary.
 * @throws ListFormatError when the file turns out to be unreadable (see {@link checkList} to find out first); any
 *   storage error. In-flight writes are awaited before anything is thrown.
 */
export async function importList(
  ports: ListImportPorts,
  job: ListImportJob,
  options: ListImportOptions = {},
): Promise<ListImportResult> {
  const settings = { ...DEFAULTS, ...options };
  const clock = options.clock ?? Date.now;
  const { campaign, date, listId } = job;
  const schedule = firstAttemptSchedule(campaign, date, job.now);
  const runEnd = runEndsAt(date).getTime();
  const { header, rows } = await readList(job.input, job.format, campaign, { maxRows: options.maxRows });
  const delimiter = header.delimiter ?? ',';
  const width = header.headers.length;
  const summariser = new ImportSummariser({ maxErrors: settings.maxErrors });
  const written = {
    accepted: 0,
    suppressed: 0,
    alreadyInRun: 0,
    dueAfterRunEnds: 0,
    firstDue: Number.POSITIVE_INFINITY,
    capDelayed: 0,
    capStopped: 0,
  };
  const caps = capEstimate(ports, options.contactPolicy, campaign, runEnd);

  /** Writes one batch, given which of its numbers are on the do-not-call list. */
  const writeBatch = async (batch: readonly AcceptedRow[], listed: Set<string>): Promise<void> => {
    const contacts: NewContact[] = [];
    for (const { line, contact } of batch) {
      if (listed.has(contact.phone)) {
        written.suppressed++;
        continue;
      }
      contacts.push({
        phone: contact.phone,
        timeZone: contact.timeZone,
        name: contact.name,
        externalId: contact.externalId,
        language: contact.language,
        attributes: contact.attributes,
        listId,
        line,
        dueAt: schedule(contact.timeZone),
        lawfulBasis: campaign.policy.lawfulBasis,
      });
    }
    if (contacts.length === 0) return;
    const { existing } = await ports.contacts.write(campaign.id, date, contacts);
    // A number the run already has is this list's own when an earlier run of the same list created it.
    const origins = existing.length === 0 ? undefined : await ports.origins.listIdsOf(campaign.id, date, existing);
    const existingSet = new Set(existing);
    const created = contacts.filter(
      (contact) => !(existingSet.has(contact.phone) && origins?.get(contact.phone) !== listId),
    );
    if (caps !== undefined) {
      const held = await caps(created);
      written.capDelayed += held.delayed;
      written.capStopped += held.stopped;
    }
    for (const contact of contacts) {
      if (existingSet.has(contact.phone) && origins?.get(contact.phone) !== listId) {
        written.alreadyInRun++;
        continue;
      }
      written.accepted++;
      const due = contact.dueAt.getTime();
      if (due >= runEnd) written.dueAfterRunEnds++;
      if (due < written.firstDue) written.firstDue = due;
    }
  };

  // Batches in flight: their do-not-call lookups run at the same time, their transactions one after the other
  // (every transaction also updates the run's counters, and concurrent transactions on one item cancel each other).
  const inFlight = new Set<Promise<void>>();
  let previous: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const startBatch = async (batch: readonly AcceptedRow[]) => {
    const listed = ports.doNotCall.listed(batch.map((row) => row.contact.phone));
    const before = previous;
    const task: Promise<void> = (async () => {
      const numbers = await listed;
      await before;
      if (failure === undefined) await writeBatch(batch, numbers);
    })()
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    previous = task;
    inFlight.add(task);
    if (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
    if (failure !== undefined) throw failure.error;
  };

  let complete = true;
  let lastProgress = clock();
  const progress = (): ListImportProgress => {
    const read = summariser.summary();
    return {
      rows: read.rows,
      accepted: written.accepted,
      rejected: read.rejected,
      duplicates: read.duplicates + written.alreadyInRun,
      suppressed: written.suppressed,
    };
  };

  try {
    if (job.rejected !== undefined) {
      for await (const text of rejectedCsv(header.headers, [], { delimiter })) await job.rejected.write(text);
    }
    let batch: AcceptedRow[] = [];
    for await (const row of rows) {
      summariser.add(row);
      if (row.kind === 'rejected') {
        await job.rejected?.write(rejectedLine(row, width, delimiter));
      } else if (row.kind === 'accepted') {
        batch.push(row);
        if (batch.length >= settings.batchSize) {
          await startBatch(batch);
          batch = [];
          const now = clock();
          if (job.deadline !== undefined && now >= job.deadline) {
            complete = false;
            break;
          }
          if (job.onProgress !== undefined && now - lastProgress >= settings.progressIntervalMs) {
            lastProgress = now;
            await job.onProgress(progress());
          }
        }
      }
    }
    if (complete && batch.length > 0) await startBatch(batch);
  } finally {
    // Nothing may still be writing once this function has returned or thrown.
    await Promise.allSettled(inFlight);
  }
  if (failure !== undefined) throw failure.error;

  const read = summariser.summary();
  const summary: ListImportSummary = {
    rows: read.rows,
    accepted: written.accepted,
    rejected: read.rejected,
    duplicates: read.duplicates + written.alreadyInRun,
    suppressed: written.suppressed,
    duplicatesInFile: read.duplicates,
    alreadyInRun: written.alreadyInRun,
    rejectionsByCode: read.rejectionsByCode,
    errors: read.errors.map((error) => ({
      line: error.line,
      column: error.column,
      value: error.value === null ? null : shorten(error.value, settings.maxErrorText),
      code: error.code,
      reason: shorten(error.reason, settings.maxErrorText),
    })),
    errorsTruncated: read.errorsTruncated,
    dueAfterRunEnds: written.dueAfterRunEnds,
  };
  if (Number.isFinite(written.firstDue)) summary.firstDueAt = new Date(written.firstDue).toISOString();
  if (caps !== undefined) {
    summary.capDelayed = written.capDelayed;
    summary.capStopped = written.capStopped;
  }
  return { complete, header, summary };
}

/**
 * When contacts of a run are first due, by time zone: the first instant inside the campaign's calling window (in
 * the callee's zone) at or after the later of `now` and the start of the run's date in the campaign's zone.
 * Memoised per zone, since a list holds few zones and many rows.
 * @throws CallingWindowClosedError (from the returned function) when the window never opens.
 */
export function firstAttemptSchedule(campaign: Campaign, date: string, now: Date): (timeZone: string) => Date {
  const runStart = DateTime.fromISO(date, { zone: campaign.timeZone }).toMillis();
  const from = new Date(Math.max(now.getTime(), runStart));
  const byZone = new Map<string, Date>();
  return (timeZone) => {
    let at = byZone.get(timeZone);
    if (at === undefined) {
      at = clampIntoWindow(campaign.callingWindow, timeZone, from);
      if (byZone.size < 1_000) byZone.set(timeZone, at);
    }
    return at;
  };
}

/**
 * How many of the contacts just created a frequency cap will hold at their first attempt, from their ledgers as
 * they stand: undefined when no rule counts the campaign's calls (nothing to estimate).
 */
function capEstimate(
  ports: ListImportPorts,
  policy: ContactPolicy | undefined,
  campaign: Campaign,
  runEnd: number,
): ((contacts: readonly NewContact[]) => Promise<{ delayed: number; stopped: number }>) | undefined {
  const ledgers = ports.ledgers;
  if (policy === undefined || ledgers === undefined || rulesCounting(policy, campaign.policy).length === 0) {
    return undefined;
  }
  const holding = rulesHolding(policy, campaign.policy);
  return async (contacts) => {
    const held = { delayed: 0, stopped: 0 };
    if (contacts.length === 0 || holding.length === 0) return held;
    const found = await ledgers.readMany(contacts.map((contact) => contact.phone));
    for (const contact of contacts) {
      const ledger = found.get(contact.phone);
      if (ledger === undefined) continue;
      const decision = decideCaps(holding, foldLedger(ledger), contact.dueAt);
      if (decision.kind === 'ALLOWED') continue;
      const windows = callableWindows(campaign, countryOfNumber(contact.phone), contact.dueAt);
      const next = nextCallableAt(windows, contact.timeZone, decision.until);
      if (next === undefined || next.getTime() >= runEnd) held.stopped++;
      else held.delayed++;
    }
    return held;
  };
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
