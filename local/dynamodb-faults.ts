/**
 * The local cloud's DynamoDB endpoint: an HTTP proxy in front of DynamoDB Local that forwards every
 * request unchanged, and on demand injects the faults DynamoDB Local never produces:
 *
 * - transaction conflicts (developer guide, "Transaction conflict handling in DynamoDB"): while a
 *   transaction is in flight and for its hold time after it committed, its items are held; a
 *   TransactWriteItems, TransactGetItems or ExecuteTransaction naming a held item is cancelled
 *   (`TransactionCanceledException`, reason `TransactionConflict` at that item, `None` elsewhere),
 *   a PutItem, UpdateItem, DeleteItem or ExecuteStatement write is refused
 *   (`TransactionConflictException`), a BatchExecuteStatement write gets a `TransactionConflict`
 *   error for that statement. A TransactGetItems also conflicts with plain writes in flight. GetItem,
 *   Query, Scan and BatchGetItem read through ("both operations can succeed"), and BatchWriteItem
 *   too: the docs give its writes serializable isolation with transactions and no conflict error.
 * - throttling ("Error handling with DynamoDB"; TransactWriteItems API reference): a single-item
 *   request, Query or Scan fails with ProvisionedThroughputExceededException (or
 *   ThrottlingException); a transaction is cancelled with `ThrottlingError`; a batch returns its
 *   throttled items as `UnprocessedItems`/`UnprocessedKeys` and fails whole only when every item
 *   was throttled, as BatchWriteItem's reference says; BatchExecuteStatement answers
 *   `ThrottlingError` per statement.
 * - a crash switch (`POST /__faults/hang`, see dynamodb-hang-rules.ts).
 *
 * Faults are off unless `LOCAL_DYNAMODB_FAULTS` or `PUT /__faults` switch them on; then only
 * data-plane requests are read, everything else is streamed through on kept-alive connections.
 * The control endpoint (`/__faults`) answers loopback clients only, like the listener itself.
 * docs/local-cloud.md documents the syntax, the control routes and the counts file.
 */
import { randomUUID } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32, type Random } from './connect-simulator/random.ts';
import {
  type DynamoDbFaultSettings,
  DynamoDbFaultSettingsError,
  faultSettingsFromJson,
  faultsEnabled,
  formatDynamoDbFaults,
  NO_FAULTS,
} from './dynamodb-fault-settings.ts';
import {
  type HangRule,
  HangRuleError,
  type HangRuleInput,
  HangRules,
  type RequestTargets,
} from './dynamodb-hang-rules.ts';
import { ItemLocks } from './dynamodb-item-locks.ts';
import {
  BatchExecuteStatementSchema,
  BatchGetItemSchema,
  BatchWriteItemSchema,
  CONFLICT_REASON,
  cancellationReasons,
  ExecuteStatementSchema,
  ExecuteTransactionSchema,
  type ItemReference,
  itemId,
  JSON_CONTENT_TYPE,
  keyStrings,
  kindOf,
  type OperationKind,
  operationOf,
  regionOf,
  statementReference,
  successResponse,
  TABLE_CHANGING_OPERATIONS,
  TableItemSchema,
  TableKeySchema,
  TableRequestSchema,
  THROTTLING_MESSAGE,
  THROTTLING_REASON,
  TRANSACTION_CONFLICT_MESSAGE,
  TransactGetItemsSchema,
  TransactWriteItemsSchema,
  tableArn,
  throttled,
  transactionCanceled,
  transactionConflict,
  transactWriteReference,
  type WireResponse,
} from './dynamodb-wire.ts';

/** What the proxy injected since it started; also written to the counts file. */
export interface FaultCounts {
  /** DynamoDB requests through the proxy (control requests not included). */
  requests: number;
  /** TransactWriteItems, TransactGetItems and ExecuteTransaction requests. */
  transactions: number;
  /** Requests refused, or batch statements failed, for a transaction conflict. */
  conflicts: number;
  /** Requests refused as throttled (transactions cancelled with ThrottlingError included). */
  throttles: number;
  /** Items of batches returned unprocessed, or batch statements failed, as throttled. */
  throttledItems: number;
  /** Requests the crash switch held. */
  hung: number;
}

