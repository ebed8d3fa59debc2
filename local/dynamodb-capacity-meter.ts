/**
 * Write capacity as DynamoDB reports it, per key: the fault proxy asks DynamoDB Local for
 * `ReturnConsumedCapacity: INDEXES` on every write while the meter is on, and this meter books what came back
 * against the items the request wrote, so the dial benchmark can print writes and WCU per dial for every kind of
 * key and for the hottest single item and partition (docs/data-model.md, "Hot keys").
 *
 * A transaction reports one total per table, not per item. The total is split by DynamoDB's own pricing rule
 * (developer guide, "Read/write capacity mode": a write costs one unit per started KB, two in a transaction):
 * every item except a contact, answer, list or export item is far under 1 KB, so it is booked exactly one unit
 * (two in a transaction), and the rest of the measured total goes to the larger items of the request.
 */
import { z } from 'zod';

/** The kind of item a key names (functions/core/keys.ts). */
export function keyClass(pk: string, sk: string): string {
  if (pk.startsWith('LINES#')) return sk === 'LINES' ? 'line shard' : 'lease';
  if (pk === 'PACING') return 'dial rate';
  if (pk === 'ACTIVE_RUNS') return 'active run';
  if (pk.startsWith('CALL#')) return 'call map';
  if (pk === 'ALERTS') return 'alert';
  if (pk === 'DNC') return 'do-not-call';
  if (pk === 'CAMPAIGNS') return 'campaign';
  if (sk === 'COUNTERS') return 'run counters';
  if (sk === 'RUN') return 'run item';
  const prefix = /^([A-Z]+)#/.exec(sk)?.[1];
  switch (prefix) {
    case 'CONTACT':
      return 'contact';
    case 'ANSWER':
      return 'answer';
    case 'FOLLOWUP':
      return 'follow-up';
    case 'SAMPLE':
      return 'run sample';
    case 'LIST':
      return 'list';
    case 'EXPORT':
      return 'export job';
    default:
      return 'other';
  }
}

/** Items that can exceed 1 KB; every other kind is booked exactly one unit per write. */
const LARGE_CLASSES = new Set(['contact', 'answer', 'list', 'export job', 'campaign', 'other']);

const AttributeValueSchema = z.looseObject({ S: z.string().optional() });
const KeySchema = z.looseObject({ pk: AttributeValueSchema, sk: AttributeValueSchema });
const CapacitySchema = z.looseObject({
  TableName: z.string().optional(),
  CapacityUnits: z.number().optional(),
  Table: z.looseObject({ CapacityUnits: z.number().optional() }).optional(),
  GlobalSecondaryIndexes: z.record(z.string(), z.looseObject({ CapacityUnits: z.number().optional() })).optional(),
});

interface WrittenItem {
  table: string;
  pk: string;
  sk: string;
}

/** The items a write request writes (keys as DynamoDB JSON), in request order. */
export function writtenItems(operation: string, request: unknown): WrittenItem[] {
  const body = z.record(z.string(), z.unknown()).safeParse(request);
  if (!body.success) return [];
  const item = (table: unknown, key: unknown): WrittenItem[] => {
    const parsed = KeySchema.safeParse(key);
    return typeof table === 'string' &&
      parsed.success &&
      parsed.data.pk.S !== undefined &&
      parsed.data.sk.S !== undefined
      ? [{ table, pk: parsed.data.pk.S, sk: parsed.data.sk.S }]
      : [];
  };
  const data = body.data as Record<string, unknown> & {
    TableName?: unknown;
    Item?: unknown;
    Key?: unknown;
    TransactItems?: unknown;
    RequestItems?: unknown;
  };
  switch (operation) {
    case 'PutItem':
      return item(data.TableName, data.Item);
    case 'UpdateItem':
    case 'DeleteItem':
      return item(data.TableName, data.Key);
    case 'TransactWriteItems': {
      const entries = z
        .array(
          z.record(
            z.string(),
            z.looseObject({
              TableName: z.string().optional(),
              Item: z.unknown().optional(),
              Key: z.unknown().optional(),
            }),
          ),
        )
        .safeParse(data.TransactItems);
      if (!entries.success) return [];
      return entries.data.flatMap((entry) =>
        Object.values(entry).flatMap((action) => item(action.TableName, action.Item ?? action.Key)),
      );
    }
    case 'BatchWriteItem': {
      const tables = z
        .record(
          z.string(),
          z.array(
            z.looseObject({
              PutRequest: z.looseObject({ Item: z.unknown().optional() }).optional(),
              DeleteRequest: z.looseObject({ Key: z.unknown().optional() }).optional(),
            }),
          ),
        )
        .safeParse(data.RequestItems);
      if (!tables.success) return [];
      return Object.entries(tables.data).flatMap(([table, requests]) =>
        requests.flatMap((entry) => item(table, entry.PutRequest?.Item ?? entry.DeleteRequest?.Key)),
      );
    }
    default:
      return [];
  }
}

