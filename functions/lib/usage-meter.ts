/**
 * The engine counts its own AWS usage (docs/cost-model.md): one meter per process, fed by middleware on the SDK
 * clients of functions/adapters/aws-clients.ts.
 *
 * - DynamoDB: every request asks for `ReturnConsumedCapacity: INDEXES`, and the read and write units DynamoDB
 *   reports are totalled per key class (functions/core/key-classes.ts): a table's units are shared evenly between
 *   the items a request names (a transaction's items are each under 1 KB, so each costs the same), an index's go
 *   to that index. `onConsumedCapacity` hands every share to a listener, with its partition key, for measuring
 *   hot keys.
 * - SNS (publishes, SMS), S3, Step Functions, Lambda, Connect: requests per operation.
 *
 * The meter writes what it counted since its last line as one JSON line (`{"usage": …}`) at most every
 * {@link REPORT_INTERVAL_MS}, when a request completes, so a busy Lambda container adds a line every few seconds
 * and an idle one nothing. Lambda invocations and billed milliseconds are counted by Lambda itself (CloudWatch
 * `Invocations` and `Duration`; serverless-offline's "Billed Duration" lines locally).
 *
 * Besides the process's totals, each invocation has its own tally ({@link InvocationUsage}, kept in an
 * AsyncLocalStorage so concurrent invocations of one process never mix): what its requests used, and the runs whose
 * items it wrote. functions/lib/run-usage.ts adds it to those runs' usage counters (the run report's cost).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { indexClassOf, KEY_CLASSES, type KeyClass, keyClassOf } from '../core/key-classes.ts';

/** Units per key class. */
export interface CapacityTotals {
  readUnits: number;
  writeUnits: number;
  requests: number;
}

export interface UsageTotals {
  dynamodb: Partial<Record<KeyClass, CapacityTotals>>;
  /** Requests per `<service>:<operation>` (`sns:Publish`, `sns:SMS`, `s3:PutObject`, `connect:StartOutboundVoiceContact`). */
  requests: Record<string, number>;
}

/** One share of consumed capacity, as a listener sees it. */
export interface ConsumedShare {
  command: string;
  keyClass: KeyClass;
  /** The partition key the share was spent on (the index's key for an index). */
  partitionKey: string;
  readUnits: number;
  writeUnits: number;
}

export const REPORT_INTERVAL_MS = 5_000;

/** What one invocation used (every request it made), and the runs whose items it wrote. */
export interface InvocationUsage {
  dynamodbReadUnits: number;
  dynamodbWriteUnits: number;
  /** Requests per `<service>:<operation>`, as {@link UsageTotals} names them. */
  requests: Record<string, number>;
  /** Step Functions state transitions the invocation's step stands for (counted by the step handlers). */
  stateTransitions: number;
  /** The runs (`<campaignId>#<date>`) whose items the invocation wrote, or that its handler named. */
  runs: Set<string>;
  /** Write the runs' usage when the invocation ends, due or not (a run's last steps). */
  flushAtEnd: boolean;
}

const invocations = new AsyncLocalStorage<InvocationUsage>();
// Bound once, with their types: a call through the store reads as a call of any method of that name to the IAM
// coverage check (test/unit/deployment/iam-coverage.test.ts), which does not load packages' types.
const currentInvocation: () => InvocationUsage | undefined = invocations.getStore.bind(invocations);
const runInScope: <T>(usage: InvocationUsage, work: () => Promise<T>) => Promise<T> = invocations.run.bind(invocations);
const runOutsideScopes: <T>(work: () => Promise<T>) => Promise<T> = invocations.exit.bind(invocations);

/** An empty invocation tally. */
export function newInvocationUsage(): InvocationUsage {
  return {
    dynamodbReadUnits: 0,
    dynamodbWriteUnits: 0,
    requests: {},
    stateTransitions: 0,
    runs: new Set(),
    flushAtEnd: false,
  };
}

/** Runs `work` with `usage` as the tally its requests (and everything they start) are counted in. */
export function meterInvocation<T>(usage: InvocationUsage, work: () => Promise<T>): Promise<T> {
  return runInScope(usage, work);
}

/** Runs `work` outside any invocation tally (the usage flush itself). */
export function outsideInvocation<T>(work: () => Promise<T>): Promise<T> {
  return runOutsideScopes(work);
}

/**
 * Books the current invocation's usage to a run even if it writes none of its items (a step that only reads); with
 * `flushAtEnd`, the run's pending usage is written when the invocation ends (the run's last steps: its report).
 */
export function attributeToRun(campaignId: string, date: string, options: { flushAtEnd?: boolean } = {}): void {
  const usage = currentInvocation();
  if (usage === undefined) return;
  usage.runs.add(`${campaignId}#${date}`);
  if (options.flushAtEnd === true) usage.flushAtEnd = true;
}

