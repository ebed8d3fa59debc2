/**
 * The in-memory dialing store with a due index, for simulations of whole runs (the planner, the pacing
 * benchmark): the plain store finds due contacts by scanning and sorting every contact, which a dispatcher does
 * several times a tick, so 500,000 contacts took minutes. Here the contacts that wait sit in a heap by due time,
 * as DynamoDB's sparse due index keeps them sorted. Entries are dropped lazily: an entry counts while its contact
 * still waits with that due time and the entry is the contact's latest.
 */
import { MinHeap } from '../../core/planning/min-heap.ts';
import type { ContactRecord, DueContact, FinishAttemptInput } from '../../use-cases/dialing/ports.ts';
import { InMemoryDialingStore } from './dialing-store.ts';

interface DueEntry {
  at: number;
  phone: string;
  version: number;
}

const contactKey = (campaignId: string, date: string, phone: string) => `${campaignId}#${date}#${phone}`;
const runKey = (campaignId: string, date: string) => `${campaignId}#${date}`;

export class IndexedDialingStore extends InMemoryDialingStore {
  private readonly indexes = new Map<string, MinHeap<DueEntry>>();
  private readonly versions = new Map<string, number>();

  /**
   * Adds a waiting contact; one that has had attempts already (a re-plan mid-run) gets them in its attempt log, as
   * attempts of the same day that ended unanswered: the retry policy counts them against its limits.
   */
  override addContact(contact: Parameters<InMemoryDialingStore['addContact']>[0]): void {
    super.addContact(contact);
    const stored = this.contacts.get(contactKey(contact.campaignId, contact.date, contact.phone));
    if (stored !== undefined && stored.attempts > 0 && stored.attemptLog.length === 0) {
      const at = contact.dueAt.toISOString();
      stored.attemptLog = Array.from({ length: stored.attempts }, (_, index) => ({
        n: index + 1,
        at,
        outcome: 'NO_ANSWER' as const,
        endedAt: at,
      }));
    }
    this.indexContact(contact.campaignId, contact.date, contact.phone);
  }

  override async finish(input: FinishAttemptInput): Promise<boolean> {
    const finished = await super.finish(input);
    if (finished) this.indexContact(input.ref.campaignId, input.ref.date, input.ref.phone);
    return finished;
  }

  override async reschedule(campaignId: string, date: string, phone: string, at: Date): Promise<void> {
    await super.reschedule(campaignId, date, phone, at);
    this.indexContact(campaignId, date, phone);
  }

  /** A copy of the contact, as the plain store gives it, without `structuredClone` (a third of a settle's time). */
  override async get(campaignId: string, date: string, phone: string): Promise<ContactRecord | undefined> {
    const stored = this.contacts.get(contactKey(campaignId, date, phone));
    if (stored === undefined) return undefined;
    const { dueAt: _dueAt, ...contact } = stored;
    return {
      ...contact,
      attemptLog: contact.attemptLog.map((entry) => ({ ...entry })),
      attributes: { ...contact.attributes },
      answers: { ...contact.answers },
      ...(contact.flow !== undefined && { flow: { ...contact.flow } }),
    };
  }

  override async due(campaignId: string, date: string, now: Date, limit: number): Promise<DueContact[]> {
    const index = this.indexes.get(runKey(campaignId, date));
    if (index === undefined) return [];
    const taken: DueEntry[] = [];
    const due: DueContact[] = [];
    while (due.length < limit) {
      const entry = index.peek();
      if (entry === undefined || entry.at > now.getTime()) break;
      index.pop();
      const contact = this.current(campaignId, date, entry);
      if (contact === undefined) continue;
      taken.push(entry);
      due.push({
        campaignId,
        date,
        phone: contact.phone,
        status: contact.status,
        attempts: contact.attempts,
        timeZone: contact.timeZone,
        ...(contact.name !== undefined && { name: contact.name }),
        ...(contact.language !== undefined && { language: contact.language }),
      });
    }
    // Reading the index does not change it.
    for (const entry of taken) index.push(entry);
    return due;
  }

  override async nextDue(campaignId: string, date: string): Promise<Date | undefined> {
    const index = this.indexes.get(runKey(campaignId, date));
    for (let entry = index?.peek(); entry !== undefined; entry = index?.peek()) {
      if (this.current(campaignId, date, entry) !== undefined) return new Date(entry.at);
      index?.pop();
    }
    return undefined;
  }

  /** The contact an entry stands for, if the entry still counts. */
  private current(campaignId: string, date: string, entry: DueEntry) {
    const key = contactKey(campaignId, date, entry.phone);
    const contact = this.contacts.get(key);
    if (contact === undefined || contact.dueAt !== entry.at || this.versions.get(key) !== entry.version) {
      return undefined;
    }
    return contact;
  }

  /** Indexes the contact at its due time, if it waits. */
  private indexContact(campaignId: string, date: string, phone: string): void {
    const key = contactKey(campaignId, date, phone);
    const contact = this.contacts.get(key);
    if (contact?.dueAt === undefined) return;
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    let index = this.indexes.get(runKey(campaignId, date));
    if (index === undefined) {
      // Earliest first, then by phone number: the order of the DynamoDB due index's sort key.
      index = new MinHeap<DueEntry>((a, b) => a.at < b.at || (a.at === b.at && a.phone < b.phone));
      this.indexes.set(runKey(campaignId, date), index);
    }
    index.push({ at: contact.dueAt, phone, version });
  }
}
