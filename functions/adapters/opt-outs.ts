/**
 * Opt-outs and the dial-time do-not-call check. A callee who presses the opt-out key is put on the
 * engine-wide do-not-call list (`DNC` / `<E.164>`, the item shape {@link DoNotCallStore} shares with
 * list uploads) and their contacts waiting in every running campaign are finished as SUPPRESSED;
 * the dispatcher looks the number up once more right before it claims an attempt, which also
 * catches runs that were not running at the time of the opt-out.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { contactKey, doNotCallKey } from '../core/keys.ts';
import { documentClient } from './aws-clients.ts';
import { DoNotCallStore } from './do-not-call-store.ts';
import { type RunStore, runStoreFor } from './run-store.ts';

export class OptOuts {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly doNotCall: DoNotCallStore;
  private readonly runs: RunStore;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
    this.doNotCall = new DoNotCallStore(tableName, client);
    this.runs = runStoreFor(tableName, client);
  }

  /** Whether the number is on the do-not-call list (one strongly consistent GetItem). */
  async isListed(phone: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: doNotCallKey(phone),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  /**
   * Lists the number as opted out and suppresses its waiting contacts in every active run (found
   * through the ACTIVE_RUNS items and one GetItem per run). Safe to repeat.
   * @returns How many waiting contacts were suppressed.
   */
  async optOut(phone: string, at: Date): Promise<number> {
    const active = await this.runs.activeRuns();
    const waiting = await Promise.all(
      active.map(async (run) => {
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: contactKey(run.campaignId, run.date, phone),
            ProjectionExpression: '#status',
            ExpressionAttributeNames: { '#status': 'status' },
            ConsistentRead: true,
          }),
        );
        return Item?.status === 'PENDING' ? [{ campaignId: run.campaignId, date: run.date }] : [];
      }),
    );
    return this.doNotCall.optOut(phone, waiting.flat(), at);
  }
}
