/**
 * Runs, contacts and leases in DynamoDB: the storage side of dialing. No policy here; callers
 * decide, this module makes each decision atomic.
 *
 * Exactly-once rules it enforces:
 * - a contact attempt is claimed once (`status = PENDING AND attempts = n` → `DIALING, n + 1`);
 * - a line is taken only below the cap (capacity counter conditional on `inFlight < cap`);
 * - a line is released once (the lease item is deleted with `attribute_exists` in the same
 *   transaction that decrements the counters and settles the contact).
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AttemptOutcome } from '../core/campaign.ts';
import {
  activeRunKey,
  CONTACT_PREFIX,
  callKey,
  capacityKey,
  contactKey,
  dialRateKey,
  duePartition,
  dueSortKey,
  leaseKey,
  runKey,
} from '../core/keys.ts';
import { documentClient } from './aws-clients.ts';
import { queryAll } from './query-pages.ts';
import { cancellationReasons, isConditionFailure } from './transaction-errors.ts';

export type RunStatus = 'RUNNING' | 'PAUSED' | 'STOPPING' | 'FINISHED' | 'FAILED';

export interface RunRecord {
  campaignId: string;
  date: string;
  status: RunStatus;
  generation: number;
  campaignVersion: number;
  inFlight: number;
  startedAt: string;
  finishedAt?: string;
  lastTickAt?: string;
  dialRate?: number;
  throttles: number;
  dialErrors: number;
  consecutiveDialErrors: number;
  /** Ticks in a row that Connect throttled (reset by a clean tick): sustained throttling raises an alert. */
  consecutiveThrottledTicks: number;
  /** Contacts by status (`n_<status>`), attempts by outcome (`o_<outcome>`) and `attemptsStarted`. */
  counters: Record<string, number>;
  /** Why the run's execution failed (status FAILED): the error's name and its cause. */
  failure?: RunFailure;
}

export interface RunFailure {
  error: string;
  cause: string;
  at: string;
}

export interface AttemptLogEntry {
  n: number;
  at: string;
  connectContactId?: string;
  outcome?: AttemptOutcome;
  endedAt?: string;
  talkSeconds?: number;
}

export interface ContactRecord {
  campaignId: string;
  date: string;
  phone: string;
  status: string;
  attempts: number;
  attemptLog: AttemptLogEntry[];
  timeZone: string;
  name?: string;
  externalId?: string;
  language?: string;
  attributes: Record<string, string>;
  nextAttemptAt?: string;
  outcome?: AttemptOutcome;
  answers: Record<string, string>;
  /** The contact flow's progress (written by record-answer); `attempt` says which call it describes. */
  flow?: { attempt?: number; questionsAnswered: number; completed: boolean; optedOut: boolean; transferred?: boolean };
}

/** The attempt a lease and a call belong to. */
export interface AttemptRef {
  campaignId: string;
  date: string;
  phone: string;
  attempt: number;
}

/** A waiting contact as the due index shows it: enough to dial it. */
export type DueContact = Pick<
  ContactRecord,
  'campaignId' | 'date' | 'phone' | 'status' | 'attempts' | 'timeZone' | 'name' | 'language'
>;

export type ClaimResult = 'CLAIMED' | 'CONTACT_TAKEN' | 'AT_CAPACITY';

/** Run counters live as top-level attributes `n_<STATUS>` and `o_<OUTCOME>` so ADD can create them. */
export const statusCounter = (status: string): string => `n_${status}`;
export const outcomeCounter = (outcome: string): string => `o_${outcome}`;
/** Contacts that reached a final status after `attempts` attempts (the report's attempts distribution). */
export const finishedAfterCounter = (attempts: number): string => `t_${attempts}`;