/**
 * Counts Step Functions state transitions, or requests made on the invocation's behalf by something else (the state
 * machine's own SNS publish), in the current invocation's tally only: the process's totals count what it sent.
 */
export function countForInvocation(what: { stateTransitions?: number; requests?: Record<string, number> }): void {
  const usage = currentInvocation();
  if (usage === undefined) return;
  usage.stateTransitions += what.stateTransitions ?? 0;
  for (const [name, count] of Object.entries(what.requests ?? {})) {
    usage.requests[name] = (usage.requests[name] ?? 0) + count;
  }
}

/** The run a partition key belongs to: `RUN#<campaignId>#<date>` or one of its buckets `…#Bnn`. */
const RUN_PARTITION = /^RUN#([a-z0-9][a-z0-9-]{0,62})#(\d{4}-\d{2}-\d{2})(?:#B\d{2})?$/;

const READ_COMMANDS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);

/** The capacity figures of DynamoDB's `ConsumedCapacity` this meter reads. */
interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}
interface ConsumedCapacity extends Capacity {
  Table?: Capacity;
  GlobalSecondaryIndexes?: Record<string, Capacity>;
}

export class UsageMeter {
  private totals: UsageTotals = { dynamodb: {}, requests: {} };
  private sinceReport: UsageTotals = { dynamodb: {}, requests: {} };
  private lastReport: number;
  private readonly listeners = new Map<number, (share: ConsumedShare) => void>();
  private nextListener = 0;
  private readonly emitLine: (line: string) => void;
  private readonly now: () => number;

  constructor(options: { writeLine?: (line: string) => void; now?: () => number } = {}) {
    this.emitLine = options.writeLine ?? ((line) => console.log(line));
    this.now = options.now ?? Date.now;
    this.lastReport = this.now();
  }

  /** Everything counted in this process so far. */
  snapshot(): UsageTotals {
    return structuredClone(this.totals);
  }

  /** Calls `listener` with every share of consumed capacity; returns the function that stops it. */
  onConsumedCapacity(listener: (share: ConsumedShare) => void): () => void {
    const id = this.nextListener++;
    this.listeners.set(id, listener);
    return () => this.listeners.delete(id);
  }

  /** Counts a DynamoDB request: `input` as sent (plain or marshalled), `consumed` as DynamoDB answered. */
  recordDynamoDb(command: string, input: unknown, consumed: unknown): void {
    const read = READ_COMMANDS.has(command);
    const keys = requestKeys(input);
    const floor = command === 'TransactWriteItemsCommand' ? transactionFloor(input) : undefined;
    for (const capacity of asList(consumed)) {
      const table = capacity.Table ?? capacity;
      const tableUnits = unitsOf(table, read);
      if (floor !== undefined) tableUnits.write = Math.max(tableUnits.write, floor.table);
      const classes = keys.length > 0 ? keys : [{ keyClass: 'other' as KeyClass, partitionKey: '' }];
      for (const key of classes) {
        this.tally(
          command,
          key.keyClass,
          key.partitionKey,
          tableUnits.read / classes.length,
          tableUnits.write / classes.length,
        );
      }
      for (const [index, units] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
        const indexUnits = unitsOf(units, read);
        if (floor !== undefined) indexUnits.write = Math.max(indexUnits.write, floor.index(index));
        this.tally(command, indexClassOf(index), index, indexUnits.read, indexUnits.write);
      }
    }
    const invocation = currentInvocation();
    if (invocation !== undefined && !read) {
      for (const key of keys) {
        const run = RUN_PARTITION.exec(key.partitionKey);
        if (run !== null) invocation.runs.add(`${run[1]}#${run[2]}`);
      }
    }
    this.count('dynamodb', command.replace(/Command$/, ''));
  }

  /** Counts a request to another service. */
  count(service: string, operation: string, times = 1): void {
    const name = `${service}:${operation}`;
    const invocation = currentInvocation();
    if (invocation !== undefined) invocation.requests[name] = (invocation.requests[name] ?? 0) + times;
    this.totals.requests[name] = (this.totals.requests[name] ?? 0) + times;
    this.sinceReport.requests[name] = (this.sinceReport.requests[name] ?? 0) + times;
    this.maybeReport();
  }

  /** Writes the usage counted since the last line, if there is any and the interval has passed (or `force`). */
  maybeReport(force = false): void {
    const now = this.now();
    if (!force && now - this.lastReport < REPORT_INTERVAL_MS) return;
    const empty =
      Object.keys(this.sinceReport.dynamodb).length === 0 && Object.keys(this.sinceReport.requests).length === 0;
    this.lastReport = now;
    if (empty) return;
    const usage = this.sinceReport;
    this.sinceReport = { dynamodb: {}, requests: {} };
    this.emitLine(JSON.stringify({ usage: roundTotals(usage), at: new Date(now).toISOString() }));
  }

