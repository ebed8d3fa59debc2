/**
 * In-memory implementations of the import's ports, with the same contracts as the DynamoDB and S3 adapters
 * (exactly-once contacts, conditional status changes), so the import can be tested without a network.
 */
import { Readable } from 'node:stream';
import type { Campaign } from '../../../../functions/core/campaign.ts';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import type { ListInput } from '../../../../functions/core/import/list-reader.ts';
import {
  type ListFailure,
  type ListImportProgress,
  type ListImportSummary,
  type ListRecord,
  ListRecordSchema,
  type ListRef,
  type NewListRecord,
} from '../../../../functions/core/import/list-record.ts';
import type {
  ContactSink,
  DoNotCallLookup,
  NewContact,
  WriteResult,
} from '../../../../functions/use-cases/import/import-rows.ts';
import type {
  Clock,
  ListFiles,
  ListRecords,
  RejectedRowsUpload,
} from '../../../../functions/use-cases/import/list-intake.ts';

/** A campaign as the import tests use it: Polish numbers, calls every day 09:00-20:00. */
export function testCampaign(overrides: Record<string, unknown> = {}): Campaign {
  return parseCampaign({
    id: 'spring-survey',
    name: 'Spring survey',
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    callerId: '+48221234567',
    callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '09:00', end: '20:00' },
    script: {
      greeting: 'Hello.',
      questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }],
      closing: 'Bye.',
    },
    ...overrides,
  });
}

/** Contacts by run and number, created at most once each (like `ContactWriter`). */
export class MemoryContacts implements ContactSink {
  readonly byRun = new Map<string, Map<string, NewContact>>();
  /** Transactions so far. */
  writes = 0;
  /** Throw on this write (1-based), once, as a crash would. */
  failOnWrite: number | undefined;

  async write(campaignId: string, date: string, contacts: readonly NewContact[]): Promise<WriteResult> {
    this.writes++;
    if (this.failOnWrite === this.writes) {
      this.failOnWrite = undefined;
      throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
    }
    const run = this.run(campaignId, date);
    const existing = contacts.filter((contact) => run.has(contact.phone)).map((contact) => contact.phone);
    for (const contact of contacts) if (!run.has(contact.phone)) run.set(contact.phone, contact);
    return { created: contacts.length - existing.length, existing };
  }

  run(campaignId: string, date: string): Map<string, NewContact> {
    const key = `${campaignId}#${date}`;
    let run = this.byRun.get(key);
    if (run === undefined) {
      run = new Map();
      this.byRun.set(key, run);
    }
    return run;
  }
}

export class MemoryDoNotCall implements DoNotCallLookup {
  readonly numbers: Set<string>;
  constructor(numbers: Iterable<string> = []) {
    this.numbers = new Set(numbers);
  }
  async listed(phones: readonly string[]): Promise<Set<string>> {
    return new Set(phones.filter((phone) => this.numbers.has(phone)));
  }
}

/** List items with the store's conditional transitions. */
export class MemoryListRecords implements ListRecords {
  readonly items = new Map<string, ListRecord>();
  readonly contacts: MemoryContacts;
  /** Every status written, in order. */
  readonly history: string[] = [];

  constructor(contacts: MemoryContacts) {
    this.contacts = contacts;
  }

  async create(record: NewListRecord): Promise<void> {
    const key = this.key(record);
    if (this.items.has(key)) throw new Error(`list ${record.listId} exists`);
    const at = record.createdAt.toISOString();
    this.set(
      ListRecordSchema.parse({
        ...record,
        createdAt: at,
        updatedAt: at,
        uploadExpiresAt: record.uploadExpiresAt?.toISOString(),
        handoffAt: record.handoffAt?.toISOString(),
        attempts: 0,
      }),
    );
  }

  async get(ref: ListRef): Promise<ListRecord | undefined> {
    const record = this.items.get(this.key(ref));
    return record === undefined ? undefined : structuredClone(record);
  }

  async markReceived(ref: ListRef, sizeBytes: number, at: Date): Promise<void> {
    const record = this.items.get(this.key(ref));
    if (record?.status === 'AWAITING_UPLOAD')
      this.set({ ...record, status: 'RECEIVED', sizeBytes, updatedAt: iso(at) });
  }

  async startImport(ref: ListRef, at: Date): Promise<boolean> {
    const record = this.items.get(this.key(ref));
    if (record === undefined || record.status === 'DONE') return false;
    const { error: _error, finishedAt: _finishedAt, ...rest } = record;
    this.set({
      ...rest,
      status: 'IMPORTING',
      attempts: record.attempts + 1,
      startedAt: record.startedAt ?? iso(at),
      runningSince: iso(at),
      heartbeatAt: iso(at),
    });
    return true;
  }

