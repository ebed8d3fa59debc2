/** ReportStore reads a run's contacts from all its bucket partitions, in phone order, in bounded pages. */
import { describe, expect, it } from 'vitest';
import type { documentClient } from '../../../functions/adapters/aws-clients.ts';
import { CONTACT_PAGE_ITEMS, ReportStore } from '../../../functions/adapters/report-store.ts';
import { bucketOf, RUN_BUCKETS, runBucketPartition } from '../../../functions/core/keys.ts';
import { RecordingClient } from './recording-client.ts';

const asClient = (client: RecordingClient) => client as unknown as typeof documentClient;
const contact = (phone: string) => ({
  sk: `CONTACT#${phone}`,
  status: 'COMPLETED',
  attempts: 1,
  timeZone: 'Europe/Warsaw',
});

describe('ReportStore.contactPages', () => {
  it("merges every bucket in phone order, following each bucket's pages to the end", async () => {
    const phones = Array.from({ length: 300 }, (_, index) => `+4860100${String(index).padStart(4, '0')}`);
    const byPartition = new Map<string, string[]>();
    for (const phone of [...phones].sort()) {
      const pk = runBucketPartition('demo', '2026-11-23', bucketOf(phone));
      byPartition.set(pk, [...(byPartition.get(pk) ?? []), phone]);
    }
    // Each bucket answers one contact per page.
    const client = new RecordingClient((command) => {
      const values = command.input.ExpressionAttributeValues as { ':pk': string };
      const bucket = byPartition.get(values[':pk']) ?? [];
      const after = (command.input.ExclusiveStartKey as { sk?: string } | undefined)?.sk;
      const index = after === undefined ? 0 : bucket.indexOf(after.slice('CONTACT#'.length)) + 1;
      const phone = bucket[index];
      if (phone === undefined) return { Items: [] };
      return {
        Items: [contact(phone)],
        ...(index + 1 < bucket.length && { LastEvaluatedKey: { sk: `CONTACT#${phone}` } }),
      };
    });

    const read: string[] = [];
    for await (const page of new ReportStore('table', asClient(client)).contactPages('demo', '2026-11-23')) {
      expect(page.length).toBeLessThanOrEqual(CONTACT_PAGE_ITEMS);
      read.push(...page.map((record) => record.phone));
    }

    expect(read).toEqual([...phones].sort());
    const partitions = new Set(
      client.named('QueryCommand').map((query) => JSON.stringify(query.input.ExpressionAttributeValues)),
    );
    expect(partitions.size).toBe(RUN_BUCKETS);
  });
});
