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
 *
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
 * (#transaction-conflict-handling, #transaction-isolation),
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html (Errors),
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html.
 */
import { randomUUID } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { mulberry32, type Random } from './connect-simulator/random.ts';
import { type BatchKind, mergeStatementResponses, mergeUnprocessed, splitBatch } from './dynamodb-batches.ts';
import { CapacityMeter } from './dynamodb-capacity-meter.ts';
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
import { DynamoDbUpstream, parseJson, readBody, sendJson, sendWire } from './dynamodb-upstream.ts';
import {
  accessDenied,
  BatchExecuteStatementSchema,
  CONFLICT_REASON,
  cancellationReasons,
  ExecuteTransactionSchema,
  type ItemReference,
  itemId,
  keyStrings,
  kindOf,
  type OperationKind,
  operationOf,
  regionOf,
  requestReferences,
  successResponse,
  TABLE_CHANGING_OPERATIONS,
  THROTTLING_MESSAGE,
  THROTTLING_REASON,
  TRANSACTION_CONFLICT_MESSAGE,
  TransactWriteItemsSchema,
  tableArn,
  throttled,
  transactionCanceled,
  transactionConflict,
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
  /** Requests refused with AccessDeniedException (`deny`). */
  denied: number;
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

const JsonObjectSchema = z.record(z.string(), z.unknown());
/** Writes the capacity meter books (docs/local-cloud.md). */
const METERED_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);
const StatementResponsesSchema = z.looseObject({ Responses: z.array(z.unknown()) });

const isLoopback = (address: string | undefined): boolean =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

type Handler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => Promise<void>;

/** Starts the proxy on loopback. */
export async function startDynamoDbFaultProxy(options: DynamoDbFaultProxyOptions): Promise<DynamoDbFaultProxy> {
  const upstream = new DynamoDbUpstream(options.upstream);
  const log = options.log ?? (() => undefined);
  const locks = new ItemLocks();
  const hangRules = new HangRules();
  const held = new Set<ServerResponse>();
  const counts: FaultCounts = {
    requests: 0,
    transactions: 0,
    conflicts: 0,
    throttles: 0,
    throttledItems: 0,
    denied: 0,
    hung: 0,
  };
  const startedAt = new Date().toISOString();
  let settings: DynamoDbFaultSettings = { ...NO_FAULTS };
  let random: Random = Math.random;

  const applySettings = (next: DynamoDbFaultSettings) => {
    settings = { ...next };
    random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
    // Holds taken under the old settings would outlive a switch to "off"; a new regime starts clean.
    locks.clear();
  };
  applySettings(options.faults ?? NO_FAULTS);

  const drawThrottle = (): boolean => settings.throttleProbability > 0 && random() < settings.throttleProbability;
  const holdMs = (): number => {
    const hold = settings.conflictHoldMs;
    return hold === undefined ? 0 : Math.round(hold.min + random() * (hold.max - hold.min));
  };
  const pickIndex = (count: number): number => Math.min(count - 1, Math.floor(random() * count));
  const arnOf = (request: IncomingMessage, table: string | undefined) =>
    table === undefined ? undefined : tableArn(regionOf(request.headers.authorization), table);
  const meter = new CapacityMeter();
  /** Write requests the meter books: their operation and parsed body, set as each request is read. */
  const metered = new WeakMap<IncomingMessage, { operation: string; json: Record<string, unknown> }>();
  /**
   * Forwards the request and answers with DynamoDB Local's answer; with the meter on, a write asks for its
   * consumed capacity and is booked. Resolves to the answer's HTTP status.
   */
  const forwardWithStatus = async (
    request: IncomingMessage,
    response: ServerResponse,
    body?: Buffer,
  ): Promise<number> => {
    const write = meter.enabled && body !== undefined ? metered.get(request) : undefined;
    if (write === undefined) return upstream.forward(request, response, body);
    try {
      const answer = await upstream.read(
        request,
        Buffer.from(JSON.stringify({ ...write.json, ReturnConsumedCapacity: 'INDEXES' })),
      );
      if (answer.status === 200) meter.record(write.operation, write.json, parseJson(answer.body));
      sendWire(response, answer);
      return answer.status;
    } catch (error) {
      upstream.unreachable(response, error);
      return 502;
    }
  };
  const forward = (request: IncomingMessage, response: ServerResponse, body?: Buffer) =>
    forwardWithStatus(request, response, body).then(() => undefined);

  /** Canonical ids of the references (undefined where the table or key is unknown). */
  const idsOf = (references: ReadonlyArray<ItemReference | undefined>, request: IncomingMessage) =>
    Promise.all(
      references.map(async (reference) => {
        if (reference === undefined) return undefined;
        const keyNames = await upstream.keyNames(reference.table, request.headers.authorization);
        return keyNames === undefined ? undefined : itemId(reference.table, keyNames, reference.attributes);
      }),
    );

  const targetsOf = async (
    references: ReadonlyArray<ItemReference | undefined>,
    request: IncomingMessage,
  ): Promise<RequestTargets> => ({
    items: await Promise.all(
      references
        .filter((reference): reference is ItemReference => reference !== undefined)
        .map(async (reference) => {
          const keyNames = await upstream.keyNames(reference.table, request.headers.authorization);
          const keys = keyNames === undefined ? [] : keyStrings(keyNames, reference.attributes);
          return { table: reference.table, keys };
        }),
    ),
  });

  /** Cancels a transaction of `count` items with `reason` at `indexes`. */
  const cancel = (response: ServerResponse, count: number, indexes: number[], reason: typeof CONFLICT_REASON) =>
    sendWire(response, transactionCanceled(cancellationReasons(count, indexes, reason)));

  /** A transaction that writes (TransactWriteItems, a writing ExecuteTransaction): holds its items while it runs. */
  const transactionWrite = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    references: ReadonlyArray<ItemReference | undefined>,
    token: string | undefined,
  ) => {
    if (drawThrottle()) {
      counts.throttles += 1;
      return cancel(response, references.length, [pickIndex(references.length)], THROTTLING_REASON);
    }
    if (settings.conflictHoldMs === undefined) return forward(request, response, body);
    const ids = await idsOf(references, request);
    // Items whose table or key is unknown hold nothing: DynamoDB Local refuses such a request anyway.
    const known = ids.filter((id): id is string => id !== undefined);
    // The SDK fills ClientRequestToken and keeps it across its retries: a retry does not conflict with itself.
    const owner = token ?? randomUUID();
    const now = Date.now();
    const slots = ids.map((id) => id ?? '');
    const conflicting = locks.heldByOthers(owner, slots, now).filter((index) => ids[index] !== undefined);
    if (conflicting.length > 0) {
      counts.conflicts += 1;
      return cancel(response, references.length, conflicting, CONFLICT_REASON);
    }
    locks.acquire(owner, known, now); // no await since the check: nothing can have taken them meanwhile
    const status = await forwardWithStatus(request, response, body);
    if (status === 200) locks.settle(owner, known, Date.now() + holdMs());
    else locks.release(owner, known);
  };

  /** A transaction that reads (TransactGetItems, an ExecuteTransaction of SELECTs): never holds anything. */
  const transactionRead = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    references: ReadonlyArray<ItemReference | undefined>,
  ) => {
    if (drawThrottle()) {
      counts.throttles += 1;
      return cancel(response, references.length, [pickIndex(references.length)], THROTTLING_REASON);
    }
    if (settings.conflictHoldMs !== undefined) {
      const ids = await idsOf(references, request);
      const busy = locks.busy(
        ids.map((id) => id ?? ''),
        Date.now(),
      );
      const conflicting = busy.filter((index) => ids[index] !== undefined);
      if (conflicting.length > 0) {
        counts.conflicts += 1;
        return cancel(response, references.length, conflicting, CONFLICT_REASON);
      }
    }
    return forward(request, response, body);
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
      return sendWire(response, throttled(settings.throttleError, arnOf(request, reference?.table), true));
    }
    const [id] = settings.conflictHoldMs === undefined ? [] : await idsOf([reference], request);
    if (id === undefined) return forward(request, response, body);
    if (locks.heldByOthers('', [id], Date.now()).length > 0) {
      counts.conflicts += 1;
      return sendWire(response, transactionConflict());
    }
    locks.beginWrite([id]);
    try {
      await forward(request, response, body);
    } finally {
      locks.endWrite([id]);
    }
  };

  /** GetItem, Query, Scan, an ExecuteStatement SELECT: throttled, never conflicting. */
  const plainRead = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    reference: ItemReference | undefined,
  ) => {
    if (!drawThrottle()) return forward(request, response, body);
    counts.throttles += 1;
    sendWire(response, throttled(settings.throttleError, arnOf(request, reference?.table), false));
  };

  /**
   * BatchWriteItem, BatchGetItem: each item is throttled on its own draw and comes back unprocessed;
   * only when all are does the whole request fail, as the BatchWriteItem and BatchGetItem references say.
   * Written items count as writes in flight (a TransactGetItems on them conflicts).
   */
  const batch = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    kind: BatchKind,
    json: unknown,
    references: ReadonlyArray<ItemReference | undefined>,
  ) => {
    const throttledIndexes = new Set<number>();
    references.forEach((_, index) => {
      if (drawThrottle()) throttledIndexes.add(index);
    });
    if (throttledIndexes.size > 0 && throttledIndexes.size === references.length) {
      counts.throttles += 1;
      const firstTable = references.find((reference) => reference !== undefined)?.table;
      return sendWire(response, throttled(settings.throttleError, arnOf(request, firstTable), kind === 'batchWrite'));
    }
    const tracked = kind === 'batchWrite' && settings.conflictHoldMs !== undefined;
    const ids = tracked ? await idsOf(references, request) : [];
    const writing = ids.filter((id, index): id is string => id !== undefined && !throttledIndexes.has(index));
    locks.beginWrite(writing);
    try {
      if (throttledIndexes.size === 0) return await forward(request, response, body);
      counts.throttledItems += throttledIndexes.size;
      const { forwarded, unprocessed } = splitBatch(kind, json, throttledIndexes);
      const answer = await upstream.read(request, Buffer.from(JSON.stringify(forwarded)));
      const payload = JsonObjectSchema.safeParse(answer.status === 200 ? parseJson(answer.body) : undefined);
      if (!payload.success) return sendWire(response, answer);
      const member = kind === 'batchWrite' ? 'UnprocessedItems' : 'UnprocessedKeys';
      const merged = mergeUnprocessed(kind, payload.data[member], unprocessed);
      sendWire(response, successResponse({ ...payload.data, [member]: merged }));
    } catch (error) {
      upstream.unreachable(response, error);
    } finally {
      locks.endWrite(writing);
    }
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
    if (!parsed.success) return forward(request, response, body);
    const ids = settings.conflictHoldMs === undefined ? [] : await idsOf(references, request);
    const now = Date.now();
    const errors = new Map<number, { Code: string; Message: string; TableName?: string }>();
    references.forEach((reference, index) => {
      const TableName = reference?.table;
      if (drawThrottle()) {
        errors.set(index, { Code: 'ThrottlingError', Message: THROTTLING_MESSAGE, TableName });
        counts.throttledItems += 1;
        return;
      }
      const id = ids[index];
      if (reference?.writes && id !== undefined && locks.heldByOthers('', [id], now).length > 0) {
        errors.set(index, { Code: 'TransactionConflict', Message: TRANSACTION_CONFLICT_MESSAGE, TableName });
        counts.conflicts += 1;
      }
    });
    if (errors.size === 0) return forward(request, response, body);
    const statements = parsed.data.Statements.filter((_, index) => !errors.has(index));
    let forwarded: unknown[] = [];
    if (statements.length > 0) {
      try {
        const answer = await upstream.read(
          request,
          Buffer.from(JSON.stringify({ ...parsed.data, Statements: statements })),
        );
        const responses = StatementResponsesSchema.safeParse(
          answer.status === 200 ? parseJson(answer.body) : undefined,
        );
        if (!responses.success) return sendWire(response, answer);
        forwarded = responses.data.Responses;
      } catch (error) {
        return upstream.unreachable(response, error);
      }
    }
    sendWire(response, successResponse({ Responses: mergeStatementResponses(references.length, errors, forwarded) }));
  };

  /** Reads a data-plane request, applies hang rules, then the faults its operation can meet. */
  const handleData = async (
    request: IncomingMessage,
    response: ServerResponse,
    operation: string,
    kind: OperationKind,
  ) => {
    const body = await readBody(request);
    const json = parseJson(body);
    if (meter.enabled && METERED_OPERATIONS.has(operation)) {
      const object = JsonObjectSchema.safeParse(json);
      if (object.success) metered.set(request, { operation, json: object.data });
    }
    const references = json === undefined ? undefined : requestReferences(kind, json);
    if (kind === 'transactWrite' || kind === 'transactGet' || kind === 'statementTransaction') counts.transactions += 1;

    if (hangRules.active) {
      const targets =
        hangRules.needsTargets(operation) && references !== undefined
          ? await targetsOf(references, request)
          : { items: [] };
      const rule = hangRules.take(operation, targets);
      if (rule !== undefined) return hold(request, response, body, rule);
    }
    // Unreadable bodies go to DynamoDB Local untouched: its own validation error is the right answer.
    if (!faultsEnabled(settings) || references === undefined) return forward(request, response, body);
    if (settings.denyProbability > 0 && random() < settings.denyProbability) {
      counts.denied += 1;
      const table = references.find((reference) => reference !== undefined)?.table;
      return sendWire(response, accessDenied(operation, arnOf(request, table)));
    }

    const handlers: Record<OperationKind, Handler> = {
      read: (...args) => plainRead(...args, references[0]),
      write: (...args) => plainWrite(...args, references[0]),
      statement: (...args) =>
        references[0]?.writes ? plainWrite(...args, references[0]) : plainRead(...args, references[0]),
      transactWrite: (...args) =>
        transactionWrite(...args, references, TransactWriteItemsSchema.safeParse(json).data?.ClientRequestToken),
      statementTransaction: (...args) =>
        references.some((reference) => reference?.writes)
          ? transactionWrite(...args, references, ExecuteTransactionSchema.safeParse(json).data?.ClientRequestToken)
          : transactionRead(...args, references),
      transactGet: (...args) => transactionRead(...args, references),
      batchWrite: (...args) => batch(...args, 'batchWrite', json, references),
      batchGet: (...args) => batch(...args, 'batchGet', json, references),
      batchStatement: (...args) => batchStatement(...args, json, references),
    };
    return handlers[kind](request, response, body);
  };

  /** The crash switch: keep the connection, answer nothing (after forwarding, with `forward`). */
  const hold = async (request: IncomingMessage, response: ServerResponse, body: Buffer, rule: HangRule) => {
    // With forward, the write lands in DynamoDB Local and its answer is swallowed, as if the caller had died.
    if (rule.forward) await upstream.read(request, body).catch(() => undefined);
    counts.hung += 1;
    held.add(response);
    response.once('close', () => held.delete(response));
    const operation = operationOf(request.headers['x-amz-target']) ?? 'request';
    log(`holding ${operation} (hang rule ${rule.id}${rule.forward ? ', forwarded' : ''})`);
  };

  const addHang = (input: unknown): HangRule => {
    const rule = hangRules.add(input);
    log(`hang rule ${rule.id}: ${JSON.stringify(input)}`);
    return rule;
  };

  const clearHangs = (): number => {
    hangRules.clear();
    const released = held.size;
    // The held callers see their connection reset, as when the peer of a dead process goes away.
    for (const response of held) response.destroy();
    held.clear();
    return released;
  };

  const setFaults = (next: DynamoDbFaultSettings) => {
    applySettings(next);
    log(`faults: ${formatDynamoDbFaults(settings)}`);
  };

  const state = () => ({
    faults: formatDynamoDbFaults(settings),
    settings,
    counts: { ...counts },
    hangRules: hangRules.list(),
    held: held.size,
    heldItems: locks.heldCount(Date.now()),
  });

  const control = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (!isLoopback(request.socket.remoteAddress)) {
      return sendJson(response, 403, { message: 'the control endpoint answers loopback clients only' });
    }
    const method = request.method ?? 'GET';
    try {
      if (path === '/__faults' && method === 'GET') return sendJson(response, 200, state());
      if (path === '/__faults' && method === 'PUT') {
        setFaults(faultSettingsFromJson(parseJson(await readBody(request))));
        return sendJson(response, 200, state());
      }
      if (path === '/__faults/hang' && method === 'GET') {
        return sendJson(response, 200, { rules: hangRules.list(), held: held.size });
      }
      if (path === '/__faults/hang' && method === 'POST') {
        return sendJson(response, 201, addHang(parseJson(await readBody(request))));
      }
      if (path === '/__faults/hang' && method === 'DELETE') return sendJson(response, 200, { released: clearHangs() });
      // The capacity meter: PUT switches it on (and starts it afresh), GET reports, DELETE switches it off.
      if (path === '/__faults/capacity' && method === 'PUT') {
        meter.reset();
        meter.enabled = true;
        return sendJson(response, 200, meter.report());
      }
      if (path === '/__faults/capacity' && method === 'GET') return sendJson(response, 200, meter.report());
      if (path === '/__faults/capacity' && method === 'DELETE') {
        meter.enabled = false;
        return sendJson(response, 200, meter.report());
      }
      return sendJson(response, 404, {
        message: `no control route ${method} ${path}; routes: GET|PUT /__faults, GET|POST|DELETE /__faults/hang, GET|PUT|DELETE /__faults/capacity`,
      });
    } catch (error) {
      if (error instanceof DynamoDbFaultSettingsError || error instanceof HangRuleError) {
        return sendJson(response, 400, { message: error.message });
      }
      throw error;
    }
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/__faults' || path.startsWith('/__faults/')) return control(request, response, path);
    counts.requests += 1;
    const operation = operationOf(request.headers['x-amz-target']);
    if (operation !== undefined && TABLE_CHANGING_OPERATIONS.has(operation)) {
      upstream.forgetTables();
      await forward(request, response);
      upstream.forgetTables();
      return;
    }
    const kind = kindOf(operation);
    // The common case, faults off: stream the request through without reading it.
    if (operation === undefined || kind === undefined || (!faultsEnabled(settings) && !hangRules.active)) {
      return forward(request, response);
    }
    return handleData(request, response, operation, kind);
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: `fault proxy: ${String(error)}` });
      else response.destroy();
    });
  });
  // Like AWS endpoints, keep idle connections for a minute: a short timeout races clients reusing a socket.
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

  const countsFile = startCountsFile(
    options,
    () => ({ ...counts, faults: formatDynamoDbFaults(settings), startedAt }),
    log,
  );
  const sweeper = setInterval(() => locks.sweep(Date.now()), 1000);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    controlUrl: `${url}/__faults`,
    settings: () => ({ ...settings }),
    setFaults,
    counts: () => ({ ...counts }),
    hang: (input: HangRuleInput) => addHang(input),
    clearHangs,
    close: () => {
      closing ??= (async () => {
        clearInterval(sweeper);
        clearHangs();
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        server.closeAllConnections();
        await closed;
        upstream.close();
        await countsFile.close();
      })();
      return closing;
    },
  };
}

/**
 * Writes the counts to `options.countsFile` every `countsIntervalMs` when they changed, and once
 * more at close. Each write goes to a side file renamed into place, so a reader never sees half a file.
 */
function startCountsFile(
  options: DynamoDbFaultProxyOptions,
  snapshot: () => Record<string, unknown>,
  log: (line: string) => void,
): { close(): Promise<void> } {
  const file = options.countsFile;
  if (file === undefined) return { close: async () => undefined };
  const render = () => `${JSON.stringify({ ...snapshot(), updatedAt: new Date().toISOString() }, null, 2)}\n`;
  let written = '';
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    const current = JSON.stringify(snapshot());
    if (current === written) return;
    written = current;
    const text = render();
    writing = writing
      .then(async () => {
        await writeFile(`${file}.tmp`, text);
        renameSync(`${file}.tmp`, file);
      })
      .catch((error: unknown) => log(`could not write ${file}: ${String(error)}`));
  };
  write();
  const timer = setInterval(write, options.countsIntervalMs ?? 1000);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await writing;
      writeFileSync(file, render());
    },
  };
}
