/**
 * The run item (`RUN#<campaignId>#<date>` / `RUN`): status, generation, the last tick's pacing figures and the
 * dispatcher's reservation of dial-rate tokens, and the `ACTIVE_RUNS` items that share lines between campaigns.
 * Written by the run's own steps a few times a tick at most; the run's counters live in its bucket items
 * (functions/adapters/run-counters.ts) and its contacts in functions/adapters/contacts.ts.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ACTIVE_RUNS_PARTITION, activeRunKey, runKey } from '../core/keys.ts';
import type { RunState, RunStatus, Runs, TickRecord } from '../use-cases/dialing/ports.ts';
import { documentClient as defaultDocumentClient, type documentClient } from './aws-clients.ts';
import { retryContention } from './contention.ts';
import { RunCounters } from './run-counters.ts';
import { cancellationReasons, isConditionFailure } from './transaction-errors.ts';

export const RunStatusSchema = z.enum(['RUNNING', 'PAUSED', 'STOPPING', 'FINISHED', 'FAILED']);

const RunFailureSchema = z.object({ error: z.string(), cause: z.string(), at: z.string() });
export type RunFailure = z.infer<typeof RunFailureSchema>;

const TickReservationSchema = z.object({
  tick: z.string(),
  tokens: z.number().int().min(0),
  startedBefore: z.number().int(),
  closed: z.boolean().optional(),
});

const RunItemSchema = z.object({
  status: RunStatusSchema,
  generation: z.number().int().min(0).default(0),
  campaignVersion: z.number().int().min(0).default(0),
  startedAt: z.string().default(''),
  finishedAt: z.string().optional(),
  lastTick: z.string().optional(),
  lastTickAt: z.string().optional(),
  dialRate: z.number().optional(),
  throttles: z.number().default(0),
  dialErrors: z.number().default(0),
  consecutiveDialErrors: z.number().int().default(0),
  consecutiveThrottledTicks: z.number().int().default(0),
  failure: RunFailureSchema.optional(),
  tickReservation: TickReservationSchema.optional(),
});

export interface RunRecord extends z.infer<typeof RunItemSchema>, RunState {
  /** Live calls of this run (the sum of its buckets' `inFlight`). */
  inFlight: number;
  /** Every counter of the run, summed over its buckets (functions/adapters/run-counters.ts). */
  counters: Record<string, number>;
}

const ActiveRunItemSchema = z.object({
  sk: z.string(),
  weight: z.number().positive().default(1),
  due: z.number().min(0).default(0),
  inFlight: z.number().min(0).default(0),
});

export class RunStore implements Runs {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly counters: RunCounters;

  constructor(tableName: string, counters: RunCounters, client: typeof documentClient) {
    this.tableName = tableName;
    this.counters = counters;
    this.client = client;
  }

