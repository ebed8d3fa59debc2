/**
 * A run of the engine as its items change, for the analytics tests: random contacts (messy list values, several
 * time zones) called up to three times with random outcomes, answering a two-question script, opting out, getting
 * follow-ups, expiring at the end. `expandRun` turns a spec into the table's changes in order (what the stream
 * delivers) and the contacts' final items (what the per-contact export reads), so analyses computed from the facts
 * can be checked against the export, independently.
 */

import fc from 'fast-check';
import { DateTime } from 'luxon';
import { bucketOf, runBucketPartition } from '../../../../functions/core/keys.ts';
import type { StreamChange } from '../../../../functions/use-cases/analytics/record-facts.ts';

export const CAMPAIGN_ID = 'model';
export const RUN_DATE = '2026-03-27';
export const QUESTIONS = [
  { id: 'q1', prompt: 'Vaccinated?', keys: { '1': 'Yes', '2': 'No' } },
  { id: 'q2', prompt: 'Book one?', keys: { '1': 'Yes', '2': 'No', '3': 'Later' } },
] as const;

export type Outcome =
  | 'COMPLETED'
  | 'PARTIAL'
  | 'NO_ANSWER'
  | 'BUSY'
  | 'VOICEMAIL'
  | 'FAILED'
  | 'OPTED_OUT'
  | 'INVALID_NUMBER';
const FINAL_OUTCOMES = new Set<Outcome>(['COMPLETED', 'OPTED_OUT', 'INVALID_NUMBER']);
const REACHED = new Set<Outcome>(['COMPLETED', 'PARTIAL', 'OPTED_OUT']);

export interface AttemptSpec {
  outcome: Outcome;
  /** Minutes after the run's start (attempts are placed in order). */
  gapMinutes: number;
  ringSeconds: number;
  talkSeconds: number;
  q1: '1' | '2';
  q2: '1' | '2' | '3';
  /** PARTIAL and OPTED_OUT calls: questions answered before the hang-up (0 or 1). */
  answeredBeforeEnd: 0 | 1;
}

export interface ContactSpec {
  clinic: string | undefined;
  timeZone: string;
  attempts: AttemptSpec[];
  /** After the last attempt: the policy finishes the contact, or it waits and the run's end expires it. */
  ending: 'FINAL' | 'EXPIRE';
  followUp: 'SENT' | 'FAILED';
}

/** Messy clinic cells: case and spaces vary, some blank, some missing. */
const CLINICS = ['Wola', ' wola', 'Wola ', 'Praga', 'Mokotów', 'Mokotów', 'Ursynów  Północ', '', undefined];

export const attemptSpecArbitrary: fc.Arbitrary<AttemptSpec> = fc.record({
  outcome: fc.constantFrom<Outcome>(
    'COMPLETED',
    'PARTIAL',
    'NO_ANSWER',
    'NO_ANSWER',
    'BUSY',
    'VOICEMAIL',
    'FAILED',
    'OPTED_OUT',
    'INVALID_NUMBER',
  ),
  gapMinutes: fc.integer({ min: 1, max: 600 }),
  ringSeconds: fc.integer({ min: 1, max: 40 }),
  talkSeconds: fc.integer({ min: 1, max: 300 }),
  q1: fc.constantFrom('1', '2'),
  q2: fc.constantFrom('1', '2', '3'),
  answeredBeforeEnd: fc.constantFrom(0, 1),
});