export interface DynamoDbFaultProxyOptions {
  /** Port to listen on (loopback only); 0 picks a free one. */
  port: number;
  /** DynamoDB Local's base URL, e.g. `http://127.0.0.1:8001`. */
  upstream: string;
  faults?: DynamoDbFaultSettings;
  /** Where the counts are written (periodically and at close); none if absent. */
  countsFile?: string;
  countsIntervalMs?: number;
  log?: (line: string) => void;
}

export interface DynamoDbFaultProxy {
  url: string;
  port: number;
  /** `${url}/__faults`. */
  controlUrl: string;
  settings(): DynamoDbFaultSettings;
  setFaults(settings: DynamoDbFaultSettings): void;
  counts(): FaultCounts;
  /** Adds a crash-switch rule. @throws HangRuleError */
  hang(rule: HangRuleInput): HangRule;
  /** Drops every rule and resets the connections they hold; returns how many were held. */
  clearHangs(): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const MAX_BODY_BYTES = 16 * 1024 * 1024 + 65_536; // BatchWriteItem's 16 MB plus its envelope

interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function forwardHeaders(headers: IncomingHttpHeaders, bodyLength?: number): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  }
  if (bodyLength !== undefined) result['content-length'] = String(bodyLength);
  return result;
}

function send(response: ServerResponse, answer: WireResponse): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload, null, 2);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const isLoopback = (address: string | undefined): boolean =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