  async heartbeat(ref: ListRef, at: Date): Promise<void> {
    const record = this.items.get(this.key(ref));
    if (record?.status === 'IMPORTING') this.items.set(this.key(ref), { ...record, heartbeatAt: iso(at) });
  }

  async release(ref: ListRef): Promise<void> {
    const { runningSince: _since, heartbeatAt: _beat, ...rest } = this.required(ref);
    this.items.set(this.key(ref), rest);
  }

  async recordProgress(ref: ListRef, progress: ListImportProgress): Promise<void> {
    const record = this.items.get(this.key(ref));
    if (record?.status === 'IMPORTING') this.items.set(this.key(ref), { ...record, progress });
  }

  async complete(ref: ListRef, summary: ListImportSummary, rejectedKey: string, at: Date): Promise<void> {
    const record = this.required(ref);
    const {
      progress: _progress,
      error: _error,
      handoffAt: _handoffAt,
      runningSince: _r,
      heartbeatAt: _h,
      ...rest
    } = record;
    this.set({ ...rest, status: 'DONE', summary, rejectedKey, finishedAt: iso(at) });
  }

  async fail(ref: ListRef, failure: ListFailure, at: Date): Promise<void> {
    const record = this.required(ref);
    if (record.status === 'DONE') return;
    const { handoffAt: _handoffAt, runningSince: _r, heartbeatAt: _h, ...rest } = record;
    this.set({ ...rest, status: 'FAILED', error: failure, finishedAt: iso(at) });
  }

  async handOff(ref: ListRef, at: Date): Promise<void> {
    this.items.set(this.key(ref), { ...this.required(ref), handoffAt: iso(at) });
  }

  async listIdsOf(campaignId: string, date: string, phones: readonly string[]) {
    const run = this.contacts.run(campaignId, date);
    return new Map(phones.filter((phone) => run.has(phone)).map((phone) => [phone, run.get(phone)?.listId]));
  }

  private set(record: ListRecord): void {
    this.history.push(record.status);
    this.items.set(this.key(record), record);
  }

  private required(ref: ListRef): ListRecord {
    const record = this.items.get(this.key(ref));
    if (record === undefined) throw new Error(`no list ${ref.listId}`);
    return record;
  }

  private key(ref: ListRef): string {
    return `${ref.campaignId}#${ref.date}#${ref.listId}`;
  }
}

/** Objects by key; `open` can be made to break off midway, once. */
export class MemoryFiles implements ListFiles {
  readonly objects = new Map<string, Buffer>();
  readonly presigned: string[] = [];
  /** The next `open` yields this many bytes, then fails. */
  breakNextOpenAfter: number | undefined;
  opened = 0;

  async presignPut(key: string, expiresInSeconds: number): Promise<string> {
    this.presigned.push(key);
    return `https://uploads.example/${key}?expires=${expiresInSeconds}`;
  }

  async put(key: string, body: Buffer): Promise<void> {
    this.objects.set(key, body);
  }

  async open(key: string): Promise<ListInput> {
    this.opened++;
    const bytes = this.objects.get(key);
    if (bytes === undefined) throw new Error(`no object ${key}`);
    const breakAfter = this.breakNextOpenAfter;
    this.breakNextOpenAfter = undefined;
    return breakAfter === undefined ? Readable.from([bytes]) : failingStream(bytes, breakAfter);
  }

  async rejectedRowsUpload(key: string): Promise<RejectedRowsUpload> {
    const parts: string[] = [];
    return {
      write: async (text) => {
        parts.push(text);
      },
      finish: async () => {
        this.objects.set(key, Buffer.from(parts.join('')));
      },
      discard: async () => undefined,
    };
  }

  text(key: string): string | undefined {
    return this.objects.get(key)?.toString('utf8');
  }
}

/** `bytes` in 1 KiB chunks until `breakAfter` bytes have been read, then an error, as a dropped connection. */
export async function* failingStream(bytes: Buffer, breakAfter: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += 1024) {
    if (offset >= breakAfter) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    yield bytes.subarray(offset, Math.min(offset + 1024, bytes.length));
  }
}

/** A clock tests move by hand; `sleep` advances it. */
export class ManualClock implements Clock {
  private current: number;
  readonly sleeps: number[] = [];
  onSleep: ((clock: ManualClock) => void) | undefined;

  constructor(start: string | Date) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  async sleep(milliseconds: number): Promise<void> {
    this.sleeps.push(milliseconds);
    this.current += milliseconds;
    this.onSleep?.(this);
  }
  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}

/** A CSV list of `count` distinct Polish mobile numbers, `phone;name`, starting at `first`. */
export function polishList(count: number, first = 0): Buffer {
  const rows = Array.from(
    { length: count },
    (_, index) => `+4860${String(first + index).padStart(7, '0')};Person ${index}`,
  );
  return Buffer.from(`phone;name\n${rows.join('\n')}\n`);
}

const iso = (at: Date) => at.toISOString();
