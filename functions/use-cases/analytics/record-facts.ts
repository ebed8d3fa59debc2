/**
 * Turns a batch of the table's changes (its DynamoDB stream) into fact files: one Parquet file per table and
 * partition touched by the batch. Facts are derived by the pure functions of core/analytics/facts.ts; this module
 * finds what they need (the contact behind an answer, the campaign's dimensions and caller ID, which dimension values
 * fit the cardinality bound) and writes the files.
 *
 * Exactly once: a fact written twice (a batch delivered again, or split after a failure) has the same key, and the
 * query views and compaction keep one row per key (core/analytics/fact-files.ts). When a file cannot be written the
 * batch reports the earliest record whose facts it held; the stream delivers everything from there again.
 */
import { dimensionSlots, normaliseDimensionValue, OTHER_VALUE } from '../../core/analytics/dimensions.ts';
import { batchFileName } from '../../core/analytics/fact-files.ts';
import type { FactTableName } from '../../core/analytics/fact-tables.ts';
import {
  AnswerImageSchema,
  answerFact,
  attemptFacts,
  type ContactImage,
  ContactImageSchema,
  contactFact,
  type FactContact,
  type FactRow,
  FollowUpImageSchema,
  followUpFact,
} from '../../core/analytics/facts.ts';
import { ANSWER_PREFIX, CONTACT_PREFIX, FOLLOW_UP_PREFIX } from '../../core/keys.ts';