  private tally(
    command: string,
    keyClass: KeyClass,
    partitionKey: string,
    readUnits: number,
    writeUnits: number,
  ): void {
    const invocation = currentInvocation();
    if (invocation !== undefined) {
      invocation.dynamodbReadUnits += readUnits;
      invocation.dynamodbWriteUnits += writeUnits;
    }
    for (const totals of [this.totals, this.sinceReport]) {
      const entry = totals.dynamodb[keyClass] ?? { readUnits: 0, writeUnits: 0, requests: 0 };
      totals.dynamodb[keyClass] = entry;
      entry.readUnits += readUnits;
      entry.writeUnits += writeUnits;
      entry.requests += 1;
    }
    for (const listener of this.listeners.values())
      listener({ command, keyClass, partitionKey, readUnits, writeUnits });
  }
}

/** The process's meter. */
export const usageMeter = new UsageMeter();

/** Adds `b` to `a`. */
export function addUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  const sum: UsageTotals = structuredClone(a);
  for (const keyClass of KEY_CLASSES) {
    const units = b.dynamodb[keyClass];
    if (units === undefined) continue;
    const entry = sum.dynamodb[keyClass] ?? { readUnits: 0, writeUnits: 0, requests: 0 };
    sum.dynamodb[keyClass] = entry;
    entry.readUnits += units.readUnits;
    entry.writeUnits += units.writeUnits;
    entry.requests += units.requests;
  }
  for (const [name, count] of Object.entries(b.requests)) sum.requests[name] = (sum.requests[name] ?? 0) + count;
  return sum;
}

function roundTotals(usage: UsageTotals): UsageTotals {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    dynamodb: Object.fromEntries(
      Object.entries(usage.dynamodb).map(([keyClass, units]) => [
        keyClass,
        { readUnits: round(units.readUnits), writeUnits: round(units.writeUnits), requests: units.requests },
      ]),
    ),
    requests: usage.requests,
  };
}

function unitsOf(capacity: Capacity, read: boolean): { read: number; write: number } {
  if (capacity.ReadCapacityUnits !== undefined || capacity.WriteCapacityUnits !== undefined) {
    return { read: capacity.ReadCapacityUnits ?? 0, write: capacity.WriteCapacityUnits ?? 0 };
  }
  const units = capacity.CapacityUnits ?? 0;
  return read ? { read: units, write: 0 } : { read: 0, write: units };
}

/**
 * The least a TransactWriteItems can cost in AWS: two write units per item (a transactional write of an item under
 * 1 KB; larger items cost more), and one per index for each put that carries the index's key (`<index>pk`): the
 * transaction's doubling applies to the table alone, an index write costs what it costs outside a transaction (one
 * unit to add an entry under 1 KB, two to move its key), as measured against DynamoDB in eu-west-2 in 2026-08
 * (nubo-db/dynoxide#176 and #188). DynamoDB reports at least this; DynamoDB Local reports a whole transaction as if
 * it wrote one item (4 units for a 99-contact import chunk instead of about 400), so without this floor a local
 * measurement misses nearly all of the import's writes and undercounts every transaction (docs/cost-model.md).
 */
function transactionFloor(input: unknown): { table: number; index: (name: string) => number } | undefined {
  if (!isRecord(input) || !Array.isArray(input.TransactItems)) return undefined;
  const entries = input.TransactItems.filter(isRecord);
  const puts = entries.map((entry) => entry.Put).filter(isRecord);
  return {
    table: 2 * entries.length,
    index: (name) => puts.filter((put) => isRecord(put.Item) && put.Item[`${name}pk`] !== undefined).length,
  };
}

function asList(consumed: unknown): ConsumedCapacity[] {
  if (Array.isArray(consumed)) return consumed.filter(isObject);
  return isObject(consumed) ? [consumed] : [];
}

function isObject(value: unknown): value is ConsumedCapacity {
  return typeof value === 'object' && value !== null;
}

/** A key attribute's text, plain (`"x"`) or marshalled (`{ S: "x" }`). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.S === 'string') return value.S;
  return '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys a request names: its Key or Item, each transaction item's, each batch key's, or its query's partition. */
