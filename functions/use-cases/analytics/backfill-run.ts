/**
 * Backfill: the facts of a run that ended before the pipeline existed (or whose stream records were given up), from
 * the run's items. Each table gets the facts it is missing as a segment of its own, so running it again adds
 * nothing (core/analytics/fact-files.ts). Contacts imported before contacts had keys get one first.
 */
import { FACT_TABLE_NAMES, type FactTableName } from '../../core/analytics/fact-tables.ts';
import {
  AnswerImageSchema,
  answerFact,
  attemptFacts,
  type ContactImage,
  ContactImageSchema,
  contactFact,
  type FactRow,
  FollowUpImageSchema,
  followUpFact,
} from '../../core/analytics/facts.ts';
import { ANSWER_PREFIX, CONTACT_PREFIX, FOLLOW_UP_PREFIX } from '../../core/keys.ts';
import { addMissingFacts, type CompactionPorts } from './compact-facts.ts';
import { type CampaignAnalytics, type RecordFactsPorts, resolveContacts } from './record-facts.ts';

export interface BackfillPorts extends CompactionPorts {
  runs: {
    items(campaignId: string, date: string): Promise<Array<Record<string, unknown>>>;
    assignContactKey(campaignId: string, date: string, phone: string, key: string): Promise<string>;
  };
  campaigns: { analyticsOf(campaignId: string): Promise<CampaignAnalytics | undefined> };
  dimensions: RecordFactsPorts['dimensions'];
  newContactKey(): string;
}

const time = (value: unknown): Date | undefined => (value instanceof Date ? value : undefined);

/** Adds the run's missing facts; returns how many each table got. */
export async function backfillRun(
  ports: BackfillPorts,
  campaignId: string,
  date: string,
): Promise<Record<FactTableName, number>> {
  const items = await ports.runs.items(campaignId, date);
  const campaign = await ports.campaigns.analyticsOf(campaignId);
  const images = new Map<string, ContactImage>();
  for (const item of items) {
    const sk = String(item.sk);
    if (!sk.startsWith(CONTACT_PREFIX)) continue;
    const parsed = ContactImageSchema.safeParse(item);
    if (!parsed.success) continue;
    const phone = sk.slice(CONTACT_PREFIX.length);
    const key =
      parsed.data.contactKey ?? (await ports.runs.assignContactKey(campaignId, date, phone, ports.newContactKey()));
    images.set(`${campaignId}#${date}#${phone}`, { ...parsed.data, contactKey: key });
  }
  const contacts = await resolveContacts(ports, images, new Map([[campaignId, campaign]]));
  const facts: Record<FactTableName, FactRow[]> = { attempts: [], answers: [], contacts: [], follow_ups: [] };
  const now = new Date(ports.now());
  for (const [id, image] of images) {
    const contact = contacts.get(id);
    if (contact === undefined) continue;
    for (const row of attemptFacts(image, undefined, contact, { callerId: campaign?.callerId ?? null }, now)) {
      facts.attempts.push({ ...row, recorded_at: time(row.ended_at) ?? time(row.called_at) ?? now });
    }
    const finished = contactFact(image, undefined, contact, now);
    const lastEnd = image.attemptLog.at(-1)?.endedAt;
    if (finished !== undefined) facts.contacts.push({ ...finished, recorded_at: lastEnd ? new Date(lastEnd) : now });
  }
  for (const item of items) {
    const sk = String(item.sk);
    const phone = typeof item.phone === 'string' ? item.phone : '';
    const contact = contacts.get(`${campaignId}#${date}#${phone}`);
    if (contact === undefined) continue;
    if (sk.startsWith(ANSWER_PREFIX)) {
      const answer = AnswerImageSchema.safeParse(item);
      if (answer.success) facts.answers.push(answerFact(answer.data, contact, new Date(answer.data.answeredAt)));
    } else if (sk.startsWith(FOLLOW_UP_PREFIX)) {
      const followUp = FollowUpImageSchema.safeParse(item);
      const row = followUp.success ? followUpFact(followUp.data, undefined, contact, now) : undefined;
      if (row !== undefined) facts.follow_ups.push({ ...row, recorded_at: time(row.at) ?? now });
    }
  }
  const added = { attempts: 0, answers: 0, contacts: 0, follow_ups: 0 };
  for (const table of FACT_TABLE_NAMES) {
    added[table] = await addMissingFacts(ports, table, campaignId, date, facts[table]);
  }
  return added;
}