/** Starts the proxy on loopback. */
export async function startDynamoDbFaultProxy(options: DynamoDbFaultProxyOptions): Promise<DynamoDbFaultProxy> {
  const upstream = new URL(options.upstream);
  // Keep-alive both ways: without it every request would pay a TCP handshake to DynamoDB Local.
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 256, keepAliveMsecs: 30_000 });
  const log = options.log ?? (() => undefined);
  const locks = new ItemLocks();
  const hangRules = new HangRules();
  const held = new Set<ServerResponse>();
  const keySchemas = new Map<string, Promise<string[] | undefined>>();
  const counts: FaultCounts = { requests: 0, transactions: 0, conflicts: 0, throttles: 0, throttledItems: 0, hung: 0 };
  const startedAt = new Date().toISOString();
  let settings: DynamoDbFaultSettings = options.faults ?? { ...NO_FAULTS };
  let random: Random = Math.random;
  let countsWritten = '';
  let countsWrite: Promise<void> = Promise.resolve();

  const applySettings = (next: DynamoDbFaultSettings) => {
    settings = { ...next };
    random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
    // Holds taken under the old settings would outlive a switch to "off"; a new regime starts clean.
    locks.clear();
  };
  applySettings(settings);

  const sendUpstream = (
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer | IncomingMessage,
  ): Promise<IncomingMessage> =>
    new Promise((resolveResponse, rejectResponse) => {
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: 'POST', path, headers, agent },
        resolveResponse,
      );
      outgoing.on('error', rejectResponse);
      if (Buffer.isBuffer(body)) outgoing.end(body);
      else body.pipe(outgoing);
    });

  const readUpstream = async (
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
  ): Promise<UpstreamAnswer> => {
    const answer = await sendUpstream(path, headers, body);
    const chunks: Buffer[] = [];
    for await (const chunk of answer) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return {
      status: answer.statusCode ?? 502,
      headers: forwardHeaders(answer.headers),
      body: Buffer.concat(chunks),
    };
  };

  const unreachable = (response: ServerResponse, error: unknown) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendJson(response, 502, { message: `DynamoDB Local at ${options.upstream} is not reachable: ${String(error)}` });
  };

  /** Streams the answer to the client; resolves with its status once it has been sent. */
  const forward = async (request: IncomingMessage, response: ServerResponse, body?: Buffer): Promise<number> => {
    try {
      const answer = await sendUpstream(
        request.url ?? '/',
        forwardHeaders(request.headers, body?.length),
        body ?? request,
      );
      const status = answer.statusCode ?? 502;
      response.writeHead(status, forwardHeaders(answer.headers));
      answer.pipe(response);
      await new Promise<void>((resolveEnd) => {
        answer.once('end', resolveEnd);
        answer.once('error', () => resolveEnd());
        response.once('close', () => {
          // A client that went away mid-answer: drop the rest rather than leave the upstream socket busy.
          if (!answer.complete) answer.destroy();
          resolveEnd();
        });
      });
      return status;
    } catch (error) {
      unreachable(response, error);
      return 502;
    }
  };

  /** The table's key attribute names (partition key first), from DescribeTable; cached until a table changes. */
  const keyNamesOf = (table: string, authorization: string | undefined): Promise<string[] | undefined> => {
    const cached = keySchemas.get(table);
    if (cached !== undefined) return cached;
    const lookup = (async () => {
      const body = Buffer.from(JSON.stringify({ TableName: table }));
      const answer = await readUpstream(
        '/',
        {
          'content-type': JSON_CONTENT_TYPE,
          'x-amz-target': 'DynamoDB_20120810.DescribeTable',
          'content-length': String(body.length),
          // DynamoDB Local does not check signatures but wants a credential scope (it names the database).
          authorization:
            authorization ??
            'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body,
      ).catch(() => undefined);
      const description = answer?.status === 200 ? parseJson(answer.body) : undefined;
      const keySchema = (
        description as { Table?: { KeySchema?: Array<{ AttributeName?: unknown; KeyType?: unknown }> } }
      )?.Table?.KeySchema;
      if (!Array.isArray(keySchema)) return undefined;
      const hash = keySchema.filter((entry) => entry.KeyType === 'HASH');
      const range = keySchema.filter((entry) => entry.KeyType === 'RANGE');
      return [...hash, ...range].map((entry) => String(entry.AttributeName));
    })();
    keySchemas.set(table, lookup);
    void lookup.then((names) => {
      if (names === undefined && keySchemas.get(table) === lookup) keySchemas.delete(table);
    });
    return lookup;
  };

  /** Canonical ids of the references (undefined where the table or key is unknown). */
  const idsOf = async (references: ReadonlyArray<ItemReference | undefined>, authorization: string | undefined) =>
    Promise.all(
      references.map(async (reference) => {
        if (reference === undefined) return undefined;
        const keyNames = await keyNamesOf(reference.table, authorization);
        return keyNames === undefined ? undefined : itemId(reference.table, keyNames, reference.attributes);
      }),
    );

  const drawThrottle = (): boolean => settings.throttleProbability > 0 && random() < settings.throttleProbability;
  const holdMs = (): number => {
    const hold = settings.conflictHoldMs;
    if (hold === undefined) return 0;
    return Math.round(hold.min + random() * (hold.max - hold.min));
  };

  const hold = (request: IncomingMessage, response: ServerResponse, rule: HangRule) => {
    counts.hung += 1;
    held.add(response);
    response.once('close', () => held.delete(response));
    log(
      `holding ${operationOf(request.headers['x-amz-target']) ?? 'request'} (hang rule ${rule.id}${rule.forward ? ', forwarded' : ''})`,
    );
  };

  /** References a request names, for hang rules and conflicts; `undefined` if its body does not parse. */
  const referencesOf = (kind: OperationKind, json: unknown): Array<ItemReference | undefined> | undefined => {
    switch (kind) {
      case 'read':
      case 'write': {
        const keyed = TableKeySchema.safeParse(json); // GetItem, UpdateItem, DeleteItem
        if (keyed.success)
          return [{ table: keyed.data.TableName, attributes: keyed.data.Key, writes: kind === 'write' }];
        const put = TableItemSchema.safeParse(json);
        if (put.success) return [{ table: put.data.TableName, attributes: put.data.Item, writes: true }];
        const table = TableRequestSchema.safeParse(json); // Query, Scan: a table, no item
        return table.success ? [{ table: table.data.TableName, attributes: {}, writes: false }] : undefined;
      }
      case 'transactWrite': {
        const parsed = TransactWriteItemsSchema.safeParse(json);
        return parsed.success ? parsed.data.TransactItems.map(transactWriteReference) : undefined;
      }
      case 'transactGet': {
        const parsed = TransactGetItemsSchema.safeParse(json);
        return parsed.success
          ? parsed.data.TransactItems.map((entry) => ({
              table: entry.Get.TableName,
              attributes: entry.Get.Key,
              writes: false,
            }))
          : undefined;
      }
      case 'batchWrite': {
        const parsed = BatchWriteItemSchema.safeParse(json);
        if (!parsed.success) return undefined;
        return Object.entries(parsed.data.RequestItems).flatMap(([table, requests]) =>
          requests.map((entry) => {
            const attributes = entry.PutRequest?.Item ?? entry.DeleteRequest?.Key;
            return attributes === undefined ? undefined : { table, attributes, writes: true };
          }),
        );
      }
      case 'batchGet': {
        const parsed = BatchGetItemSchema.safeParse(json);
        if (!parsed.success) return undefined;
        return Object.entries(parsed.data.RequestItems).flatMap(([table, entry]) =>
          entry.Keys.map((attributes) => ({ table, attributes, writes: false })),
        );
      }
      case 'statement': {
        const parsed = ExecuteStatementSchema.safeParse(json);
        return parsed.success ? [statementReference(parsed.data)] : undefined;
      }
      case 'batchStatement': {
        const parsed = BatchExecuteStatementSchema.safeParse(json);
        return parsed.success ? parsed.data.Statements.map(statementReference) : undefined;
      }
      case 'statementTransaction': {
        const parsed = ExecuteTransactionSchema.safeParse(json);
        return parsed.success ? parsed.data.TransactStatements.map(statementReference) : undefined;
      }
    }
  };

  const targetsOf = async (
    references: ReadonlyArray<ItemReference | undefined>,
    authorization: string | undefined,
  ): Promise<RequestTargets> => ({
    items: await Promise.all(
      references
        .filter((reference): reference is ItemReference => reference !== undefined)
        .map(async (reference) => {
          const keyNames = await keyNamesOf(reference.table, authorization);
          return {
            table: reference.table,
            keys: keyNames === undefined ? [] : keyStrings(keyNames, reference.attributes),
          };
        }),
    ),
  });

  const pickIndex = (count: number): number => Math.min(count - 1, Math.floor(random() * count));

  /** A transaction (TransactWriteItems, or an ExecuteTransaction that writes): hold its items while it runs. */
  const transactionWrite = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    references: ReadonlyArray<ItemReference | undefined>,
    token: string | undefined,
  ) => {
    if (drawThrottle()) {
      counts.throttles += 1;
      return send(
        response,
        transactionCanceled(cancellationReasons(references.length, [pickIndex(references.length)], THROTTLING_REASON)),
      );
    }
    if (settings.conflictHoldMs === undefined) return void (await forward(request, response, body));
    const ids = await idsOf(references, request.headers.authorization);
    const known = ids.filter((id): id is string => id !== undefined);
    // The SDK fills ClientRequestToken and keeps it across its retries: a retry does not conflict with itself.
    const owner = token ?? randomUUID();
    const now = Date.now();
    // Items whose table or key is unknown hold nothing: DynamoDB Local refuses such a request anyway.
    const conflicting = locks
      .heldByOthers(
        owner,
        ids.map((id) => id ?? ''),
        now,
      )
      .filter((index) => ids[index] !== undefined);
    if (conflicting.length > 0) {
      counts.conflicts += 1;
      return send(response, transactionCanceled(cancellationReasons(references.length, conflicting, CONFLICT_REASON)));
    }
    locks.acquire(owner, known, now); // no await since the check: nothing can have taken them meanwhile
    const status = await forward(request, response, body);
    if (status === 200) locks.settle(owner, known, Date.now() + holdMs());
    else locks.release(owner, known);
  };

  /** A read transaction (TransactGetItems, or an ExecuteTransaction of SELECTs). */
  const transactionRead = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    references: ReadonlyArray<ItemReference | undefined>,
  ) => {
    if (drawThrottle()) {
      counts.throttles += 1;
      return send(
        response,
        transactionCanceled(cancellationReasons(references.length, [pickIndex(references.length)], THROTTLING_REASON)),
      );
    }
    if (settings.conflictHoldMs !== undefined) {
      const ids = await idsOf(references, request.headers.authorization);
      const busy = locks.busy(
        ids.map((id) => id ?? ''),
        Date.now(),
      );
      const conflicting = busy.filter((index) => ids[index] !== undefined);
      if (conflicting.length > 0) {
        counts.conflicts += 1;
        return send(
          response,
          transactionCanceled(cancellationReasons(references.length, conflicting, CONFLICT_REASON)),
        );
      }
    }
    await forward(request, response, body);
  };

  /** A single-item write (PutItem, UpdateItem, DeleteItem, an ExecuteStatement write). */
  const plainWrite = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    reference: ItemReference | undefined,
  ) => {
    if (drawThrottle()) {
      counts.throttles += 1;
      const arn =
        reference === undefined ? undefined : tableArn(regionOf(request.headers.authorization), reference.table);
      return send(response, throttled(settings.throttleError, arn, true));
    }
    if (settings.conflictHoldMs === undefined || reference === undefined)
      return void (await forward(request, response, body));
    const [id] = await idsOf([reference], request.headers.authorization);
    if (id === undefined) return void (await forward(request, response, body));
    if (locks.heldByOthers('', [id], Date.now()).length > 0) {
      counts.conflicts += 1;
      return send(response, transactionConflict());
    }
    locks.beginWrite([id]);
    try {
      await forward(request, response, body);
    } finally {
      locks.endWrite([id]);
    }
  };

  /** GetItem, Query, Scan, an ExecuteStatement SELECT: only throttled, never conflicting. */
  const plainRead = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    reference: ItemReference | undefined,
  ) => {
    if (drawThrottle()) {
      counts.throttles += 1;
      const arn =
        reference === undefined ? undefined : tableArn(regionOf(request.headers.authorization), reference.table);
      return send(response, throttled(settings.throttleError, arn, false));
    }
    await forward(request, response, body);
  };

  /**
   * BatchWriteItem / BatchGetItem: each item is throttled on its own draw and comes back unprocessed;
   * only when all are does the whole request fail, as the BatchWriteItem and BatchGetItem references say.
   */
  const batch = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    kind: 'batchWrite' | 'batchGet',
    json: unknown,
    references: ReadonlyArray<ItemReference | undefined>,
  ) => {
    const throttledIndexes = new Set<number>();
    references.forEach((_, index) => {
      if (drawThrottle()) throttledIndexes.add(index);
    });
    const writes = kind === 'batchWrite' && settings.conflictHoldMs !== undefined;
    const ids = writes ? await idsOf(references, request.headers.authorization) : [];
    const writing = ids.filter((id, index): id is string => id !== undefined && !throttledIndexes.has(index));
    if (throttledIndexes.size === 0) {
      locks.beginWrite(writing);
      try {
        return void (await forward(request, response, body));
      } finally {
        locks.endWrite(writing);
      }
    }
    if (throttledIndexes.size === references.length) {
      counts.throttles += 1;
      const firstTable = references.find((reference) => reference !== undefined)?.table;
      const arn = firstTable === undefined ? undefined : tableArn(regionOf(request.headers.authorization), firstTable);
      return send(response, throttled(settings.throttleError, arn, kind === 'batchWrite'));
    }
    counts.throttledItems += throttledIndexes.size;
    const { forwarded, unprocessed } = splitBatch(kind, json, throttledIndexes);
    const rewritten = Buffer.from(JSON.stringify(forwarded));
    locks.beginWrite(writing);
    let answer: UpstreamAnswer;
    try {
      answer = await readUpstream(request.url ?? '/', forwardHeaders(request.headers, rewritten.length), rewritten);
    } catch (error) {
      return unreachable(response, error);
    } finally {
      locks.endWrite(writing);
    }
    const payload = answer.status === 200 ? parseJson(answer.body) : undefined;
    if (typeof payload !== 'object' || payload === null) {
      response.writeHead(answer.status, answer.headers);
      return void response.end(answer.body);
    }
    const member = kind === 'batchWrite' ? 'UnprocessedItems' : 'UnprocessedKeys';
    send(
      response,
      successResponse({
        ...payload,
        [member]: mergeUnprocessed(kind, (payload as Record<string, unknown>)[member], unprocessed),
      }),
    );
  };

  /** BatchExecuteStatement: conflicts and throttling answered per statement, the rest forwarded. */
  const batchStatement = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    json: unknown,
    references: ReadonlyArray<ItemReference | undefined>,
  ) => {
    const parsed = BatchExecuteStatementSchema.safeParse(json);
    if (!parsed.success) return void (await forward(request, response, body));
    const ids = settings.conflictHoldMs === undefined ? [] : await idsOf(references, request.headers.authorization);
    const now = Date.now();
    const errors = new Map<number, { Code: string; Message: string }>();
    references.forEach((reference, index) => {
      if (drawThrottle()) {
        errors.set(index, { Code: 'ThrottlingError', Message: THROTTLING_MESSAGE });
        counts.throttledItems += 1;
        return;
      }
      const id = ids[index];
      if (reference?.writes && id !== undefined && locks.heldByOthers('', [id], now).length > 0) {
        errors.set(index, { Code: 'TransactionConflict', Message: TRANSACTION_CONFLICT_MESSAGE });
        counts.conflicts += 1;
      }
    });
    if (errors.size === 0) return void (await forward(request, response, body));
    const statements = parsed.data.Statements;
    const kept = statements.flatMap((_, index) => (errors.has(index) ? [] : [index]));
    let forwardedResponses: unknown[] = [];
    if (kept.length > 0) {
      const rewritten = Buffer.from(
        JSON.stringify({ ...parsed.data, Statements: kept.map((index) => statements[index]) }),
      );
      let answer: UpstreamAnswer;
      try {
        answer = await readUpstream(request.url ?? '/', forwardHeaders(request.headers, rewritten.length), rewritten);
      } catch (error) {
        return unreachable(response, error);
      }
      const payload = answer.status === 200 ? parseJson(answer.body) : undefined;
      const responses = (payload as { Responses?: unknown } | undefined)?.Responses;
      if (!Array.isArray(responses)) {
        response.writeHead(answer.status, answer.headers);
        return void response.end(answer.body);
      }
      forwardedResponses = responses;
    }
    const merged = statements.map((_, index) => {
      const error = errors.get(index);
      if (error !== undefined) {
        const table = references[index]?.table;
        return table === undefined ? { Error: error } : { Error: error, TableName: table };
      }
      return forwardedResponses[kept.indexOf(index)] ?? {};
    });
    send(response, successResponse({ Responses: merged }));
  };

  const handleData = async (
    request: IncomingMessage,
    response: ServerResponse,
    operation: string,
    kind: OperationKind,
  ) => {
    const body = await readBody(request);
    const json = parseJson(body);
    const references = json === undefined ? undefined : referencesOf(kind, json);
    if (kind === 'transactWrite' || kind === 'transactGet' || kind === 'statementTransaction') counts.transactions += 1;

    if (hangRules.active) {
      const targets =
        hangRules.needsTargets(operation) && references !== undefined
          ? await targetsOf(references, request.headers.authorization)
          : { items: [] };
      const rule = hangRules.take(operation, targets);
      if (rule !== undefined) {
        if (rule.forward) {
          // The write lands in DynamoDB Local; its answer is swallowed as if the caller had died.
          await readUpstream(request.url ?? '/', forwardHeaders(request.headers, body.length), body).catch(
            () => undefined,
          );
        }
        return hold(request, response, rule);
      }
    }
    // Unreadable bodies go to DynamoDB Local untouched: its own validation error is the right answer.
    if (!faultsEnabled(settings) || references === undefined) return void (await forward(request, response, body));

    switch (kind) {
      case 'read':
        return plainRead(request, response, body, references[0]);
      case 'write':
        return plainWrite(request, response, body, references[0]);
      case 'statement': {
        const reference = references[0];
        return reference?.writes
          ? plainWrite(request, response, body, reference)
          : plainRead(request, response, body, reference);
      }
      case 'transactWrite': {
        const token = TransactWriteItemsSchema.safeParse(json).data?.ClientRequestToken;
        return transactionWrite(request, response, body, references, token);
      }
      case 'statementTransaction': {
        if (references.some((reference) => reference?.writes)) {
          const token = ExecuteTransactionSchema.safeParse(json).data?.ClientRequestToken;
          return transactionWrite(request, response, body, references, token);
        }
        return transactionRead(request, response, body, references);
      }
      case 'transactGet':
        return transactionRead(request, response, body, references);
      case 'batchWrite':
      case 'batchGet':
        return batch(request, response, body, kind, json, references);
      case 'batchStatement':
        return batchStatement(request, response, body, json, references);
    }
  };

  const state = () => ({
    faults: formatDynamoDbFaults(settings),
    settings,
    counts: { ...counts },
    hangRules: hangRules.list(),
    held: held.size,
    heldItems: locks.heldCount(Date.now()),
  });

  const addHang = (input: unknown): HangRule => {
    const rule = hangRules.add(input);
    log(`hang rule ${rule.id}: ${JSON.stringify(input)}`);
    return rule;
  };

  const proxy: Omit<DynamoDbFaultProxy, 'url' | 'port' | 'controlUrl' | 'close'> = {
    settings: () => ({ ...settings }),
    setFaults: (next) => {
      applySettings(next);
      log(`faults: ${formatDynamoDbFaults(settings)}`);
    },
    counts: () => ({ ...counts }),
    hang: (input) => addHang(input),
    clearHangs: () => {
      hangRules.clear();
      const released = held.size;
      // The held callers see their connection reset, as when the peer of a dead process goes away.
      for (const response of held) response.destroy();
      held.clear();
      return released;
    },
  };

  const control = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (!isLoopback(request.socket.remoteAddress))
      return sendJson(response, 403, { message: 'control endpoint is loopback only' });
    const method = request.method ?? 'GET';
    try {
      if (path === '/__faults' && method === 'GET') return sendJson(response, 200, state());
      if (path === '/__faults' && method === 'PUT') {
        proxy.setFaults(faultSettingsFromJson(parseJson(await readBody(request))));
        return sendJson(response, 200, state());
      }
      if (path === '/__faults/hang' && method === 'GET')
        return sendJson(response, 200, { rules: hangRules.list(), held: held.size });
      if (path === '/__faults/hang' && method === 'POST') {
        return sendJson(response, 201, addHang(parseJson(await readBody(request))));
      }
      if (path === '/__faults/hang' && method === 'DELETE')
        return sendJson(response, 200, { released: proxy.clearHangs() });
      return sendJson(response, 404, {
        message: `no control route ${method} ${path}; routes: GET|PUT /__faults, GET|POST|DELETE /__faults/hang`,
      });
    } catch (error) {
      if (error instanceof DynamoDbFaultSettingsError || error instanceof HangRuleError) {
        return sendJson(response, 400, { message: error.message });
      }
      throw error;
    }
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const task = (async () => {
      if (path === '/__faults' || path.startsWith('/__faults/')) return control(request, response, path);
      counts.requests += 1;
      const operation = operationOf(request.headers['x-amz-target']);
      if (operation !== undefined && TABLE_CHANGING_OPERATIONS.has(operation)) {
        keySchemas.clear();
        await forward(request, response);
        keySchemas.clear();
        return;
      }
      const kind = kindOf(operation);
      if (operation === undefined || kind === undefined || (!faultsEnabled(settings) && !hangRules.active)) {
        return void (await forward(request, response));
      }
      return handleData(request, response, operation, kind);
    })();
    task.catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: `fault proxy: ${String(error)}` });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const countsSnapshot = () =>
    `${JSON.stringify({ ...counts, faults: formatDynamoDbFaults(settings), startedAt, updatedAt: new Date().toISOString() }, null, 2)}\n`;
  const writeCounts = () => {
    const file = options.countsFile;
    if (file === undefined) return;
    const key = JSON.stringify(counts) + formatDynamoDbFaults(settings);
    if (key === countsWritten) return;
    countsWritten = key;
    const text = countsSnapshot();
    // Written aside and renamed, so a reader never sees half a file.
    countsWrite = countsWrite
      .then(async () => {
        await writeFile(`${file}.tmp`, text);
        renameSync(`${file}.tmp`, file);
      })
      .catch((error: unknown) => log(`could not write ${file}: ${String(error)}`));
  };
  writeCounts();
  const timer = setInterval(() => {
    writeCounts();
    locks.sweep(Date.now());
  }, options.countsIntervalMs ?? 1000);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    ...proxy,
    url,
    port,
    controlUrl: `${url}/__faults`,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer);
        proxy.clearHangs();
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        server.closeAllConnections();
        await closed;
        agent.destroy();
        await countsWrite;
        if (options.countsFile !== undefined) writeFileSync(options.countsFile, countsSnapshot());
      })();
      return closing;
    },
  };
}