export const contactSpecArbitrary: fc.Arbitrary<ContactSpec> = fc.record({
  clinic: fc.constantFrom(...CLINICS),
  timeZone: fc.constantFrom('Europe/Warsaw', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'),
  attempts: fc.array(attemptSpecArbitrary, { minLength: 0, maxLength: 3 }),
  ending: fc.constantFrom('FINAL', 'EXPIRE'),
  followUp: fc.constantFrom('SENT', 'FAILED'),
});

export const runSpecArbitrary = fc.array(contactSpecArbitrary, { minLength: 1, maxLength: 25 });

/** A contact item as the engine stores it (docs/data-model.md). */
export interface ContactItem {
  pk: string;
  sk: string;
  phone: string;
  name: string;
  externalId: string;
  contactKey: string;
  status: string;
  attempts: number;
  attemptLog: Array<{ n: number; at: string; outcome?: string; endedAt?: string; talkSeconds?: number }>;
  timeZone: string;
  attributes: Record<string, string>;
  answers: Record<string, string>;
  listId: string;
  flow?: { attempt: number; questionsAnswered: number; completed: boolean; optedOut: boolean };
}

export interface ExpandedRun {
  changes: StreamChange[];
  contacts: ContactItem[];
  /** Follow-up results by phone (`rule:STATUS`, as the export lists them). */
  followUps: Map<string, string[]>;
}

const clone = <T>(value: T): T => structuredClone(value);

/** The changes of a run in the order the table saw them, and the contacts' final items. */
export function expandRun(specs: readonly ContactSpec[], startedAt = Date.UTC(2026, 2, 27, 7, 0, 0)): ExpandedRun {
  const events: Array<{ at: number; order: number; pk: string; sk: string; next?: object; previous?: object }> = [];
  let order = 0;
  // Contacts, answers and follow-ups live in the bucket partition of the contact's number.
  const emit = (at: number, sk: string, next: object | undefined, previous: object | undefined) =>
    events.push({
      at,
      order: order++,
      pk: runBucketPartition(CAMPAIGN_ID, RUN_DATE, bucketOf(sk.split('#')[1] ?? '')),
      sk,
      next: clone(next),
      previous: clone(previous),
    });
  const contacts: ContactItem[] = [];
  const followUps = new Map<string, string[]>();
  specs.forEach((spec, index) => {
    const phone = `+4860${String(1_000_000 + index).slice(1)}`;
    const contact: ContactItem = {
      pk: runBucketPartition(CAMPAIGN_ID, RUN_DATE, bucketOf(phone)),
      sk: `CONTACT#${phone}`,
      phone,
      name: `Person ${index}`,
      externalId: `P-${index}`,
      contactKey: (0x1000_0000_0000_0000n + BigInt(index) * 7919n).toString(16),
      status: 'PENDING',
      attempts: 0,
      attemptLog: [],
      timeZone: spec.timeZone,
      attributes: spec.clinic === undefined ? { note: 'x' } : { clinic: spec.clinic, note: 'x' },
      answers: {},
      listId: '20260327-00000000000000aa',
    };
    let at = startedAt + index * 1_000;
    emit(at, contact.sk, contact, undefined);
    const attempts = spec.attempts.slice(0, lastUsable(spec.attempts));
    attempts.forEach((attempt, position) => {
      const n = position + 1;
      at += attempt.gapMinutes * 60_000;
      let previous = clone(contact);
      contact.status = 'DIALING';
      contact.attempts = n;
      contact.attemptLog.push({ n, at: new Date(at).toISOString() });
      emit(at, contact.sk, contact, previous);
      const connectedAt = at + attempt.ringSeconds * 1_000;
      const reached = REACHED.has(attempt.outcome);
      const answered =
        attempt.outcome === 'COMPLETED'
          ? attempt.q1 === '2'
            ? 2
            : 1
          : attempt.outcome === 'PARTIAL' || attempt.outcome === 'OPTED_OUT'
            ? attempt.answeredBeforeEnd
            : 0;
      const keys: Array<['q1' | 'q2', string]> = [
        ['q1', attempt.q1],
        ...(answered === 2 ? [['q2', attempt.q2] as ['q2', string]] : []),
      ];
      for (const [question, key] of keys.slice(0, answered)) {
        const answeredAt = connectedAt + 5_000 * (question === 'q1' ? 1 : 2);
        previous = clone(contact);
        contact.answers[question] = key;
        contact.flow = { attempt: n, questionsAnswered: question === 'q1' ? 1 : 2, completed: false, optedOut: false };
        const labels: Record<string, string> = QUESTIONS.find((q) => q.id === question)?.keys ?? {};
        emit(
          answeredAt,
          `ANSWER#${phone}#${n}#${question}`,
          {
            pk: runBucketPartition(CAMPAIGN_ID, RUN_DATE, bucketOf(phone)),
            sk: `ANSWER#${phone}#${n}#${question}`,
            campaignId: CAMPAIGN_ID,
            date: RUN_DATE,
            phone,
            attempt: n,
            questionId: question,
            key,
            label: labels[key],
            scriptVersion: 3,
            answeredAt: new Date(answeredAt).toISOString(),
          },
          undefined,
        );
        emit(answeredAt, contact.sk, contact, previous);
      }
      if (attempt.outcome === 'OPTED_OUT' || attempt.outcome === 'COMPLETED') {
        previous = clone(contact);
        contact.flow = {
          attempt: n,
          questionsAnswered: answered,
          completed: attempt.outcome === 'COMPLETED',
          optedOut: attempt.outcome === 'OPTED_OUT',
        };
        emit(connectedAt + 20_000, contact.sk, contact, previous);
      }
      const endedAt = reached ? connectedAt + attempt.talkSeconds * 1_000 : connectedAt;
      previous = clone(contact);
      const entry = contact.attemptLog[position];
      if (entry !== undefined) {
        entry.outcome = attempt.outcome;
        entry.endedAt = new Date(endedAt).toISOString();
        if (reached) entry.talkSeconds = attempt.talkSeconds;
      }
      const last = position === attempts.length - 1;
      contact.status =
        FINAL_OUTCOMES.has(attempt.outcome) || (last && spec.ending === 'FINAL') ? attempt.outcome : 'PENDING';
      emit(endedAt + 500, contact.sk, contact, previous);
      at = endedAt;
      if (contact.answers.q2 === '1' && !followUps.has(phone) && contact.status !== 'OPTED_OUT') {
        const sk = `FOLLOWUP#${phone}#booking`;
        const claimed = {
          pk: runBucketPartition(CAMPAIGN_ID, RUN_DATE, bucketOf(phone)),
          sk,
          campaignId: CAMPAIGN_ID,
          date: RUN_DATE,
          phone,
          ruleId: 'booking',
          status: 'SENDING',
        };
        emit(endedAt + 1_000, sk, claimed, undefined);
        const result =
          spec.followUp === 'SENT'
            ? { ...claimed, status: 'SENT', sentAt: new Date(endedAt + 2_000).toISOString() }
            : { ...claimed, status: 'FAILED', failedAt: new Date(endedAt + 2_000).toISOString() };
        emit(endedAt + 2_000, sk, result, claimed);
        followUps.set(phone, [`booking:${spec.followUp}`]);
      }
    });
    if (contact.status === 'PENDING') {
      const previous = clone(contact);
      contact.status = 'EXPIRED';
      emit(at + 3_600_000 * 20, contact.sk, contact, previous);
    }
    contacts.push(contact);
  });
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  const changes = events.map(
    (event, index): StreamChange => ({
      sequenceNumber: String(1_000_000 + index),
      recordedAt: new Date(event.at),
      pk: event.pk,
      sk: event.sk,
      newImage: event.next as Record<string, unknown> | undefined,
      oldImage: event.previous as Record<string, unknown> | undefined,
    }),
  );
  return { changes, contacts, followUps };
}

/** Attempts after a final outcome never happen. */
function lastUsable(attempts: readonly AttemptSpec[]): number {
  const final = attempts.findIndex((attempt) => FINAL_OUTCOMES.has(attempt.outcome));
  return final < 0 ? attempts.length : final + 1;
}

/** The callee-local hour and weekday of an attempt as the export prints it (`… 2026-03-27 10:01:02 +01:00 …`). */
export function exportedLocalTime(attemptLogEntry: string): { hour: number; weekday: number } {
  const match = /^\d+ (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}) /.exec(attemptLogEntry);
  const local = DateTime.fromFormat(match?.[1] ?? '', 'yyyy-MM-dd HH:mm:ss ZZ', { setZone: true });
  return { hour: local.hour, weekday: local.weekday };
}