/** One change of an item, as a stream record tells it. */
export interface StreamChange {
  sequenceNumber: string;
  /** When the change was made (the record's ApproximateCreationDateTime). */
  recordedAt: Date;
  pk: string;
  sk: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

export interface ContactRef {
  campaignId: string;
  date: string;
  phone: string;
}

/** What the facts use of a campaign. */
export interface CampaignAnalytics {
  callerId: string | null;
  dimensions: readonly string[];
}

export interface RecordFactsPorts {
  /** Contact items by `<campaignId>#<date>#<phone>` (only those that exist). */
  contacts: { lookup(refs: readonly ContactRef[]): Promise<Map<string, Record<string, unknown>>> };
  campaigns: { analyticsOf(campaignId: string): Promise<CampaignAnalytics | undefined> };
  dimensions: { admit(campaignId: string, dimension: string, values: Iterable<string>): Promise<Set<string>> };
  files: {
    write(table: FactTableName, campaignId: string, date: string, fileName: string, rows: FactRow[]): Promise<unknown>;
  };
  now(): number;
  newFileId(): string;
  warn(message: string, details: Record<string, unknown>): void;
}

export interface RecordFactsResult {
  facts: number;
  files: number;
  /** Changes that gave no fact because their contact has no key (imported before analytics) or is gone. */
  withoutContact: number;
  /** Sequence number to deliver again from (a file failed), or undefined when everything was written. */
  retryFrom?: string;
}

/** A run's partition, or one of its bucket partitions (contacts, answers and follow-ups live there). */
const RUN_PARTITION = /^RUN#([a-z0-9][a-z0-9-]{0,62})#(\d{4}-\d{2}-\d{2})(?:#B\d{2})?$/;
const refId = (ref: ContactRef): string => `${ref.campaignId}#${ref.date}#${ref.phone}`;

type Classified =
  | { kind: 'contact'; index: number; ref: ContactRef; next: ContactImage; previous?: ContactImage }
  | { kind: 'answer'; index: number; ref: ContactRef; change: StreamChange }
  | { kind: 'followUp'; index: number; ref: ContactRef; change: StreamChange };

/** Records the facts of a batch of changes (in stream order). */
export async function recordFacts(
  ports: RecordFactsPorts,
  changes: readonly StreamChange[],
): Promise<RecordFactsResult> {
  const classified = changes.flatMap((change, index) => classify(change, index, ports.warn));

  // The contacts facts belong to: the newest image in the batch, else the stored item.
  const contactImages = new Map<string, ContactImage>();
  for (const entry of classified) if (entry.kind === 'contact') contactImages.set(refId(entry.ref), entry.next);
  const missing = classified.filter((entry) => entry.kind !== 'contact' && !contactImages.has(refId(entry.ref)));
  if (missing.length > 0) {
    const found = await ports.contacts.lookup(missing.map((entry) => entry.ref));
    for (const [id, item] of found) {
      const parsed = ContactImageSchema.safeParse(item);
      if (parsed.success) contactImages.set(id, parsed.data);
    }
  }

  const campaigns = new Map<string, CampaignAnalytics | undefined>();
  for (const entry of classified) {
    if (!campaigns.has(entry.ref.campaignId)) {
      campaigns.set(entry.ref.campaignId, await ports.campaigns.analyticsOf(entry.ref.campaignId));
    }
  }
  const factContacts = await resolveContacts(ports, contactImages, campaigns);

  const groups = new Map<string, { table: FactTableName; ref: ContactRef; rows: FactRow[]; firstIndex: number }>();
  const add = (table: FactTableName, entry: Classified, rows: FactRow[]) => {
    if (rows.length === 0) return;
    const id = `${table}#${entry.ref.campaignId}#${entry.ref.date}`;
    const group = groups.get(id) ?? { table, ref: entry.ref, rows: [], firstIndex: entry.index };
    group.rows.push(...rows);
    groups.set(id, group);
  };
  let withoutContact = 0;
  for (const entry of classified) {
    const contact = factContacts.get(refId(entry.ref));
    const recordedAt = changes[entry.index]?.recordedAt ?? new Date(ports.now());
    if (contact === undefined) {
      withoutContact += 1;
      continue;
    }
    if (entry.kind === 'contact') {
      const campaign = campaigns.get(entry.ref.campaignId);
      add(
        'attempts',
        entry,
        attemptFacts(entry.next, entry.previous, contact, { callerId: campaign?.callerId ?? null }, recordedAt),
      );
      const finished = contactFact(entry.next, entry.previous, contact, recordedAt);
      if (finished !== undefined) add('contacts', entry, [finished]);
    } else if (entry.kind === 'answer') {
      const answer = AnswerImageSchema.safeParse(entry.change.newImage);
      if (answer.success) add('answers', entry, [answerFact(answer.data, contact, recordedAt)]);
    } else {
      const next = FollowUpImageSchema.safeParse(entry.change.newImage);
      const previous = FollowUpImageSchema.safeParse(entry.change.oldImage);
      const row = next.success
        ? followUpFact(next.data, previous.success ? previous.data : undefined, contact, recordedAt)
        : undefined;
      if (row !== undefined) add('follow_ups', entry, [row]);
    }
  }

  const written = await Promise.allSettled(
    [...groups.values()].map((group) =>
      ports.files.write(
        group.table,
        group.ref.campaignId,
        group.ref.date,
        batchFileName(ports.now(), ports.newFileId()),
        group.rows,
      ),
    ),
  );
  let retryIndex: number | undefined;
  let files = 0;
  let facts = 0;
  [...groups.values()].forEach((group, position) => {
    const result = written[position];
    if (result?.status === 'fulfilled') {
      files += 1;
      facts += group.rows.length;
      return;
    }
    ports.warn('fact file not written', {
      table: group.table,
      campaignId: group.ref.campaignId,
      date: group.ref.date,
      error: result?.reason instanceof Error ? result.reason.message : String(result?.reason),
    });
    retryIndex = Math.min(retryIndex ?? group.firstIndex, group.firstIndex);
  });
  return {
    facts,
    files,
    withoutContact,
    retryFrom: retryIndex === undefined ? undefined : changes[retryIndex]?.sequenceNumber,
  };
}

/** Which kind of item a change is about; changes the facts ignore (counters, leases, …) give nothing. */
function classify(change: StreamChange, index: number, warn: RecordFactsPorts['warn']): Classified[] {
  const run = RUN_PARTITION.exec(change.pk);
  if (run === null || change.newImage === undefined) return [];
  const [, campaignId = '', date = ''] = run;
  if (change.sk.startsWith(CONTACT_PREFIX)) {
    const next = ContactImageSchema.safeParse(change.newImage);
    if (!next.success) {
      warn('contact change not understood', { campaignId, date, problem: next.error.issues[0]?.message });
      return [];
    }
    const previous = change.oldImage === undefined ? undefined : ContactImageSchema.safeParse(change.oldImage);
    const ref = { campaignId, date, phone: change.sk.slice(CONTACT_PREFIX.length) };
    return [{ kind: 'contact', index, ref, next: next.data, previous: previous?.success ? previous.data : undefined }];
  }
  const phone = change.newImage.phone;
  if (typeof phone !== 'string') return [];
  const ref = { campaignId, date, phone };
  if (change.sk.startsWith(ANSWER_PREFIX)) {
    // An answer is written once; a later change of its item (none today) adds no second answer.
    return change.oldImage === undefined ? [{ kind: 'answer', index, ref, change }] : [];
  }
  if (change.sk.startsWith(FOLLOW_UP_PREFIX)) return [{ kind: 'followUp', index, ref, change }];
  return [];
}

/**
 * Each contact's key, list and admitted dimension values (by `<campaignId>#<date>#<phone>`), for the contacts that
 * have a key.
 */
export async function resolveContacts(
  ports: Pick<RecordFactsPorts, 'dimensions'>,
  images: ReadonlyMap<string, ContactImage>,
  campaigns: ReadonlyMap<string, CampaignAnalytics | undefined>,
): Promise<Map<string, FactContact>> {
  const valuesByDimension = new Map<string, Set<string>>();
  const normalised = new Map<string, Record<string, string | undefined>>();
  for (const [id, image] of images) {
    const campaignId = id.slice(0, id.indexOf('#'));
    const values: Record<string, string | undefined> = {};
    for (const dimension of campaigns.get(campaignId)?.dimensions ?? []) {
      const value = normaliseDimensionValue(image.attributes[dimension]);
      values[dimension] = value;
      if (value === undefined) continue;
      const key = `${campaignId}#${dimension}`;
      valuesByDimension.set(key, (valuesByDimension.get(key) ?? new Set()).add(value));
    }
    normalised.set(id, values);
  }
  const admitted = new Map<string, Set<string>>();
  for (const [key, values] of valuesByDimension) {
    const [campaignId = '', dimension = ''] = key.split('#');
    admitted.set(key, await ports.dimensions.admit(campaignId, dimension, values));
  }
  const contacts = new Map<string, FactContact>();
  for (const [id, image] of images) {
    if (image.contactKey === undefined) continue;
    const campaignId = id.slice(0, id.indexOf('#'));
    const dimensions = campaigns.get(campaignId)?.dimensions ?? [];
    const values = normalised.get(id) ?? {};
    const bucketed = Object.fromEntries(
      dimensions.map((dimension) => {
        const value = values[dimension];
        const inBound = value === undefined || admitted.get(`${campaignId}#${dimension}`)?.has(value) === true;
        return [dimension, inBound ? value : OTHER_VALUE];
      }),
    );
    contacts.set(id, {
      contactKey: image.contactKey,
      listId: image.listId,
      timeZone: image.timeZone,
      slots: dimensionSlots(dimensions, bucketed),
    });
  }
  return contacts;
}