/** Splits a batch into the request to forward and the throttled entries, in the shape of the unprocessed member. */
function splitBatch(
  kind: 'batchWrite' | 'batchGet',
  json: unknown,
  throttledIndexes: ReadonlySet<number>,
): { forwarded: Record<string, unknown>; unprocessed: Record<string, unknown> } {
  let index = 0;
  const forwardedItems: Record<string, unknown> = {};
  const unprocessed: Record<string, unknown> = {};
  if (kind === 'batchWrite') {
    const parsed = BatchWriteItemSchema.parse(json);
    for (const [table, requests] of Object.entries(parsed.RequestItems)) {
      const kept: unknown[] = [];
      const left: unknown[] = [];
      for (const entry of requests) {
        (throttledIndexes.has(index) ? left : kept).push(entry);
        index += 1;
      }
      if (kept.length > 0) forwardedItems[table] = kept;
      if (left.length > 0) unprocessed[table] = left;
    }
    return { forwarded: { ...parsed, RequestItems: forwardedItems }, unprocessed };
  }
  const parsed = BatchGetItemSchema.parse(json);
  for (const [table, entry] of Object.entries(parsed.RequestItems)) {
    const kept: unknown[] = [];
    const left: unknown[] = [];
    for (const key of entry.Keys) {
      (throttledIndexes.has(index) ? left : kept).push(key);
      index += 1;
    }
    // An unprocessed entry keeps its projection and consistency settings, as DynamoDB returns them.
    if (kept.length > 0) forwardedItems[table] = { ...entry, Keys: kept };
    if (left.length > 0) unprocessed[table] = { ...entry, Keys: left };
  }
  return { forwarded: { ...parsed, RequestItems: forwardedItems }, unprocessed };
}

/** Adds the proxy's throttled entries to what DynamoDB Local itself left unprocessed. */
function mergeUnprocessed(kind: 'batchWrite' | 'batchGet', fromUpstream: unknown, ours: Record<string, unknown>) {
  const merged: Record<string, unknown> =
    typeof fromUpstream === 'object' && fromUpstream !== null ? { ...(fromUpstream as Record<string, unknown>) } : {};
  for (const [table, entry] of Object.entries(ours)) {
    const existing = merged[table];
    if (existing === undefined) {
      merged[table] = entry;
    } else if (kind === 'batchWrite' && Array.isArray(existing) && Array.isArray(entry)) {
      merged[table] = [...existing, ...entry];
    } else if (kind === 'batchGet') {
      const keys = (value: unknown) => ((value as { Keys?: unknown[] }).Keys ?? []) as unknown[];
      merged[table] = { ...(entry as object), Keys: [...keys(existing), ...keys(entry)] };
    }
  }
  return merged;
}
