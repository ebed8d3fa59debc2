import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ListFormatError } from '../../../../functions/core/import/list-format-error.ts';
import { CallingWindowClosedError } from '../../../../functions/core/policy/calling-window.ts';
import {
  checkList,
  firstAttemptSchedule,
  importList,
  type ListImportJob,
} from '../../../../functions/use-cases/import/import-rows.ts';
import {
  failingStream,
  MemoryContacts,
  MemoryDoNotCall,
  MemoryListRecords,
  polishList,
  testCampaign,
} from './in-memory-ports.ts';

const FIXTURES = new URL('../../../fixtures/lists/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));

/** Monday 2 March 2026, 07:00 in Warsaw. */
const NOW = new Date('2026-03-02T06:00:00Z');
const DATE = '2026-03-02';

function setup(doNotCall: string[] = []) {
  const contacts = new MemoryContacts();
  const records = new MemoryListRecords(contacts);
  const ports = { contacts, origins: records, doNotCall: new MemoryDoNotCall(doNotCall) };
  return { contacts, ports };
}

function job(bytes: Buffer | AsyncIterable<Uint8Array>, overrides: Partial<ListImportJob> = {}): ListImportJob {
  return {
    campaign: testCampaign(),
    date: DATE,
    listId: 'list-a',
    format: 'csv',
    input: Buffer.isBuffer(bytes) ? Readable.from([bytes]) : bytes,
    now: NOW,
    ...overrides,
  };
}

function rejectedSink() {
  const parts: string[] = [];
  return { parts, sink: { write: async (text: string) => void parts.push(text) } };
}

describe('importList: the account of a messy list', () => {
  it('accounts for every row of an Excel export: accepted, rejected, duplicate or suppressed', async () => {
    const { contacts, ports } = setup(['+48601234568']);
    await contacts.write('spring-survey', DATE, [
      { phone: '+48601234569', timeZone: 'Europe/Warsaw', attributes: {}, listId: 'earlier-list', line: 2, dueAt: NOW },
    ]);
    const rejected = rejectedSink();

    const { summary, complete } = await importList(
      ports,
      job(fixture('excel-semicolon-bom-crlf.csv'), { rejected: rejected.sink }),
    );

    expect(complete).toBe(true);
    expect(summary).toMatchObject({
      rows: 15,
      accepted: 5,
      rejected: 7,
      duplicates: 2,
      duplicatesInFile: 1,
      alreadyInRun: 1,
      suppressed: 1,
      rejectionsByCode: {
        INVALID_LENGTH: 1,
        EMPTY: 1,
        NOT_A_NUMBER: 2,
        INVALID_TIME_ZONE: 1,
        INVALID_LANGUAGE: 1,
        PREMIUM_RATE: 1,
      },
      errorsTruncated: false,
    });
    expect(summary.rows).toBe(summary.accepted + summary.rejected + summary.duplicates + summary.suppressed);
    expect(summary.errors[0]).toEqual({
      line: 10,
      column: 'Phone Number',
      value: '601 234 56',
      code: 'INVALID_LENGTH',
      reason: 'no PL fixed-line or mobile number has 8 digits (7 or 9)',
    });
    const run = contacts.run('spring-survey', DATE);
    expect([...run.keys()].sort()).toEqual([
      '+12125550123',
      '+48221234567',
      '+48601234567',
      '+48601234569',
      '+48601234570',
      '+49301234567',
    ]);
    expect(run.get('+48601234567')).toMatchObject({
      listId: 'list-a',
      line: 2,
      name: 'Jan Kowalski',
      externalId: 'C-001',
    });
    expect(run.get('+48601234569')?.listId).toBe('earlier-list');
  });

  it('writes the rejected rows as CSV in the list’s own delimiter, each with its line and reason', async () => {
    const { ports } = setup();
    const rejected = rejectedSink();

    await importList(ports, job(fixture('excel-semicolon-bom-crlf.csv'), { rejected: rejected.sink }));

    const lines = rejected.parts
      .join('')
      .split('\r\n')
      .filter((line) => line !== '');
    expect(lines).toHaveLength(1 + 7);
    expect(lines[0]).toBe('\uFEFFName;Phone Number;E-mail;Miejscowość;Segment;Time Zone;Language;External ID;reason');
    expect(lines[1]).toBe(
      'Tomasz Lewandowski;601 234 56;;;;;;C-006;line 10: no PL fixed-line or mobile number has 8 digits (7 or 9)',
    );
    expect(lines.some((line) => line.startsWith('-----;-----;'))).toBe(false);
    expect(lines.some((line) => line.startsWith("'-----;'-----;"))).toBe(true);
  });

  it('schedules each contact at the later of now and the start of the run date, inside its own calling window', async () => {
    const { contacts, ports } = setup();

    const { summary } = await importList(ports, job(fixture('excel-semicolon-bom-crlf.csv')));

    const run = contacts.run('spring-survey', DATE);
    expect(run.get('+48601234567')?.dueAt.toISOString()).toBe('2026-03-02T08:00:00.000Z'); // 09:00 in Warsaw
    expect(run.get('+48221234567')?.timeZone).toBe('America/New_York');
    expect(run.get('+48221234567')?.dueAt.toISOString()).toBe('2026-03-02T14:00:00.000Z'); // 09:00 in New York
    expect(summary).toMatchObject({ firstDueAt: '2026-03-02T08:00:00.000Z', dueAfterRunEnds: 0 });
  });

  it('counts the contacts the run will not reach: a Saturday list for a weekday campaign', async () => {
    const { contacts, ports } = setup();
    const campaign = testCampaign({ callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'] } });

    const { summary } = await importList(
      ports,
      job(polishList(3), { campaign, date: '2026-03-07', now: new Date('2026-03-02T06:00:00Z') }),
    );

    expect(summary).toMatchObject({ accepted: 3, dueAfterRunEnds: 3, firstDueAt: '2026-03-09T08:00:00.000Z' });
    expect(contacts.run('spring-survey', '2026-03-07').size).toBe(3);
  });

  it('does not write numbers on the do-not-call list', async () => {
    const { contacts, ports } = setup(['+48600000001', '+48600000003']);

    const { summary } = await importList(ports, job(polishList(5)));

    expect(summary).toMatchObject({ rows: 5, accepted: 3, suppressed: 2 });
    expect([...contacts.run('spring-survey', DATE).keys()]).toEqual(['+48600000000', '+48600000002', '+48600000004']);
  });

  it('lists the first rejections only, shortened, and says so', async () => {
    const { ports } = setup();
    const long = 'x'.repeat(500);
    const rows = Array.from({ length: 120 }, (_, index) => `${long}${index};Name`).join('\n');

    const { summary } = await importList(ports, job(Buffer.from(`phone;name\n${rows}\n`)), { maxErrors: 100 });

    expect(summary).toMatchObject({ rows: 120, rejected: 120, errorsTruncated: true });
    expect(summary.errors).toHaveLength(100);
    expect(summary.errors[0]?.value).toHaveLength(200);
    expect(summary.errors[0]?.value?.endsWith('…')).toBe(true);
  });
});

describe('importList: exactly the rows of the file, however often it runs', () => {
  it('changes nothing when the same list is imported again, and gives the same account', async () => {
    const { contacts, ports } = setup();
    const first = await importList(ports, job(polishList(250)), { batchSize: 40 });
    const writes = contacts.writes;

    const second = await importList(ports, job(polishList(250)), { batchSize: 40 });

    expect(second.summary).toEqual(first.summary);
    expect(second.summary).toMatchObject({ rows: 250, accepted: 250, duplicates: 0 });
    expect(contacts.run('spring-survey', DATE).size).toBe(250);
    expect(contacts.writes - writes).toBe(Math.ceil(250 / 40));
  });

  it('counts a number another list already brought into the run as a duplicate', async () => {
    const { contacts, ports } = setup();
    await importList(ports, job(polishList(10), { listId: 'morning' }));

    const { summary } = await importList(ports, job(polishList(10, 5), { listId: 'afternoon' }));

    expect(summary).toMatchObject({ rows: 10, accepted: 5, duplicates: 5, alreadyInRun: 5, duplicatesInFile: 0 });
    expect(contacts.run('spring-survey', DATE).size).toBe(15);
  });

  it('ends with exactly the file’s rows when a run broken off by a dropped stream is run again', async () => {
    const { contacts, ports } = setup();
    // Larger than the 64 KiB the reader looks at before the first row, so the stream breaks while rows are written.
    const list = polishList(10_000);

    await expect(importList(ports, job(failingStream(list, list.length / 2)), { batchSize: 50 })).rejects.toThrow(
      'socket hang up',
    );
    const afterCrash = contacts.run('spring-survey', DATE).size;
    const { summary } = await importList(ports, job(list), { batchSize: 50 });

    expect(afterCrash).toBeGreaterThan(0);
    expect(afterCrash).toBeLessThan(10_000);
    expect(summary).toMatchObject({ rows: 10_000, accepted: 10_000, duplicates: 0, rejected: 0 });
    const run = contacts.run('spring-survey', DATE);
    expect(run.size).toBe(10_000);
    expect([...run.values()].every((contact) => contact.listId === 'list-a')).toBe(true);
  });

  it('rethrows a storage error only after the batches in flight have settled, and a rerun completes', async () => {
    const { contacts, ports } = setup();
    contacts.failOnWrite = 3;

    await expect(importList(ports, job(polishList(500)), { batchSize: 20, concurrency: 4 })).rejects.toThrow(
      'connection reset',
    );
    const writesAtThrow = contacts.writes;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(contacts.writes).toBe(writesAtThrow);
    const { summary } = await importList(ports, job(polishList(500)), { batchSize: 20 });

    expect(summary).toMatchObject({ rows: 500, accepted: 500 });
    expect(contacts.run('spring-survey', DATE).size).toBe(500);
  });

  it('stops at the deadline with an incomplete result, and a rerun finishes', async () => {
    const { contacts, ports } = setup();
    let now = 0;
    const clock = () => now++;

    const partial = await importList(ports, job(polishList(300), { deadline: 3 }), { batchSize: 50, clock });
    const full = await importList(ports, job(polishList(300)), { batchSize: 50 });

    expect(partial.complete).toBe(false);
    expect(partial.summary.rows).toBeLessThan(300);
    expect(full).toMatchObject({ complete: true, summary: { rows: 300, accepted: 300 } });
    expect(contacts.run('spring-survey', DATE).size).toBe(300);
  });

  it('reports progress while it runs', async () => {
    const { ports } = setup();
    const seen: number[] = [];
    let now = 0;

    await importList(ports, job(polishList(300), { onProgress: (progress) => void seen.push(progress.rows) }), {
      batchSize: 50,
      progressIntervalMs: 1,
      clock: () => (now += 10),
    });

    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('checkList: refusing a file before anything is written', () => {
  it('finds bytes that are not UTF-8 far down the file', async () => {
    const error = await checkList(Readable.from([fixture('invalid-utf8-late.csv')]), 'csv', testCampaign(), {
      date: DATE,
      now: NOW,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ListFormatError);
    expect(error).toMatchObject({ code: 'INVALID_ENCODING', line: 5 });
  });

  it('reads a good file to the end and counts it', async () => {
    const { summary } = await checkList(Readable.from([polishList(42)]), 'csv', testCampaign(), {
      date: DATE,
      now: NOW,
    });

    expect(summary).toMatchObject({ rows: 42, accepted: 42 });
  });

  it('refuses a campaign whose calling window never opens', async () => {
    const mondays = Array.from({ length: 60 }, (_, week) =>
      new Date(Date.UTC(2026, 2, 2 + week * 7)).toISOString().slice(0, 10),
    );
    const campaign = testCampaign({ callingWindow: { days: ['MON'], holidays: mondays } });

    await expect(
      checkList(Readable.from([polishList(1)]), 'csv', campaign, { date: DATE, now: NOW }),
    ).rejects.toBeInstanceOf(CallingWindowClosedError);
  });
});

describe('firstAttemptSchedule', () => {
  it('starts a future run at the opening of its date, not now', () => {
    const schedule = firstAttemptSchedule(testCampaign(), '2026-03-05', NOW);

    expect(schedule('Europe/Warsaw').toISOString()).toBe('2026-03-05T08:00:00.000Z');
    expect(schedule('Asia/Tokyo').toISOString()).toBe('2026-03-05T00:00:00.000Z');
  });

  it('starts today’s run now when the window is open', () => {
    const schedule = firstAttemptSchedule(testCampaign(), DATE, new Date('2026-03-02T10:15:00Z'));

    expect(schedule('Europe/Warsaw').toISOString()).toBe('2026-03-02T10:15:00.000Z');
  });
});
