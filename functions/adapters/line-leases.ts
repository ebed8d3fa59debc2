/**
 * Lines and the attempts that hold them, in DynamoDB (docs/data-model.md): line shard items
 * (`LINES#<k>` / `LINES`, `inFlight`), one lease item per live call in its shard's partition
 * (`LINES#<k>` / `LEASE#<campaignId>#<date>#<phone>#<attempt>`), the contact, and its bucket's counters.
 *
 * Exactly-once rules it enforces:
 * - an attempt is claimed once (`status = PENDING AND attempts = n` → `DIALING, n + 1`);
 * - a line is taken only below its shard's cap (`inFlight < cap`), and the shard caps add up to the engine's cap;
 * - a line is released once (the lease is deleted with `attribute_exists` in the same transaction that decrements
 *   the shard and the counters and settles the contact).
 * Conflicts and throttling are retried (functions/adapters/contention.ts); a failed condition is an answer.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  contactKey,
  duePartition,
  dueSortKey,
  LEASE_PREFIX,
  leaseKey,
  lineShardKey,
  lineShardPartition,
} from '../core/keys.ts';
import { callerIdCounter } from '../core/policy/caller-id-tiers.ts';
import { ledgerCallId } from '../core/policy/frequency-caps.ts';
import { lineShardCaps, lineShardCount } from '../core/policy/line-shards.ts';
import { REACHED_STATUSES } from '../core/report/summary.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import type {
  AttemptLogEntry,
  AttemptRef,
  ClaimGuards,
  ClaimResult,
  DueContact,
  FinishAttemptInput,
  LeaseRecord,
  LineLeases,
  LineShard,
} from '../use-cases/dialing/ports.ts';
import type { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';
import { retryContention } from './contention.ts';
import { callerUsageClaimItem, ledgerClaimItem, ledgerEventItem } from './person-ledgers.ts';
import { countersUpdate, finishedAfterCounter, outcomeCounter, statusCounter } from './run-counters.ts';
import { cancellationReasons, isConditionFailure } from './transaction-errors.ts';

const LeaseItemSchema = z.object({
  campaignId: z.string(),
  date: z.string(),
  phone: z.string(),
  attempt: z.number().int().positive(),
  line: z.number().int().min(0),
  startedAt: z.string(),
  staleAfter: z.string(),
  connectContactId: z.string().optional(),
});

const ShardItemSchema = z.object({ pk: z.string(), inFlight: z.number().optional() });

export interface LineCaps {
  maxConcurrentCalls: number;
  dialsPerSecond: number;
}

export class DynamoDbLineLeases implements LineLeases {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly retentionDays: number;
  readonly caps: readonly number[];

  constructor(tableName: string, caps: LineCaps, retentionDays: number, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
    this.retentionDays = retentionDays;
    this.caps = lineShardCaps(caps.maxConcurrentCalls, lineShardCount(caps));
  }

  async shards(): Promise<LineShard[]> {
    const items = await batchGetItems(
      this.client,
      this.tableName,
      this.caps.map((_, shard) => lineShardKey(shard)),
      ['inFlight'],
    );
    const inFlight = new Map<string, number>();
    for (const item of items) {
      const parsed = ShardItemSchema.parse(item);
      inFlight.set(parsed.pk, parsed.inFlight ?? 0);
    }
    return this.caps.map((cap, shard) => ({ shard, cap, inFlight: inFlight.get(lineShardPartition(shard)) ?? 0 }));
  }

  async claim(
    contact: DueContact,
    line: LineShard,
    now: Date,
    leaseSeconds: number,
    guards: ClaimGuards = {},
  ): Promise<ClaimResult> {
    const attempt = contact.attempts + 1;
    const { campaignId, date, phone } = contact;
    const entry: AttemptLogEntry = {
      n: attempt,
      at: now.toISOString(),
      line: line.shard,
      ...(guards.callerId !== undefined && { callerId: guards.callerId.number }),
      ...(guards.person !== undefined && { counted: true }),
    };
    const expiresAt = personalDataExpiresAt(date, this.retentionDays);
    // The guards' items come last: their positions in the cancellation reasons say which one changed.
    const guardItems = [
      ...(guards.person === undefined ? [] : [ledgerClaimItem(this.tableName, phone, guards.person, expiresAt)]),
      ...(guards.callerId === undefined ? [] : [callerUsageClaimItem(this.tableName, guards.callerId)]),
    ];
    const personIndex = guards.person === undefined ? -1 : 4;
    const callerIndex = guards.callerId === undefined ? -1 : 4 + guardItems.length - 1;
    return retryContention(
      async ({ clientRequestToken }) => {
        try {
          await this.client.send(
            new TransactWriteCommand({
              ClientRequestToken: clientRequestToken,
              TransactItems: [
                {
                  Update: {
                    TableName: this.tableName,
                    Key: contactKey(campaignId, date, phone),
                    UpdateExpression:
                      'SET #status = :dialing, attempts = :attempt, attemptLog = list_append(if_not_exists(attemptLog, :empty), :entry) ' +
                      'REMOVE gsi1pk, gsi1sk, nextAttemptAt',
                    ConditionExpression: '#status = :pending AND attempts = :previous',
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: {
                      ':dialing': 'DIALING',
                      ':pending': 'PENDING',
                      ':attempt': attempt,
                      ':previous': contact.attempts,
                      ':entry': [entry],
                      ':empty': [],
                    },
                  },
                },
                {
                  Update: {
                    TableName: this.tableName,
                    Key: lineShardKey(line.shard),
                    UpdateExpression: 'ADD inFlight :one',
                    ConditionExpression: 'attribute_not_exists(inFlight) OR inFlight < :cap',
                    ExpressionAttributeValues: { ':one': 1, ':cap': line.cap },
                  },
                },
                {
                  Put: {
                    TableName: this.tableName,
                    Item: {
                      ...leaseKey(line.shard, campaignId, date, phone, attempt),
                      campaignId,
                      date,
                      phone,
                      attempt,
                      line: line.shard,
                      startedAt: now.toISOString(),
                      staleAfter: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
                      expiresAt,
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                countersUpdate(this.tableName, campaignId, date, phone, {
                  [statusCounter('PENDING')]: -1,
                  [statusCounter('DIALING')]: 1,
                  attemptsStarted: 1,
                  inFlight: 1,
                  ...(guards.callerId !== undefined && { [callerIdCounter(guards.callerId.number)]: 1 }),
                }),
                ...guardItems,
              ],
            }),
          );
          return 'CLAIMED' as const;
        } catch (error) {
          const reasons = cancellationReasons(error);
          if (reasons[1] === 'ConditionalCheckFailed') return 'SHARD_FULL' as const;
          if (reasons[0] === 'ConditionalCheckFailed' || reasons[2] === 'ConditionalCheckFailed')
            return 'CONTACT_TAKEN' as const;
          if (personIndex >= 0 && reasons[personIndex] === 'ConditionalCheckFailed') return 'PERSON_CHANGED' as const;
          if (callerIndex >= 0 && reasons[callerIndex] === 'ConditionalCheckFailed')
            return 'CALLER_ID_CHANGED' as const;
          throw error;
        }
      },
      { what: 'claim' },
    );
  }

  async finish(input: FinishAttemptInput): Promise<boolean> {
    const { ref, outcome, next } = input;
    const { logIndex } = input;
    const newStatus = next.kind === 'RETRY' ? 'PENDING' : next.status;
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':dialing': 'DIALING', ':attempt': ref.attempt, ':status': newStatus };
    const sets = ['#status = :status'];
    const removes: string[] = [];
    if (input.undoAttempt) {
      sets.push('attempts = :previous');
      values[':previous'] = ref.attempt - 1;
      if (logIndex >= 0) removes.push(`attemptLog[${logIndex}]`);
    } else {
      sets.push('outcome = :outcome');
      values[':outcome'] = outcome;
      if (logIndex >= 0) {
        sets.push(`attemptLog[${logIndex}].outcome = :outcome`, `attemptLog[${logIndex}].endedAt = :endedAt`);
        values[':endedAt'] = input.endedAt.toISOString();
        if (input.talkSeconds !== undefined) {
          sets.push(`attemptLog[${logIndex}].talkSeconds = :talk`);
          values[':talk'] = input.talkSeconds;
        }
      }
    }
    if (input.failureReason !== undefined) {
      sets.push('failureReason = :failureReason');
      values[':failureReason'] = input.failureReason;
    }
    if (next.kind === 'RETRY') {
      sets.push('nextAttemptAt = :next', 'gsi1pk = :duePk', 'gsi1sk = :dueSk');
      values[':next'] = next.at.toISOString();
      values[':duePk'] = duePartition(ref.campaignId, ref.date);
      values[':dueSk'] = dueSortKey(next.at, ref.phone);
    }
    const counters: Record<string, number> = {
      inFlight: -1,
      [statusCounter('DIALING')]: -1,
      [statusCounter(newStatus)]: 1,
    };
    if (next.kind === 'FINAL') {
      const finishedAfter = finishedAfterCounter(input.undoAttempt ? ref.attempt - 1 : ref.attempt);
      counters[finishedAfter] = 1;
    }
    if (input.undoAttempt) {
      counters.attemptsStarted = -1;
    } else {
      counters[outcomeCounter(outcome)] = 1;
      counters.attemptsEnded = 1;
      if (input.firstReach) counters.contactsReached = 1;
      if (input.talkSeconds !== undefined && input.talkSeconds > 0) {
        counters.talkSeconds = input.talkSeconds;
        counters.answeredCalls = 1;
      }
      if (input.lineSeconds !== undefined) {
        counters.lineSeconds = input.lineSeconds;
        counters.lineAttempts = 1;
      }
    }
    return retryContention(
      async ({ clientRequestToken }) => {
        try {
          await this.client.send(
            new TransactWriteCommand({
              ClientRequestToken: clientRequestToken,
              TransactItems: [
                {
                  Delete: {
                    TableName: this.tableName,
                    Key: leaseKey(input.line, ref.campaignId, ref.date, ref.phone, ref.attempt),
                    ConditionExpression: 'attribute_exists(pk)',
                  },
                },
                {
                  Update: {
                    TableName: this.tableName,
                    Key: lineShardKey(input.line),
                    UpdateExpression: 'ADD inFlight :minusOne',
                    ExpressionAttributeValues: { ':minusOne': -1 },
                  },
                },
                {
                  Update: {
                    TableName: this.tableName,
                    Key: contactKey(ref.campaignId, ref.date, ref.phone),
                    UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
                    ConditionExpression: '#status = :dialing AND attempts = :attempt',
                    ExpressionAttributeNames: names,
                    ExpressionAttributeValues: values,
                  },
                },
                countersUpdate(this.tableName, ref.campaignId, ref.date, ref.phone, counters),
                ...(input.counted
                  ? [
                      ledgerEventItem(
                        this.tableName,
                        ref.phone,
                        {
                          id: ledgerCallId(ref.campaignId, ref.date, ref.attempt),
                          ...(input.undoAttempt ? { undone: true } : { answered: isAnswered(outcome) }),
                        },
                        personalDataExpiresAt(ref.date, this.retentionDays),
                      ),
                    ]
                  : []),
              ],
            }),
          );
          return true;
        } catch (error) {
          const reasons = cancellationReasons(error);
          if (reasons[0] === 'ConditionalCheckFailed') return false;
          if (reasons[2] === 'ConditionalCheckFailed') {
            throw new LeaseWithoutAttemptError(ref, input.line);
          }
          throw error;
        }
      },
      { what: 'finish attempt' },
    );
  }

  async noteContactId(ref: AttemptRef, line: number, connectContactId: string, staleAfter?: Date): Promise<void> {
    await retryContention(
      () =>
        this.client
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: leaseKey(line, ref.campaignId, ref.date, ref.phone, ref.attempt),
              UpdateExpression: `SET connectContactId = :id${staleAfter === undefined ? '' : ', staleAfter = :stale'}`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':id': connectContactId,
                ...(staleAfter !== undefined && { ':stale': staleAfter.toISOString() }),
              },
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => {
              if (!isConditionFailure(error)) throw error;
            },
          ),
      { what: 'note ContactId on lease' },
    );
  }

  async leasesToReconcile(at: { staleAt: Date; unrecordedAt: Date }): Promise<LeaseRecord[]> {
    const leases: LeaseRecord[] = [];
    await Promise.all(
      this.caps.map(async (_, shard) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              FilterExpression:
                'staleAfter < :stale OR (startedAt < :unrecorded AND attribute_not_exists(connectContactId))',
              ExpressionAttributeValues: {
                ':pk': lineShardPartition(shard),
                ':prefix': LEASE_PREFIX,
                ':stale': at.staleAt.toISOString(),
                ':unrecorded': at.unrecordedAt.toISOString(),
              },
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) leases.push(LeaseItemSchema.parse(item));
          startKey = page.LastEvaluatedKey;
        } while (startKey !== undefined);
      }),
    );
    return leases;
  }

  /** One lease, if it is still held (tests and reconciliation). */
  async lease(ref: AttemptRef, line: number): Promise<LeaseRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: leaseKey(line, ref.campaignId, ref.date, ref.phone, ref.attempt),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : LeaseItemSchema.parse(Item);
  }
}

/** A person picked up (the outcomes that count as reached in reports). */
const isAnswered = (outcome: string): boolean => (REACHED_STATUSES as readonly string[]).includes(outcome);

/** A lease whose contact is not DIALING at its attempt: the ledger disagrees with itself (never expected). */
export class LeaseWithoutAttemptError extends Error {
  constructor(ref: AttemptRef, line: number) {
    super(
      `lease of ${ref.campaignId}/${ref.date} attempt ${ref.attempt} on line shard ${line} has no DIALING contact at that attempt`,
    );
    this.name = 'LeaseWithoutAttemptError';
  }
}
