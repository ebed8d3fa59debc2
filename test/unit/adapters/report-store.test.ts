/** ReportStore pages the export's contacts in bounded pages, following LastEvaluatedKey to the end. */
import { describe, expect, it } from 'vitest';
import type { documentClient } from '../../../functions/adapters/aws-clients.ts';
import { CONTACT_PAGE_ITEMS, ReportStore } from '../../../functions/adapters/report-store.ts';
import { RecordingClient } from './recording-client.ts';

const asClient = (client: RecordingClient) => client as unknown as typeof documentClient;
const contact = (phone: string) => ({ sk: `CONTACT#${phone}`, status: 'COMPLETED', attempts: 1 });

describe('ReportStore.contactPages', () => {
  it('asks for pages of at most CONTACT_PAGE_ITEMS contacts and reads every page', async () => {
    const client = new RecordingClient((command) =>
      command.input.ExclusiveStartKey === undefined
        ? { Items: [contact('+48601000001')], LastEvaluatedKey: { pk: 'p', sk: 'CONTACT#+48601000001' } }
        : { Items: [contact('+48601000002')] },
    );

    const pages = [];
    for await (const page of new ReportStore('table', asClient(client)).contactPages('demo', '2026-11-23')) {
      pages.push(page.map((record) => record.phone));
    }

    expect(pages).toEqual([['+48601000001'], ['+48601000002']]);
    const queries = client.named('QueryCommand');
    expect(queries.map((query) => query.input.Limit)).toEqual([CONTACT_PAGE_ITEMS, CONTACT_PAGE_ITEMS]);
    expect(queries[1]?.input.ExclusiveStartKey).toEqual({ pk: 'p', sk: 'CONTACT#+48601000001' });
  });
});