function requestKeys(input: unknown): Array<{ keyClass: KeyClass; partitionKey: string }> {
  if (!isRecord(input)) return [];
  const keyOf = (item: unknown) => {
    if (!isRecord(item)) return undefined;
    const pk = text(item.pk);
    return pk === '' ? undefined : { keyClass: keyClassOf(pk, text(item.sk)), partitionKey: pk };
  };
  const found: Array<{ keyClass: KeyClass; partitionKey: string } | undefined> = [];
  if (isRecord(input.Key)) found.push(keyOf(input.Key));
  else if (isRecord(input.Item)) found.push(keyOf(input.Item));
  if (Array.isArray(input.TransactItems)) {
    for (const entry of input.TransactItems) {
      if (!isRecord(entry)) continue;
      for (const action of Object.values(entry)) {
        if (isRecord(action)) found.push(keyOf(isRecord(action.Key) ? action.Key : action.Item));
      }
    }
  }
  if (isRecord(input.RequestItems)) {
    for (const request of Object.values(input.RequestItems)) {
      if (isRecord(request) && Array.isArray(request.Keys)) found.push(...request.Keys.map(keyOf));
      if (Array.isArray(request)) {
        for (const write of request) {
          if (!isRecord(write)) continue;
          const put = isRecord(write.PutRequest) ? write.PutRequest.Item : undefined;
          const del = isRecord(write.DeleteRequest) ? write.DeleteRequest.Key : undefined;
          found.push(keyOf(put ?? del));
        }
      }
    }
  }
  if (found.length === 0 && isRecord(input.ExpressionAttributeValues)) {
    // A query: its partition is the value of the key condition's first placeholder (`pk = :pk`), and a
    // `begins_with(sk, :prefix)` says which items of it.
    const values = input.ExpressionAttributeValues;
    const condition = String(input.KeyConditionExpression ?? '');
    const placeholder = /^\s*\w+\s*=\s*(:\w+)/.exec(condition)?.[1];
    const prefix = /begins_with\(\s*\w+\s*,\s*(:\w+)\s*\)/.exec(condition)?.[1];
    const pk = placeholder === undefined ? '' : text(values[placeholder]);
    const sk = prefix === undefined ? '' : text(values[prefix]);
    if (pk !== '') found.push({ keyClass: keyClassOf(pk, sk), partitionKey: pk });
  }
  return found.filter((key): key is { keyClass: KeyClass; partitionKey: string } => key !== undefined);
}

type Handler = (args: { input: unknown }) => Promise<{ output: unknown }>;
type InitializeMiddleware = (next: Handler, context: { commandName?: string }) => Handler;

/** Any SDK v3 client: what the meter uses of it is its middleware stack. */
interface SdkClient {
  middlewareStack: object;
}

/**
 * Adds an initialize-step middleware to a client's stack. Each client types its stack with its own commands, which
 * the meter reads as unknown and checks field by field; the stack's `add` is looked up and applied as it is.
 */
function installMiddleware(client: SdkClient, middleware: InitializeMiddleware, name: string): void {
  const stack = client.middlewareStack;
  const install: unknown = Reflect.get(stack, 'add');
  if (typeof install !== 'function') throw new TypeError(`${name}: not an AWS SDK client (no middleware stack)`);
  Reflect.apply(install, stack, [middleware, { step: 'initialize', name, override: true }]);
}

/** DynamoDB operations that return consumed capacity when asked. */
const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);

/**
 * Meters a DynamoDB client: every request asks for its consumed capacity (`ReturnConsumedCapacity: INDEXES`, which
 * costs nothing), and what DynamoDB reports is counted. A failed request is not: DynamoDB charges none for it.
 */
export function meterDynamoDb(client: SdkClient, meter: UsageMeter = usageMeter): void {
  installMiddleware(
    client,
    (next, context) => async (args) => {
      const command = context.commandName ?? 'Unknown';
      if (CAPACITY_COMMANDS.has(command) && isRecord(args.input) && args.input.ReturnConsumedCapacity === undefined) {
        args.input.ReturnConsumedCapacity = 'INDEXES';
      }
      const result = await next(args);
      const output = isRecord(result.output) ? result.output : {};
      meter.recordDynamoDb(command, args.input, output.ConsumedCapacity);
      return result;
    },
    'usageMeterDynamoDb',
  );
}

/**
 * Meters a client of another service: one count per request sent, by operation (`service:Operation`); an SNS
 * publish to a phone number also counts as `sns:SMS`.
 */
export function meterRequests(client: SdkClient, service: string, meter: UsageMeter = usageMeter): void {
  installMiddleware(
    client,
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const result = await next(args);
      meter.count(service, operation);
      if (
        service === 'sns' &&
        operation === 'Publish' &&
        isRecord(args.input) &&
        args.input.PhoneNumber !== undefined
      ) {
        meter.count('sns', 'SMS');
      }
      return result;
    },
    `usageMeter-${service}`,
  );
}
