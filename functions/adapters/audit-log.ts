/**
 * The audit log in DynamoDB: `AUDIT#<YYYY-MM-DD>` / `<at>#<id>`, one partition per UTC day (operators act a few
 * times a minute at most), each entry written once (`attribute_not_exists`) and expiring after the configured
 * retention (`expiresAt`). The functions that write it may only put such items (serverless.yml: PutItem on leading
 * keys `AUDIT#*`), and none may update or delete them.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEntry, AuditEntrySchema } from '../core/audit.ts';
import { auditKey, auditPartition } from '../core/keys.ts';
import type { documentClient } from './aws-clients.ts';
import { retryContention } from './contention.ts';
import { queryPages } from './query-pages.ts';

export interface AuditQuery {
  /** First and last UTC day (`YYYY-MM-DD`), inclusive. */
  from: string;
  to: string;
  campaignId?: string;
  action?: string;
  limit: number;
}

const DAY_MS = 86_400_000;

export class AuditLog {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

  constructor(tableName: string, retentionDays: number, client: typeof documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  /** Appends one entry (validated: bounded, no unknown fields). */
  async append(entry: AuditEntry): Promise<void> {
    const parsed = AuditEntrySchema.parse(entry);
    const at = new Date(parsed.at);
    await retryContention(
      () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...auditKey(at, parsed.id),
              ...parsed,
              expiresAt: Math.floor(at.getTime() / 1000) + this.retentionDays * 86_400,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      { what: 'audit entry' },
    );
  }

  /** Entries of the days from `to` back to `from`, newest first, filtered, at most `limit`. */
  async list(query: AuditQuery): Promise<{ entries: AuditEntry[]; truncated: boolean }> {
    const entries: AuditEntry[] = [];
    const first = Date.parse(`${query.from}T00:00:00Z`);
    for (let day = Date.parse(`${query.to}T00:00:00Z`); day >= first; day -= DAY_MS) {
      const pages = queryPages(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': auditPartition(new Date(day).toISOString().slice(0, 10)) },
        ScanIndexForward: false,
      });
      for await (const items of pages) {
        for (const item of items) {
          const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...stored } = item;
          const entry = AuditEntrySchema.parse(stored);
          if (query.campaignId !== undefined && entry.target.campaignId !== query.campaignId) continue;
          if (query.action !== undefined && entry.action !== query.action) continue;
          if (entries.length >= query.limit) return { entries, truncated: true };
          entries.push(entry);
        }
      }
    }
    return { entries, truncated: false };
  }
}
