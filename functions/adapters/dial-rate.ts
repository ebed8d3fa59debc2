/**
 * The engine's shared dial-rate bucket (`PACING` / `DIAL_RATE`): the StartOutboundVoiceContact tokens every
 * dispatcher takes from, and the adaptive (AIMD) rate. Updated optimistically (`version`), once per tick per
 * running campaign, so it is never a hot item; a tick's taking is written in the same transaction as the run's
 * note of it, so the same tick run again does not take its tokens twice.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { dialRateKey, runKey } from '../core/keys.ts';
import type { DialRateBucket, DialRateState, StoredDialRate, TickReservation } from '../use-cases/dialing/ports.ts';
import type { documentClient } from './aws-clients.ts';
import { retryContention } from './contention.ts';
import { cancellationReasons, isConditionFailure } from './transaction-errors.ts';

const DialRateItemSchema = z.object({
  tokens: z.number(),
  at: z.string(),
  rate: z.number().positive().optional(),
  version: z.number().int().min(0).default(0),
});

export class DialRateStore implements DialRateBucket {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  /** The bucket with its version for an optimistic update; undefined before the first tick ever. */
  async get(): Promise<StoredDialRate | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dialRateKey, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : DialRateItemSchema.parse(Item);
  }

  /**
   * Writes the bucket if nobody else did since `version`, and notes the tick's reservation on its run, in one
   * transaction. False means someone else wrote the bucket first: read it again and retry.
   */
  async reserve(
    state: DialRateState,
    version: number,
    run: { campaignId: string; date: string; reservation: TickReservation },
  ): Promise<boolean> {
    const written = await this.writeWithRun(
      state,
      version,
      {
        key: runKey(run.campaignId, run.date),
        update: 'SET tickReservation = :reservation',
        condition: 'attribute_exists(pk)',
        values: { ':reservation': run.reservation },
      },
      'reserve dial-rate tokens',
    );
    if (written === 'RUN_REFUSED') throw new Error(`run ${run.campaignId}/${run.date} does not exist`);
    return written === 'WRITTEN';
  }

  /** Returns a tick's unused tokens and closes its reservation on the run, in one transaction. */
  async giveBack(
    state: DialRateState,
    version: number,
    run: { campaignId: string; date: string; tick: string },
  ): Promise<boolean | 'STALE'> {
    const written = await this.writeWithRun(
      state,
      version,
      {
        key: runKey(run.campaignId, run.date),
        update: 'SET tickReservation.closed = :closed',
        condition: 'tickReservation.tick = :tick',
        values: { ':closed': true, ':tick': run.tick },
      },
      'give back dial-rate tokens',
    );
    return written === 'RUN_REFUSED' ? 'STALE' : written === 'WRITTEN';
  }

  /** The bucket (condition: `version` unchanged) and an update of its run, in one transaction. */
  private async writeWithRun(
    state: DialRateState,
    version: number,
    run: { key: Record<string, string>; update: string; condition: string; values: Record<string, unknown> },
    what: string,
  ): Promise<'WRITTEN' | 'BUCKET_CHANGED' | 'RUN_REFUSED'> {
    return retryContention(
      async ({ clientRequestToken }) => {
        try {
          await this.client.send(
            new TransactWriteCommand({
              ClientRequestToken: clientRequestToken,
              TransactItems: [
                {
                  Put: {
                    TableName: this.tableName,
                    Item: { ...dialRateKey, ...state, version: version + 1 },
                    ConditionExpression: 'attribute_not_exists(pk) OR version = :version',
                    ExpressionAttributeValues: { ':version': version },
                  },
                },
                {
                  Update: {
                    TableName: this.tableName,
                    Key: run.key,
                    UpdateExpression: run.update,
                    ConditionExpression: run.condition,
                    ExpressionAttributeValues: run.values,
                  },
                },
              ],
            }),
          );
          return 'WRITTEN';
        } catch (error) {
          const [bucket, onRun] = cancellationReasons(error);
          if (onRun === 'ConditionalCheckFailed') return 'RUN_REFUSED';
          if (bucket === 'ConditionalCheckFailed') return 'BUCKET_CHANGED';
          throw error;
        }
      },
      { what },
    );
  }

  /** Writes the bucket if nobody else did since `version` (rate changes, returned tokens); false means retry. */
  async put(state: DialRateState, version: number): Promise<boolean> {
    return retryContention(
      async () => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...dialRateKey, ...state, version: version + 1 },
              ConditionExpression: 'attribute_not_exists(pk) OR version = :version',
              ExpressionAttributeValues: { ':version': version },
            }),
          );
          return true;
        } catch (error) {
          if (isConditionFailure(error)) return false;
          throw error;
        }
      },
      { what: 'update dial rate' },
    );
  }
}