  /** The run item and its counters (two reads in parallel), or undefined when the run was never opened. */
  async getRun(campaignId: string, date: string): Promise<RunRecord | undefined> {
    const [{ Item }, counters] = await Promise.all([
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: runKey(campaignId, date), ConsistentRead: true }),
      ),
      this.counters.totals(campaignId, date),
    ]);
    if (Item === undefined || Item.status === undefined) return undefined;
    const item = RunItemSchema.parse(Item);
    return { ...item, campaignId, date, inFlight: Math.max(0, counters.inFlight ?? 0), counters };
  }

  /**
   * Opens (or reopens) a run for a new execution generation. A finished run is reopened only by
   * an explicit start; the generation guards against two executions driving the same run.
   */
  async openRun(input: {
    campaignId: string;
    date: string;
    generation: number;
    campaignVersion: number;
    weight: number;
  }) {
    const now = new Date().toISOString();
    await retryContention(
      ({ clientRequestToken }) =>
        this.client.send(
          new TransactWriteCommand({
            ClientRequestToken: clientRequestToken,
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: runKey(input.campaignId, input.date),
                  UpdateExpression:
                    'SET #status = :running, generation = :generation, campaignVersion = :version, ' +
                    'startedAt = if_not_exists(startedAt, :now), consecutiveDialErrors = :zero ' +
                    'REMOVE finishedAt, failure, tickReservation',
                  ConditionExpression: 'attribute_not_exists(generation) OR generation <= :generation',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':running': 'RUNNING',
                    ':generation': input.generation,
                    ':version': input.campaignVersion,
                    ':now': now,
                    ':zero': 0,
                  },
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...activeRunKey(input.campaignId, input.date), weight: input.weight, since: now },
                },
              },
            ],
          }),
        ),
      { what: 'open run' },
    );
  }

  /** Changes a run's status if it is in one of `from`; returns false otherwise. */
  async transition(campaignId: string, date: string, from: RunStatus[], to: RunStatus): Promise<boolean> {
    const values: Record<string, string> = { ':to': to };
    from.forEach((status, index) => {
      values[`:from${index}`] = status;
    });
    try {
      await retryContention(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: runKey(campaignId, date),
            UpdateExpression: 'SET #status = :to',
            ConditionExpression: `#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Closes a run: FINISHED by Finalize, or FAILED with the failure its execution ended with.
   * Returns false when there is no run to close: none was opened, or (a failure) it is no longer in progress.
   */
  async closeRun(
    campaignId: string,
    date: string,
    status: 'FINISHED' | 'FAILED',
    failure?: Omit<RunFailure, 'at'>,
    /** Close only while the run is still driven by this generation (not by one started since). */
    generation?: number,
  ): Promise<boolean> {
    const now = new Date().toISOString();
    try {
      await retryContention(({ clientRequestToken }) =>
        this.client.send(
          new TransactWriteCommand({
            ClientRequestToken: clientRequestToken,
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: runKey(campaignId, date),
                  UpdateExpression: `SET #status = :status, finishedAt = :now${failure ? ', failure = :failure' : ''}`,
                  // A failure closes only a run still in progress (never a FINISHED one, e.g. when its summary's publish fails).
                  ConditionExpression: failure
                    ? `#status IN (:running, :paused, :stopping)${generation === undefined ? '' : ' AND generation = :generation'}`
                    : 'attribute_exists(#status)',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':status': status,
                    ':now': now,
                    ...(failure && {
                      ':failure': { ...failure, at: now },
                      ':running': 'RUNNING',
                      ':paused': 'PAUSED',
                      ':stopping': 'STOPPING',
                      ...(generation !== undefined && { ':generation': generation }),
                    }),
                  },
                },
              },
              { Delete: { TableName: this.tableName, Key: activeRunKey(campaignId, date) } },
            ],
          }),
        ),
      );
      return true;
    } catch (error) {
      if (cancellationReasons(error)[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /**
   * Records what a tick did: dial rate, throttles, errors. `consecutiveDialErrors` and
   * `consecutiveThrottledTicks` count ticks in a row (one per tick however many dials failed in it),
   * reset by a clean tick; `throttles` and `dialErrors` count every refused dial. A tick recorded once is not
   * counted again when the state machine runs it a second time (`lastTick` names it).
   */
  async recordTick(campaignId: string, date: string, tick: TickRecord): Promise<void> {
    await retryContention(
      () =>
        this.client
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: runKey(campaignId, date),
              UpdateExpression:
                'SET lastTick = :tick, lastTickAt = :now, dialRate = :rate, consecutiveDialErrors = ' +
                (tick.dialErrors > 0 ? 'if_not_exists(consecutiveDialErrors, :zero) + :oneTick' : ':zero') +
                ', consecutiveThrottledTicks = ' +
                (tick.throttles > 0 ? 'if_not_exists(consecutiveThrottledTicks, :zero) + :oneTick' : ':zero') +
                ' ADD throttles :throttles, dialErrors :errors',
              ConditionExpression: 'attribute_not_exists(lastTick) OR lastTick <> :tick',
              ExpressionAttributeValues: {
                ':tick': tick.key,
                ':now': tick.at.toISOString(),
                ':rate': tick.dialRate,
                ':throttles': tick.throttles,
                ':errors': tick.dialErrors,
                ':zero': 0,
                ...((tick.throttles > 0 || tick.dialErrors > 0) && { ':oneTick': 1 }),
              },
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => {
              if (!isConditionFailure(error)) throw error;
            },
          ),
      { what: 'record tick' },
    );
    await retryContention(
      () =>
        this.client
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: activeRunKey(campaignId, date),
              UpdateExpression: 'SET due = :due, inFlight = :inFlight',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':due': tick.due, ':inFlight': tick.inFlight },
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => {
              if (!isConditionFailure(error)) throw error;
            },
          ),
      { what: 'record active run' },
    );
  }

  /** Runs dialing now, with their weights, waiting contacts and calls, for fair shares between campaigns. */
  async activeRuns(): Promise<
    Array<{ campaignId: string; date: string; weight: number; due: number; inFlight: number }>
  > {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ACTIVE_RUNS_PARTITION },
      }),
    );
    return Items.map((raw) => {
      const item = ActiveRunItemSchema.parse(raw);
      const [campaignId = '', date = ''] = item.sk.split('#');
      return { campaignId, date, weight: item.weight, due: item.due, inFlight: item.inFlight };
    });
  }
}

export type { RunStatus };

/** The run store of `tableName` with its counters, on the process's DynamoDB client. */
export function runStoreFor(tableName: string, client: typeof documentClient = defaultDocumentClient): RunStore {
  return new RunStore(tableName, new RunCounters(tableName, client), client);
}
