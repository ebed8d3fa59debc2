/**
 * Facts from the table's own changes: pure functions from an item's old and new image (a DynamoDB stream record)
 * to the analytics rows it adds. Deterministic: the same record always gives the same rows with the same keys, so a
 * record delivered twice adds nothing new to any query result (the views and compaction keep one row per key).
 *
 * - a contact item whose attempt log gains an outcome → one `attempts` row per newly ended attempt;
 * - a contact item whose status becomes final → one `contacts` row;
 * - a new answer item → one `answers` row;
 * - a follow-up item that becomes SENT or FAILED → one `follow_ups` row.
 * No row holds the phone number or the name: the contact is its random `contactKey`.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { DimensionSlots } from './dimensions.ts';

/** A cell of a fact row, as the Parquet writer takes it. */
export type FactValue = string | number | bigint | boolean | Date | null;
export type FactRow = Record<string, FactValue>;

const CONTACT_KEY = /^[0-7][0-9a-f]{15}$/;

/**
 * A new random contact key: 63 random bits as 16 hex digits (a positive 64-bit integer in the facts). It is stored on
 * the contact item only; erasing the person's items removes the last link between the key and the person.
 */
export function newContactKey(): string {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** The key as the facts store it (a Parquet INT64). */
export const contactKeyNumber = (key: string): bigint => BigInt(`0x${key}`);

/** Statuses a contact can still leave; every other status is final. */
const OPEN_STATUSES = new Set(['PENDING', 'DIALING']);
export const isFinalStatus = (status: string | undefined): boolean =>
  status !== undefined && !OPEN_STATUSES.has(status);

/** Attempt outcomes that mean a person picked up (as the run's `contactsReached` counter counts them). */
const REACHED_OUTCOMES = new Set(['COMPLETED', 'PARTIAL', 'OPTED_OUT']);
export const isReached = (outcome: string | undefined): boolean =>
  outcome !== undefined && REACHED_OUTCOMES.has(outcome);

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a date-time');

export const AttemptLogEntrySchema = z.looseObject({
  n: z.number().int().min(1).max(1_000),
  at: isoTime,
  outcome: z.string().max(40).optional(),
  endedAt: isoTime.optional(),
  talkSeconds: z.number().min(0).optional(),
});

/** What the facts need of a contact item (docs/data-model.md, "Contact"). */
export const ContactImageSchema = z.looseObject({
  contactKey: z.string().regex(CONTACT_KEY).optional(),
  status: z.string().max(40),
  attemptLog: z.array(AttemptLogEntrySchema).max(1_000).default([]),
  timeZone: z.string().max(64).default('UTC'),
  attributes: z.record(z.string(), z.string()).default({}),
  listId: z.string().max(64).optional(),
  flow: z
    .looseObject({
      attempt: z.number().int().optional(),
      questionsAnswered: z.number().int().min(0).default(0),
      completed: z.boolean().default(false),
      optedOut: z.boolean().default(false),
    })
    .optional(),
});
export type ContactImage = z.infer<typeof ContactImageSchema>;

export const AnswerImageSchema = z.looseObject({
  phone: z.string().max(20),
  attempt: z.number().int().min(1),
  questionId: z.string().max(32),
  key: z.string().max(1),
  label: z.string().max(200),
  scriptVersion: z.number().int().min(0),
  answeredAt: isoTime,
});
export type AnswerImage = z.infer<typeof AnswerImageSchema>;

export const FollowUpImageSchema = z.looseObject({
  phone: z.string().max(20),
  ruleId: z.string().max(32),
  status: z.string().max(20),
  sentAt: isoTime.optional(),
  failedAt: isoTime.optional(),
});
export type FollowUpImage = z.infer<typeof FollowUpImageSchema>;

/** The contact a fact belongs to, as every row carries it. */
export interface FactContact {
  contactKey: string;
  listId: string | undefined;
  timeZone: string;
  slots: DimensionSlots;
}

/** What the campaign adds to attempt rows. */
export interface FactCampaign {
  callerId: string | null;
}

const roundSeconds = (seconds: number): number => Math.round(seconds * 1000) / 1000;

function common(contact: FactContact, recordedAt: Date): FactRow {
  return {
    contact_key: contactKeyNumber(contact.contactKey),
    ...contact.slots,
    list_id: contact.listId ?? null,
    recorded_at: recordedAt,
  };
}

/** The local hour (0-23) and ISO weekday (1 = Monday) of an instant in a time zone (UTC when the zone is unknown). */
export function localHourAndWeekday(at: string, timeZone: string): { hour: number; weekday: number } {
  let local = DateTime.fromISO(at, { zone: timeZone });
  if (!local.isValid) local = DateTime.fromISO(at, { zone: 'UTC' });
  return { hour: local.hour, weekday: local.weekday };
}

/**
 * The `attempts` rows a contact change adds: one per attempt whose outcome appears in `next` and was not in
 * `previous` (an INSERT has no previous image). An undone attempt (removed from the log) adds nothing.
 */
export function attemptFacts(
  next: ContactImage,
  previous: ContactImage | undefined,
  contact: FactContact,
  campaign: FactCampaign,
  recordedAt: Date,
): FactRow[] {
  const endedBefore = new Set(
    (previous?.attemptLog ?? []).filter((entry) => entry.outcome !== undefined).map((entry) => entry.n),
  );
  const rows: FactRow[] = [];
  const lastAttempt = Math.max(0, ...next.attemptLog.map((entry) => entry.n));
  for (const entry of next.attemptLog) {
    if (entry.outcome === undefined || endedBefore.has(entry.n)) continue;
    const earlierReached = next.attemptLog.some((earlier) => earlier.n < entry.n && isReached(earlier.outcome));
    const { hour, weekday } = localHourAndWeekday(entry.at, contact.timeZone);
    const calledAt = Date.parse(entry.at);
    const endedAt = entry.endedAt === undefined ? undefined : Date.parse(entry.endedAt);
    const talk = entry.talkSeconds;
    const flow = next.flow !== undefined && (next.flow.attempt ?? entry.n) === entry.n ? next.flow : undefined;
    rows.push({
      ...common(contact, recordedAt),
      attempt: entry.n,
      called_at: new Date(calledAt),
      ended_at: endedAt === undefined ? null : new Date(endedAt),
      local_hour: hour,
      local_weekday: weekday,
      outcome: entry.outcome,
      reached: isReached(entry.outcome),
      first_reach: isReached(entry.outcome) && !earlierReached,
      ring_seconds: endedAt === undefined ? null : roundSeconds(Math.max(0, (endedAt - calledAt) / 1000 - (talk ?? 0))),
      talk_seconds: talk === undefined ? null : roundSeconds(talk),
      caller_id: campaign.callerId,
      questions_answered: flow?.questionsAnswered ?? 0,
      script_completed: flow?.completed ?? false,
      opted_out: entry.outcome === 'OPTED_OUT' || (flow?.optedOut ?? false),
      final_status: entry.n === lastAttempt && isFinalStatus(next.status) ? next.status : null,
    });
  }
  return rows;
}

/** The `contacts` row of a contact whose status becomes final with this change, if it does. */
export function contactFact(
  next: ContactImage,
  previous: ContactImage | undefined,
  contact: FactContact,
  recordedAt: Date,
): FactRow | undefined {
  if (!isFinalStatus(next.status) || isFinalStatus(previous?.status)) return undefined;
  const ended = [...next.attemptLog].sort((a, b) => a.n - b.n);
  const firstReach = ended.find((entry) => isReached(entry.outcome));
  const first = ended[0];
  const last = ended.at(-1);
  const firstCall = first === undefined ? undefined : localHourAndWeekday(first.at, contact.timeZone);
  return {
    ...common(contact, recordedAt),
    final_status: next.status,
    attempts: ended.length,
    last_outcome: last?.outcome ?? null,
    reached: firstReach !== undefined,
    first_reach_attempt: firstReach?.n ?? null,
    opted_out: next.status === 'OPTED_OUT' || ended.some((entry) => entry.outcome === 'OPTED_OUT'),
    first_called_hour: firstCall?.hour ?? null,
    first_called_weekday: firstCall?.weekday ?? null,
  };
}

/** The `answers` row of a new answer item. */
export function answerFact(answer: AnswerImage, contact: FactContact, recordedAt: Date): FactRow {
  return {
    ...common(contact, recordedAt),
    attempt: answer.attempt,
    question_id: answer.questionId,
    answer_key: answer.key,
    label: answer.label,
    script_version: answer.scriptVersion,
    answered_at: new Date(answer.answeredAt),
  };
}

/** The `follow_ups` row of a follow-up whose SMS was sent or failed with this change, if it was. */
export function followUpFact(
  next: FollowUpImage,
  previous: FollowUpImage | undefined,
  contact: FactContact,
  recordedAt: Date,
): FactRow | undefined {
  if ((next.status !== 'SENT' && next.status !== 'FAILED') || previous?.status === next.status) return undefined;
  const at = next.status === 'SENT' ? next.sentAt : next.failedAt;
  return {
    ...common(contact, recordedAt),
    rule_id: next.ruleId,
    status: next.status,
    at: at === undefined ? recordedAt : new Date(at),
  };
}