export interface MeteredClass {
  writes: number;
  wcu: number;
  /** Distinct items of this kind written. */
  items: number;
  /** The most writes and units any one item of this kind took. */
  hottestItemWrites: number;
  hottestItemWcu: number;
  /** The most units any one partition key holding items of this kind took (all its items together). */
  hottestPartitionWcu: number;
}

export interface CapacityReport {
  since: string;
  requests: number;
  tableWcu: number;
  indexWcu: Record<string, number>;
  classes: Record<string, MeteredClass>;
}

export class CapacityMeter {
  enabled = false;
  private since = new Date();
  private requests = 0;
  private tableWcu = 0;
  private readonly indexWcu = new Map<string, number>();
  private readonly byItem = new Map<string, { cls: string; writes: number; wcu: number }>();
  private readonly byPartition = new Map<string, { classes: Set<string>; wcu: number }>();

  reset(): void {
    this.since = new Date();
    this.requests = 0;
    this.tableWcu = 0;
    this.indexWcu.clear();
    this.byItem.clear();
    this.byPartition.clear();
  }

  /** Books one successful write request with the capacity DynamoDB reported for it. */
  record(operation: string, request: unknown, response: unknown): void {
    const items = writtenItems(operation, request);
    if (items.length === 0) return;
    const answer = z.looseObject({ ConsumedCapacity: z.unknown() }).safeParse(response);
    if (!answer.success) return;
    const capacities = z.array(CapacitySchema).safeParse([answer.data.ConsumedCapacity].flat().filter(Boolean));
    if (!capacities.success) return;
    this.requests++;
    const transactional = operation === 'TransactWriteItems';
    for (const capacity of capacities.data) {
      const table = capacity.TableName;
      const tableUnits = capacity.Table?.CapacityUnits ?? capacity.CapacityUnits ?? 0;
      this.tableWcu += tableUnits;
      for (const [index, used] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
        this.indexWcu.set(index, (this.indexWcu.get(index) ?? 0) + (used.CapacityUnits ?? 0));
      }
      const ofTable = items.filter((item) => table === undefined || item.table === table);
      const unit = transactional ? 2 : 1;
      const small = ofTable.filter((item) => !LARGE_CLASSES.has(keyClass(item.pk, item.sk)));
      const large = ofTable.filter((item) => LARGE_CLASSES.has(keyClass(item.pk, item.sk)));
      const rest = Math.max(0, tableUnits - small.length * unit);
      for (const item of small) this.book(item, unit);
      for (const item of large) this.book(item, large.length > 0 ? rest / large.length : 0);
    }
  }

  private book(item: WrittenItem, wcu: number): void {
    const cls = keyClass(item.pk, item.sk);
    const id = `${item.table}|${item.pk}|${item.sk}`;
    const entry = this.byItem.get(id) ?? { cls, writes: 0, wcu: 0 };
    entry.writes++;
    entry.wcu += wcu;
    this.byItem.set(id, entry);
    const partitionId = `${item.table}|${item.pk}`;
    const partition = this.byPartition.get(partitionId) ?? { classes: new Set<string>(), wcu: 0 };
    partition.classes.add(cls);
    partition.wcu += wcu;
    this.byPartition.set(partitionId, partition);
  }

  report(): CapacityReport {
    const classes: Record<string, MeteredClass> = {};
    for (const entry of this.byItem.values()) {
      const metered = classes[entry.cls] ?? {
        writes: 0,
        wcu: 0,
        items: 0,
        hottestItemWrites: 0,
        hottestItemWcu: 0,
        hottestPartitionWcu: 0,
      };
      classes[entry.cls] = metered;
      metered.writes += entry.writes;
      metered.wcu += entry.wcu;
      metered.items++;
      metered.hottestItemWrites = Math.max(metered.hottestItemWrites, entry.writes);
      metered.hottestItemWcu = Math.max(metered.hottestItemWcu, entry.wcu);
    }
    for (const partition of this.byPartition.values()) {
      for (const cls of partition.classes) {
        const metered = classes[cls];
        if (metered !== undefined) metered.hottestPartitionWcu = Math.max(metered.hottestPartitionWcu, partition.wcu);
      }
    }
    return {
      since: this.since.toISOString(),
      requests: this.requests,
      tableWcu: this.tableWcu,
      indexWcu: Object.fromEntries(this.indexWcu),
      classes,
    };
  }
}