export class RunStore {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  async getRun(campaignId: string, date: string): Promise<RunRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runKey(campaignId, date), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const counters: Record<string, number> = {};
    for (const [name, value] of Object.entries(Item)) {
      if ((name.startsWith('n_') || name.startsWith('o_') || name === 'attemptsStarted') && typeof value === 'number')
        counters[name] = value;
    }
    return {
      campaignId,
      date,
      status: Item.status as RunStatus,
      generation: Number(Item.generation ?? 0),
      campaignVersion: Number(Item.campaignVersion ?? 0),
      inFlight: Number(Item.inFlight ?? 0),
      startedAt: String(Item.startedAt ?? ''),
      finishedAt: Item.finishedAt as string | undefined,
      lastTickAt: Item.lastTickAt as string | undefined,
      dialRate: Item.dialRate as number | undefined,
      throttles: Number(Item.throttles ?? 0),
      dialErrors: Number(Item.dialErrors ?? 0),
      consecutiveDialErrors: Number(Item.consecutiveDialErrors ?? 0),
      consecutiveThrottledTicks: Number(Item.consecutiveThrottledTicks ?? 0),
      counters,
      ...(Item.failure !== undefined && { failure: Item.failure as RunFailure }),
    };
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
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: runKey(input.campaignId, input.date),
              UpdateExpression:
                'SET #status = :running, generation = :generation, campaignVersion = :version, ' +
                'startedAt = if_not_exists(startedAt, :now), inFlight = if_not_exists(inFlight, :zero), ' +
                'consecutiveDialErrors = :zero REMOVE finishedAt, failure',
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
    );
  }

  /** Changes a run's status if it is in one of `from`; returns false otherwise. */
  async transition(campaignId: string, date: string, from: RunStatus[], to: RunStatus): Promise<boolean> {
    const values: Record<string, string> = { ':to': to };
    from.forEach((status, index) => {
      values[`:from${index}`] = status;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(campaignId, date),
          UpdateExpression: 'SET #status = :to',
          ConditionExpression: `#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
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
      await this.client.send(
        new TransactWriteCommand({
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
   * reset by a clean tick; `throttles` and `dialErrors` count every refused dial.
   */
  async recordTick(
    campaignId: string,
    date: string,
    tick: { dialRate: number; throttles: number; dialErrors: number; due: number; inFlight: number },
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(campaignId, date),
        UpdateExpression:
          'SET lastTickAt = :now, dialRate = :rate, consecutiveDialErrors = ' +
          (tick.dialErrors > 0 ? 'if_not_exists(consecutiveDialErrors, :zero) + :oneTick' : ':zero') +
          ', consecutiveThrottledTicks = ' +
          (tick.throttles > 0 ? 'if_not_exists(consecutiveThrottledTicks, :zero) + :oneTick' : ':zero') +
          ' ADD throttles :throttles, dialErrors :errors',
        ExpressionAttributeValues: {
          ':now': new Date().toISOString(),
          ':rate': tick.dialRate,
          ':throttles': tick.throttles,
          ':errors': tick.dialErrors,
          ':zero': 0,
          ...((tick.throttles > 0 || tick.dialErrors > 0) && { ':oneTick': 1 }),
        },
      }),
    );
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: activeRunKey(campaignId, date),
          UpdateExpression: 'SET due = :due, inFlight = :inFlight',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':due': tick.due, ':inFlight': tick.inFlight },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async activeRuns(): Promise<
    Array<{ campaignId: string; date: string; weight: number; due: number; inFlight: number }>
  > {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ACTIVE_RUNS' },
      }),
    );
    return Items.map((item) => {
      const [campaignId = '', date = ''] = String(item.sk).split('#');
      return {
        campaignId,
        date,
        weight: Number(item.weight ?? 1),
        due: Number(item.due ?? 0),
        inFlight: Number(item.inFlight ?? 0),
      };
    });
  }

  /**
   * Contacts due at or before `now`, earliest first, as the due index carries them (eventually
   * consistent: the claim's condition catches a contact that changed since).
   */
  async dueContacts(campaignId: string, date: string, now: Date, limit: number): Promise<DueContact[]> {
    const due: DueContact[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
          ExpressionAttributeValues: { ':pk': duePartition(campaignId, date), ':now': `${now.toISOString()}#~` },
          Limit: limit - due.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        due.push({
          campaignId,
          date,
          phone: String(item.sk).slice(CONTACT_PREFIX.length),
          status: String(item.status),
          attempts: Number(item.attempts ?? 0),
          timeZone: String(item.timeZone),
          name: item.name as string | undefined,
          language: item.language as string | undefined,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && due.length < limit);
    return due;
  }

  /** When the earliest waiting contact is due, if any. */
  async nextDue(campaignId: string, date: string): Promise<Date | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': duePartition(campaignId, date) },
        Limit: 1,
      }),
    );
    const sortKey = Items[0]?.gsi1sk;
    return typeof sortKey === 'string' ? new Date(sortKey.slice(0, sortKey.indexOf('#'))) : undefined;
  }

  async getContact(campaignId: string, date: string, phone: string): Promise<ContactRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: contactKey(campaignId, date, phone), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      campaignId,
      date,
      phone,
      status: String(Item.status),
      attempts: Number(Item.attempts ?? 0),
      attemptLog: (Item.attemptLog as AttemptLogEntry[] | undefined) ?? [],
      timeZone: String(Item.timeZone),
      name: Item.name as string | undefined,
      externalId: Item.externalId as string | undefined,
      language: Item.language as string | undefined,
      attributes: (Item.attributes as Record<string, string> | undefined) ?? {},
      nextAttemptAt: Item.nextAttemptAt as string | undefined,
      outcome: Item.outcome as AttemptOutcome | undefined,
      answers: (Item.answers as Record<string, string> | undefined) ?? {},
      flow: Item.flow as ContactRecord['flow'],
    };
  }

  /**
   * Claims the next attempt of a waiting contact and a line for it, atomically.
   * CONTACT_TAKEN: someone else claimed it, or it is no longer waiting; AT_CAPACITY: no free line.
   */
  async claim(contact: DueContact, maxConcurrentCalls: number, now: Date, leaseSeconds: number): Promise<ClaimResult> {
    const attempt = contact.attempts + 1;
    const { campaignId, date, phone } = contact;
    const entry: AttemptLogEntry = { n: attempt, at: now.toISOString() };
    try {
      await this.client.send(
        new TransactWriteCommand({
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
                Key: capacityKey,
                UpdateExpression: 'ADD inFlight :one',
                ConditionExpression: 'attribute_not_exists(inFlight) OR inFlight < :cap',
                ExpressionAttributeValues: { ':one': 1, ':cap': maxConcurrentCalls },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...leaseKey(campaignId, date, phone, attempt),
                  campaignId,
                  date,
                  phone,
                  attempt,
                  startedAt: now.toISOString(),
                  staleAfter: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: runKey(campaignId, date),
                UpdateExpression: `ADD inFlight :one, ${statusCounter('PENDING')} :minusOne, ${statusCounter('DIALING')} :one, attemptsStarted :one`,
                ExpressionAttributeValues: { ':one': 1, ':minusOne': -1 },
              },
            },
          ],
        }),
      );
      return 'CLAIMED';
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      if (reasons[1] === 'ConditionalCheckFailed') return 'AT_CAPACITY';
      if (reasons[0] === 'ConditionalCheckFailed' || reasons[2] === 'ConditionalCheckFailed') return 'CONTACT_TAKEN';
      throw error;
    }
  }

  /**
   * Remembers which attempt a Connect contact belongs to (contact events carry only the ContactId)
   * and notes the ContactId on the lease for the sweeper. Two independent writes, sent together:
   * if the call already ended and released its lease, only the mapping is written.
   */
  async recordCall(ref: AttemptRef, connectContactId: string, retentionDays: number): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + retentionDays * 86_400;
    await Promise.all([
      this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...callKey(connectContactId), ...ref, expiresAt } }),
      ),
      this.client
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: leaseKey(ref.campaignId, ref.date, ref.phone, ref.attempt),
            UpdateExpression: 'SET connectContactId = :id',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':id': connectContactId },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        }),
    ]);
  }

  async findCall(connectContactId: string): Promise<AttemptRef | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: callKey(connectContactId), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      campaignId: String(Item.campaignId),
      date: String(Item.date),
      phone: String(Item.phone),
      attempt: Number(Item.attempt),
    };
  }

  /**
   * Ends an attempt: releases its line and settles the contact, once. Returns false when the
   * lease was already released (a duplicate or late event): nothing is changed then.
   *
   * `next` is either a retry time (the contact waits again) or a final status.
   */
  async finishAttempt(input: {
    ref: AttemptRef;
    outcome: AttemptOutcome;
    next: { kind: 'RETRY'; at: Date } | { kind: 'FINAL'; status: string };
    endedAt: Date;
    talkSeconds?: number;
    /** Put the contact back as if this attempt never happened (dial refused before ringing). */
    undoAttempt?: boolean;
    /** The attempt log as the caller read it (saves a read); read here when not given. */
    attemptLog?: readonly AttemptLogEntry[];
    /** A person picked up for this contact for the first time: counted in `contactsReached`. */
    firstReach?: boolean;
  }): Promise<boolean> {
    const { ref, outcome, next } = input;
    const attemptLog = input.attemptLog ?? (await this.getContact(ref.campaignId, ref.date, ref.phone))?.attemptLog;
    if (attemptLog === undefined) throw new Error(`contact of attempt ${ref.attempt} not found`);
    const logIndex = attemptLog.findIndex((entry) => entry.n === ref.attempt);
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
    if (next.kind === 'RETRY') {
      sets.push('nextAttemptAt = :next', 'gsi1pk = :duePk', 'gsi1sk = :dueSk');
      values[':next'] = next.at.toISOString();
      values[':duePk'] = duePartition(ref.campaignId, ref.date);
      values[':dueSk'] = dueSortKey(next.at, ref.phone);
    }
    const runAdds = [`inFlight :minusOne`, `${statusCounter('DIALING')} :minusOne`, `${statusCounter(newStatus)} :one`];
    if (next.kind === 'FINAL')
      runAdds.push(`${finishedAfterCounter(input.undoAttempt ? ref.attempt - 1 : ref.attempt)} :one`);
    if (!input.undoAttempt) {
      runAdds.push(`${outcomeCounter(outcome)} :one`, 'attemptsEnded :one');
      if (input.firstReach) runAdds.push('contactsReached :one');
      if (input.talkSeconds !== undefined && input.talkSeconds > 0)
        runAdds.push('talkSeconds :talk, answeredCalls :one');
    }
    const transaction: TransactWriteCommandInput = {
      TransactItems: [
        {
          Delete: {
            TableName: this.tableName,
            Key: leaseKey(ref.campaignId, ref.date, ref.phone, ref.attempt),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: capacityKey,
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
        {
          Update: {
            TableName: this.tableName,
            Key: runKey(ref.campaignId, ref.date),
            UpdateExpression: `ADD ${runAdds.join(', ')}`,
            ExpressionAttributeValues: {
              ':minusOne': -1,
              ':one': 1,
              ...(input.talkSeconds !== undefined && input.talkSeconds > 0 && { ':talk': input.talkSeconds }),
            },
          },
        },
      ],
    };
    try {
      await this.client.send(new TransactWriteCommand(transaction));
      return true;
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      if (reasons[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /** Leases held longer than they should be: calls whose end was never reported. */
  async staleLeases(now: Date): Promise<Array<AttemptRef & { connectContactId?: string; startedAt: string }>> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'staleAfter < :now',
        ExpressionAttributeValues: { ':pk': 'LEASES', ':now': now.toISOString() },
      },
      (item) => ({
        campaignId: String(item.campaignId),
        date: String(item.date),
        phone: String(item.phone),
        attempt: Number(item.attempt),
        connectContactId: item.connectContactId as string | undefined,
        startedAt: String(item.startedAt),
      }),
    );
  }

  /** Live calls across every campaign. */
  async inFlight(): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: capacityKey, ConsistentRead: true }),
    );
    return Number(Item?.inFlight ?? 0);
  }

  /** Reads the shared dial-rate bucket with its version for an optimistic update. */
  async getDialRate(): Promise<{ tokens: number; at: string; rate?: number; version: number } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dialRateKey, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      tokens: Number(Item.tokens),
      at: String(Item.at),
      rate: Item.rate as number | undefined,
      version: Number(Item.version ?? 0),
    };
  }

  /** Writes the bucket if nobody else did since `version`; false means re-read and retry. */
  async putDialRate(state: { tokens: number; at: string; rate: number }, version: number): Promise<boolean> {
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
  }

  /** Moves a waiting contact's due time (e.g. into the callee's calling window). */
  async reschedule(campaignId: string, date: string, phone: string, at: Date): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: contactKey(campaignId, date, phone),
          UpdateExpression: 'SET nextAttemptAt = :at, gsi1sk = :sk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':sk': dueSortKey(at, phone), ':pending': 'PENDING' },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /**
   * Finishes a waiting contact without a call (expired at run end, suppressed by an opt-out).
   * `attempts` (as the caller read it) saves a read; the condition on it keeps the `t_<n>` counter exact.
   */
  async closeWaiting(
    campaignId: string,
    date: string,
    phone: string,
    status: string,
    attempts?: number,
  ): Promise<boolean> {
    let known = attempts;
    for (let round = 0; round < 3; round++) {
      if (known === undefined) {
        const contact = await this.getContact(campaignId, date, phone);
        if (contact === undefined || contact.status !== 'PENDING') return false;
        known = contact.attempts;
      }
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: contactKey(campaignId, date, phone),
                  UpdateExpression: 'SET #status = :status REMOVE gsi1pk, gsi1sk, nextAttemptAt',
                  ConditionExpression: '#status = :pending AND attempts = :attempts',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':status': status, ':pending': 'PENDING', ':attempts': known },
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: runKey(campaignId, date),
                  UpdateExpression: `ADD ${statusCounter('PENDING')} :minusOne, ${statusCounter(status)} :one, ${finishedAfterCounter(known)} :one`,
                  ExpressionAttributeValues: { ':minusOne': -1, ':one': 1 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        // Not waiting any more, or claimed and back to waiting since it was read: read it again.
        const contact = await this.getContact(campaignId, date, phone);
        if (contact === undefined || contact.status !== 'PENDING' || contact.attempts === known) return false;
        known = contact.attempts;
      }
    }
    return false;
  }

  async deleteCall(connectContactId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: callKey(connectContactId) }));
  }
}
