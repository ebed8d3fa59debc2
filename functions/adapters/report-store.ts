/**
 * What reports read from DynamoDB: a run's counters (its run item and its bucket counters: a handful of reads,
 * whatever the list size), the follow-up results of a run, and the run's contacts page by page for the export.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CONTACT_PREFIX, FOLLOW_UP_PREFIX, RUN_BUCKET_NUMBERS, runBucketPartition, runKey } from '../core/keys.ts';
import type { ContactRecord } from '../use-cases/dialing/ports.ts';
import type { ReportReader, RunCountersRecord } from '../use-cases/reports/ports.ts';
import { documentClient } from './aws-clients.ts';
import { ContactItemSchema } from './contacts.ts';
import { mergeSorted, queryItems } from './query-pages.ts';
import { RunCounters } from './run-counters.ts';

/**
 * Contacts per export page. The same read costs as 1 MB pages in DynamoDB (billed by size), a page
 * stays small in memory, and DynamoDB Local, which reads a partition from the page's start key to
 * its end for a query without a limit, reads a 1,000,000-contact run in linear instead of
 * quadratic time (1,300 → 16,000 contacts/s at 300,000 contacts).
 */
export const CONTACT_PAGE_ITEMS = 2_000;
/** Contacts read per query of one bucket: the export reads every bucket at once and merges them by phone. */
const BUCKET_PAGE_ITEMS = Math.ceil((2 * CONTACT_PAGE_ITEMS) / RUN_BUCKET_NUMBERS.length);

/** Numeric run-item attributes that are state, not counters. */
const NOT_COUNTERS = new Set([
  'generation',
  'campaignVersion',
  'inFlight',
  'dialRate',
  'consecutiveDialErrors',
  'consecutiveThrottledTicks',
]);

function toRecord(
  date: string,
  item: Record<string, unknown> | undefined,
  totals: Record<string, number>,
): RunCountersRecord | undefined {
  if (item === undefined && Object.keys(totals).length === 0) return undefined;
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(item ?? {})) {
    if (typeof value === 'number' && !NOT_COUNTERS.has(name) && name !== 'expiresAt') counters[name] = value;
  }
  Object.assign(counters, totals);
  return {
    date,
    status: String(item?.status ?? ''),
    startedAt: item?.startedAt as string | undefined,
    finishedAt: item?.finishedAt as string | undefined,
    campaignVersion: item?.campaignVersion as number | undefined,
    counters,
  };
}

export class ReportStore implements ReportReader {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly counters: RunCounters;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
    this.counters = new RunCounters(tableName, client);
  }

  /** The run's counters, or undefined when nothing of the run exists (no run item, no contact). */
  async runCounters(campaignId: string, date: string): Promise<RunCountersRecord | undefined> {
    const [{ Item }, totals] = await Promise.all([
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: runKey(campaignId, date), ConsistentRead: true }),
      ),
      this.counters.totals(campaignId, date, { usage: true }),
    ]);
    return toRecord(date, Item, totals);
  }

  /** Counters of the runs that exist among `dates` (the range is bounded: 92 days at most). */
  async runsCounters(campaignId: string, dates: readonly string[]): Promise<RunCountersRecord[]> {
    const runs = await Promise.all(dates.map((date) => this.runCounters(campaignId, date)));
    return runs.filter((run): run is RunCountersRecord => run !== undefined);
  }

  /**
   * The run's follow-ups in phone order (the same order as its contacts: both are merged from the run's buckets
   * by phone), so an export can merge them in without holding them in memory.
   */
  async *followUpsInPhoneOrder(campaignId: string, date: string): AsyncGenerator<{ phone: string; text: string }> {
    const buckets = RUN_BUCKET_NUMBERS.map((bucket) =>
      queryItems(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': runBucketPartition(campaignId, date, bucket), ':prefix': FOLLOW_UP_PREFIX },
        ProjectionExpression: 'sk, phone, ruleId, #status',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    for await (const item of mergeSorted(buckets, (entry) => String(entry.sk))) {
      yield { phone: String(item.phone), text: `${String(item.ruleId)}:${String(item.status)}` };
    }
  }

  /**
   * The run's contacts in phone order, one page at a time (at most {@link CONTACT_PAGE_ITEMS} contacts), so an
   * export holds about two pages in memory.
   */
  async *contactPages(campaignId: string, date: string): AsyncGenerator<ContactRecord[]> {
    const buckets = RUN_BUCKET_NUMBERS.map((bucket) =>
      queryItems(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': runBucketPartition(campaignId, date, bucket), ':prefix': CONTACT_PREFIX },
        Limit: BUCKET_PAGE_ITEMS,
      }),
    );
    let page: ContactRecord[] = [];
    for await (const item of mergeSorted(buckets, (entry) => String(entry.sk))) {
      const { sk, ...contact } = ContactItemSchema.parse(item);
      page.push({ campaignId, date, phone: sk.slice(CONTACT_PREFIX.length), ...contact });
      if (page.length >= CONTACT_PAGE_ITEMS) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
}
