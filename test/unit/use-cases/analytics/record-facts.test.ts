import { describe, expect, it } from 'vitest';
import type { FactTableName } from '../../../../functions/core/analytics/fact-tables.ts';
import type { FactRow } from '../../../../functions/core/analytics/facts.ts';
import {
  type RecordFactsPorts,
  recordFacts,
  type StreamChange,
} from '../../../../functions/use-cases/analytics/record-facts.ts';

/** A bucket partition of the run, where its contacts, answers and follow-ups live. */
const pk = 'RUN#demo#2026-03-27#B05';

function ports(written: Array<{ table: FactTableName; rows: FactRow[] }>, admitted = ['Wola']): RecordFactsPorts {
  return {
    contacts: { lookup: async () => new Map() },
    campaigns: { analyticsOf: async () => ({ callerId: '+48221234567', dimensions: ['clinic', 'region'] }) },
    dimensions: {
      admit: async (_campaign, dimension, values) =>
        new Set([...values].filter((value) => dimension !== 'clinic' || admitted.includes(value))),
    },
    files: {
      write: async (table, _campaign, _date, _name, rows) => {
        written.push({ table, rows });
      },
    },
    now: () => Date.parse('2026-03-27T12:00:00Z'),
    newFileId: () => 'f1',
    warn: () => undefined,
  };
}

const change = (sk: string, next: Record<string, unknown>, previous?: Record<string, unknown>): StreamChange => ({
  sequenceNumber: '100',
  recordedAt: new Date('2026-03-27T11:00:00Z'),
  pk,
  sk,
  newImage: next,
  oldImage: previous,
});

const ended = (clinic: string, key?: string) =>
  change(
    'CONTACT#+48601000001',
    {
      ...(key && { contactKey: key }),
      status: 'NO_ANSWER',
      timeZone: 'Europe/Warsaw',
      attributes: { clinic, region: '  North  ' },
      attemptLog: [{ n: 1, at: '2026-03-27T10:00:00Z', outcome: 'NO_ANSWER', endedAt: '2026-03-27T10:00:30Z' }],
    },
    {
      status: 'DIALING',
      timeZone: 'Europe/Warsaw',
      attributes: {},
      attemptLog: [{ n: 1, at: '2026-03-27T10:00:00Z' }],
    },
  );

describe('recordFacts', () => {
  it('puts values past the cardinality bound in the other bucket, and normalises the rest', async () => {
    const written: Array<{ table: FactTableName; rows: FactRow[] }> = [];
    const result = await recordFacts(ports(written), [ended('Ursynów', '0000000000000001')]);
    expect(result).toMatchObject({ facts: 2, files: 2, withoutContact: 0 });
    expect(written.find((file) => file.table === 'attempts')?.rows[0]).toMatchObject({
      dim1_name: 'clinic',
      dim1: 'other',
      dim2_name: 'region',
      dim2: 'North',
    });
  });

  it('skips the facts of a contact without a key (imported before analytics existed)', async () => {
    const written: Array<{ table: FactTableName; rows: FactRow[] }> = [];
    const result = await recordFacts(ports(written), [ended('Wola')]);
    expect(result).toMatchObject({ facts: 0, withoutContact: 1 });
    expect(written).toEqual([]);
  });

  it('ignores the items facts are not made of', async () => {
    const written: Array<{ table: FactTableName; rows: FactRow[] }> = [];
    await recordFacts(ports(written), [
      change('RUN', { attemptsStarted: 3 }),
      { ...change('CAPACITY', { inFlight: 1 }), pk: 'PACING' },
      change('SAMPLE#2026-03-27T10:00', { inFlight: 2 }),
    ]);
    expect(written).toEqual([]);
  });
});
