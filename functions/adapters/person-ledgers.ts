/**
 * People's contact ledgers and caller numbers' usage in DynamoDB (docs/data-model.md): one item per phone number
 * (`PERSON#<E.164>` / `CONTACTS`) and one per caller number (`CALLERID#<E.164>` / `USAGE`), each with a `version`.
 * Reads are strongly consistent; the writes are items of the claim and finish transactions (line-leases.ts), built
 * here so the item shapes live in one place. No rules here: functions/core/policy/ decides.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { callerUsageKey, PERSON_PREFIX, personLedgerKey } from '../core/keys.ts';
import type { CallerUsage, TierUsage } from '../core/policy/caller-id-tiers.ts';
import { PurposeSchema } from '../core/policy/campaign-policy.ts';
import { EMPTY_LEDGER, type LedgerCall, type LedgerEvent, type PersonLedger } from '../core/policy/frequency-caps.ts';
import type { CallerUsages, ClaimGuards, PersonLedgers } from '../use-cases/dialing/ports.ts';
import type { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';

const LedgerCallSchema = z.object({
  id: z.string().max(200),
  at: z.string().max(40),
  purpose: PurposeSchema,
  category: z.string().max(32).optional(),
  answered: z.boolean().optional(),
});
const LedgerEventSchema = z.object({
  id: z.string().max(200),
  answered: z.boolean().optional(),
  undone: z.boolean().optional(),
});
const LedgerItemSchema = z.object({
  version: z.number().int().min(0).default(0),
  calls: z.array(LedgerCallSchema).max(1_000).default([]),
  events: z.array(LedgerEventSchema).max(10_000).default([]),
});
const UsageItemSchema = z.object({
  pk: z.string(),
  version: z.number().int().min(0).default(0),
  usage: z.record(z.string(), z.record(z.string(), z.number())).default({}),
});

/** A ledger item as read (exported for the person-data use cases). */
export function parseLedgerItem(item: Record<string, unknown>): PersonLedger {
  return LedgerItemSchema.parse(item);
}

export class DynamoDbPersonLedgers implements PersonLedgers {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  async read(phone: string): Promise<PersonLedger> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: personLedgerKey(phone), ConsistentRead: true }),
    );
    return Item === undefined ? EMPTY_LEDGER : parseLedgerItem(Item);
  }

  /** The ledgers of several numbers (BatchGetItem), those that have one. */
  async readMany(phones: readonly string[]): Promise<Map<string, PersonLedger>> {
    const items = await batchGetItems(this.client, this.tableName, [...new Set(phones)].map(personLedgerKey), [
      'version',
      'calls',
      'events',
    ]);
    return new Map(items.map((item) => [String(item.pk).slice(PERSON_PREFIX.length), parseLedgerItem(item)] as const));
  }
}

export class DynamoDbCallerUsages implements CallerUsages {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  async read(numbers: readonly string[]): Promise<CallerUsage[]> {
    const items = await batchGetItems(this.client, this.tableName, numbers.map(callerUsageKey), ['version', 'usage']);
    const byKey = new Map(items.map((item) => UsageItemSchema.parse(item)).map((item) => [item.pk, item]));
    return numbers.map((number) => {
      const stored = byKey.get(callerUsageKey(number).pk);
      return { number, version: stored?.version ?? 0, usage: stored?.usage ?? {} };
    });
  }
}

/** The claim's write of the person's ledger: the calls with this one in it, if nobody wrote it since it was read. */
export function ledgerClaimItem(
  tableName: string,
  phone: string,
  person: NonNullable<ClaimGuards['person']>,
  expiresAt: number,
) {
  return {
    Update: {
      TableName: tableName,
      Key: personLedgerKey(phone),
      UpdateExpression: 'SET calls = :calls, events = :none, version = :next, expiresAt = :expiresAt',
      ConditionExpression: person.version === 0 ? 'attribute_not_exists(pk)' : 'version = :read',
      ExpressionAttributeValues: {
        ':calls': person.calls.map(storedCall),
        ':none': [],
        ':next': person.version + 1,
        ':expiresAt': expiresAt,
        ...(person.version !== 0 && { ':read': person.version }),
      },
    },
  };
}

/**
 * The finish's write of the person's ledger: the call's end appended (no condition: the next claim folds it in;
 * the version moves so that a claim that read the ledger before cannot write over it).
 */
export function ledgerEventItem(tableName: string, phone: string, event: LedgerEvent, expiresAt: number) {
  return {
    Update: {
      TableName: tableName,
      Key: personLedgerKey(phone),
      UpdateExpression:
        'SET events = list_append(if_not_exists(events, :none), :event), expiresAt = if_not_exists(expiresAt, :expiresAt) ADD version :one',
      ExpressionAttributeValues: { ':event': [event], ':none': [], ':one': 1, ':expiresAt': expiresAt },
    },
  };
}

/** The claim's write of a caller number's usage with this call counted, if nobody used it since it was read. */
export function callerUsageClaimItem(tableName: string, callerId: NonNullable<ClaimGuards['callerId']>) {
  return {
    Update: {
      TableName: tableName,
      Key: callerUsageKey(callerId.number),
      UpdateExpression: 'SET #usage = :usage, version = :next',
      ConditionExpression: callerId.version === 0 ? 'attribute_not_exists(pk)' : 'version = :read',
      ExpressionAttributeNames: { '#usage': 'usage' },
      ExpressionAttributeValues: {
        ':usage': callerId.usage satisfies TierUsage,
        ':next': callerId.version + 1,
        ...(callerId.version !== 0 && { ':read': callerId.version }),
      },
    },
  };
}

/** A ledger call as stored: no `undefined` attributes (the document client refuses them). */
function storedCall(call: LedgerCall): Record<string, unknown> {
  return {
    id: call.id,
    at: call.at,
    purpose: call.purpose,
    ...(call.category !== undefined && { category: call.category }),
    ...(call.answered !== undefined && { answered: call.answered }),
  };
}
