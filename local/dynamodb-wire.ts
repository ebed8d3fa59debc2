/**
 * DynamoDB's low-level JSON protocol as the fault proxy reads and writes it: `POST /` with
 * `X-Amz-Target: DynamoDB_20120810.<Operation>` and an `application/x-amz-json-1.0` body; errors are
 * HTTP 400 with `{"__type":"com.amazonaws.dynamodb.v20120810#<Name>", ...}` (API reference,
 * "Error handling with DynamoDB" and "Making HTTP requests"). Bodies of errors below were checked
 * against DynamoDB Local 3.x and real DynamoDB responses quoted in SDK issues (aws/aws-sdk-net#1292,
 * erlcloud/erlcloud#607): `TransactionCanceledException` carries `Message` and `CancellationReasons`
 * (one per item, in request order, `{"Code":"None"}` without a message for the items that were fine).
 */
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { partiqlItem } from './partiql-keys.ts';

export const TARGET_PREFIX = 'DynamoDB_20120810.';
const ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810#';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** The operation an `X-Amz-Target` names (`PutItem`), or undefined for another service (DynamoDB Streams). */
export function operationOf(target: string | string[] | undefined): string | undefined {
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX)
    ? target.slice(TARGET_PREFIX.length)
    : undefined;
}

/** The region of a SigV4 `Authorization` header's credential scope, for ARNs in error bodies. */
export function regionOf(authorization: string | string[] | undefined): string {
  const match = typeof authorization === 'string' ? /Credential=[^/]+\/\d+\/([^/]+)\//.exec(authorization) : null;
  return match?.[1] ?? 'ddblocal';
}

/** Data-plane operations the proxy knows how to fault; everything else (tables, TTL, Streams) is only forwarded. */
export const OPERATION_KINDS = {
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  GetItem: 'read',
  Query: 'read',
  Scan: 'read',
  TransactWriteItems: 'transactWrite',
  TransactGetItems: 'transactGet',
  BatchWriteItem: 'batchWrite',
  BatchGetItem: 'batchGet',
  ExecuteStatement: 'statement',
  BatchExecuteStatement: 'batchStatement',
  ExecuteTransaction: 'statementTransaction',
} as const;
export type OperationKind = (typeof OPERATION_KINDS)[keyof typeof OPERATION_KINDS];

export function kindOf(operation: string | undefined): OperationKind | undefined {
  return operation !== undefined && Object.hasOwn(OPERATION_KINDS, operation)
    ? OPERATION_KINDS[operation as keyof typeof OPERATION_KINDS]
    : undefined;
}

/** Operations that change a table's key schema: the proxy forgets what it learnt about tables. */
export const TABLE_CHANGING_OPERATIONS = new Set([
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'RestoreTableFromBackup',
]);

// Request shapes, as far as the proxy reads them. Loose objects keep every other member, so a
// rewritten request (a batch without its throttled items) forwards everything else unchanged.
const AttributeMapSchema = z.record(z.string(), z.unknown());
export const TableItemSchema = z.looseObject({ TableName: z.string(), Item: AttributeMapSchema });
export const TableKeySchema = z.looseObject({ TableName: z.string(), Key: AttributeMapSchema });

export const TableRequestSchema = z.looseObject({ TableName: z.string() });
export const TransactWriteItemsSchema = z.looseObject({
  TransactItems: z.array(
    z.looseObject({
      Put: TableItemSchema.optional(),
      Update: TableKeySchema.optional(),
      Delete: TableKeySchema.optional(),
      ConditionCheck: TableKeySchema.optional(),
    }),
  ),
  ClientRequestToken: z.string().optional(),
});
export const TransactGetItemsSchema = z.looseObject({
  TransactItems: z.array(z.looseObject({ Get: TableKeySchema })),
});
const WriteRequestSchema = z.looseObject({
  PutRequest: z.looseObject({ Item: AttributeMapSchema }).optional(),
  DeleteRequest: z.looseObject({ Key: AttributeMapSchema }).optional(),
});
export const BatchWriteItemSchema = z.looseObject({
  RequestItems: z.record(z.string(), z.array(WriteRequestSchema)),
});
export const BatchGetItemSchema = z.looseObject({
  RequestItems: z.record(z.string(), z.looseObject({ Keys: z.array(AttributeMapSchema) })),
});
const StatementSchema = z.looseObject({ Statement: z.string(), Parameters: z.array(z.unknown()).optional() });
export const ExecuteStatementSchema = StatementSchema;
export const BatchExecuteStatementSchema = z.looseObject({ Statements: z.array(StatementSchema) });
export const ExecuteTransactionSchema = z.looseObject({
  TransactStatements: z.array(StatementSchema),
  ClientRequestToken: z.string().optional(),
});

/** One item a request names: its table and either its key or the whole item (a put). */
export interface ItemReference {
  table: string;
  attributes: Record<string, unknown>;
  /** A write (put, update, delete, INSERT/UPDATE/DELETE) rather than a read or a condition check. */
  writes: boolean;
}

/** The item a transaction entry names (Put, Update, Delete or ConditionCheck). */
export function transactWriteReference(
  entry: z.infer<typeof TransactWriteItemsSchema>['TransactItems'][number],
): ItemReference | undefined {
  if (entry.Put) return { table: entry.Put.TableName, attributes: entry.Put.Item, writes: true };
  const keyed = entry.Update ?? entry.Delete;
  if (keyed) return { table: keyed.TableName, attributes: keyed.Key, writes: true };
  if (entry.ConditionCheck) {
    return { table: entry.ConditionCheck.TableName, attributes: entry.ConditionCheck.Key, writes: false };
  }
  return undefined;
}

/** The item a PartiQL statement names, as an {@link ItemReference}. */
export function statementReference(statement: z.infer<typeof StatementSchema>): ItemReference | undefined {
  const item = partiqlItem(statement.Statement, statement.Parameters ?? []);
  return item === undefined
    ? undefined
    : { table: item.table, attributes: item.attributes, writes: item.kind === 'write' };
}

/**
 * Every item a request names, in request order (for a batch: table by table), for hang rules and
 * conflicts; `undefined` where an entry names none (a statement whose key cannot be told), and
 * `undefined` for the whole when the body does not have the operation's shape.
 */
export function requestReferences(kind: OperationKind, json: unknown): Array<ItemReference | undefined> | undefined {
  switch (kind) {
    case 'read':
    case 'write': {
      const keyed = TableKeySchema.safeParse(json); // GetItem, UpdateItem, DeleteItem
      if (keyed.success) return [{ table: keyed.data.TableName, attributes: keyed.data.Key, writes: kind === 'write' }];
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
        ? parsed.data.TransactItems.map(({ Get }) => ({ table: Get.TableName, attributes: Get.Key, writes: false }))
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
}

/**
 * The canonical id of an item: table plus its key values in key-schema order, so that a Put naming
 * the whole item and an Update naming its key meet. `undefined` when a key attribute is missing or
 * not a scalar (DynamoDB Local will refuse that request itself).
 */
export function itemId(
  table: string,
  keyNames: readonly string[],
  attributes: Record<string, unknown>,
): string | undefined {
  const parts: string[] = [table];
  for (const name of keyNames) {
    const value = canonicalKeyValue(attributes[name]);
    if (value === undefined) return undefined;
    parts.push(value);
  }
  return JSON.stringify(parts);
}

const ScalarSchema = z.union([
  z.strictObject({ S: z.string() }),
  z.strictObject({ N: z.string() }),
  z.strictObject({ B: z.string() }),
]);

function canonicalKeyValue(value: unknown): string | undefined {
  const parsed = ScalarSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const scalar = parsed.data;
  if ('S' in scalar) return `S${scalar.S}`;
  if ('B' in scalar) return `B${scalar.B}`;
  return `N${canonicalNumber(scalar.N)}`;
}

/** `1`, `1.0`, `+1.00` and `1e0` are one DynamoDB number; a key written either way is one item. */
export function canonicalNumber(text: string): string {
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  // value = 0.<significant> × 10^point: leading zeros move the point, trailing zeros do not count.
  const digits = `${whole}${fraction}`;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.slice(leading).replace(/0+$/, '');
  if (significant === '') return '0';
  const point = whole.length - leading + Number(exponent);
  return `${sign === '-' ? '-' : ''}0.${significant}e${point}`;
}

/** The key values of an item (attributes named by the key schema), for hang rules that match a key prefix. */
export function keyStrings(keyNames: readonly string[], attributes: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const name of keyNames) {
    const parsed = ScalarSchema.safeParse(attributes[name]);
    if (parsed.success) values.push(Object.values(parsed.data)[0] ?? '');
  }
  return values;
}

/** Cancellation reason of an item DynamoDB cancelled, in TransactionCanceledException's list. */
export interface CancellationReason {
  Code: string;
  Message?: string;
}

/** Reason texts: the TransactWriteItems API reference's list of cancellation codes and messages. */
export const TRANSACTION_CONFLICT_MESSAGE = 'Transaction is ongoing for the item';
/** The on-demand table's throttling message (API reference, TransactionCanceledException, `ThrottlingError`). */
export const THROTTLING_MESSAGE =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or ' +
  'index so please try again shortly. If exceptions persist, check if you have a hot key: ' +
  'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html';

export const NONE_REASON: CancellationReason = { Code: 'None' };
export const CONFLICT_REASON: CancellationReason = {
  Code: 'TransactionConflict',
  Message: TRANSACTION_CONFLICT_MESSAGE,
};
export const THROTTLING_REASON: CancellationReason = { Code: 'ThrottlingError', Message: THROTTLING_MESSAGE };

/** A reason list with `reason` at each of `indexes` and `None` elsewhere. */
export function cancellationReasons(count: number, indexes: readonly number[], reason: CancellationReason) {
  return Array.from({ length: count }, (_, index) => (indexes.includes(index) ? reason : NONE_REASON));
}

/** An error answer: HTTP status, headers and body, as DynamoDB sends them. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function jsonResponse(status: number, payload: unknown, withChecksum: boolean): WireResponse {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': randomUUID(),
  };
  // DynamoDB signs successful bodies with a CRC32 of the bytes; errors carry none (as DynamoDB Local).
  if (withChecksum) headers['x-amz-crc32'] = String(crc32(body));
  return { status, headers, body };
}

/** A successful answer the proxy rebuilt (a batch with its throttled items put back as unprocessed). */
export const successResponse = (payload: unknown): WireResponse => jsonResponse(200, payload, true);

/** `TransactionCanceledException` with one reason per item, in request order. */
export function transactionCanceled(reasons: readonly CancellationReason[]): WireResponse {
  return jsonResponse(
    400,
    {
      __type: `${ERROR_NAMESPACE}TransactionCanceledException`,
      CancellationReasons: reasons,
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
    },
    false,
  );
}

/** `TransactionConflictException`: a plain write on an item an ongoing transaction holds. */
export function transactionConflict(): WireResponse {
  return jsonResponse(
    400,
    { __type: `${ERROR_NAMESPACE}TransactionConflictException`, message: TRANSACTION_CONFLICT_MESSAGE },
    false,
  );
}

/**
 * A throttled request. Both exceptions carry the reason and the table's ARN (`ThrottlingReason` in the
 * API reference); the SDK model spells the list `ThrottlingReasons` on
 * ProvisionedThroughputExceededException and `throttlingReasons` on ThrottlingException.
 */
export function throttled(
  error: 'ProvisionedThroughputExceededException' | 'ThrottlingException',
  tableArn: string | undefined,
  writes: boolean,
): WireResponse {
  const reasons =
    tableArn === undefined
      ? undefined
      : [{ reason: `Table${writes ? 'Write' : 'Read'}KeyRangeThroughputExceeded`, resource: tableArn }];
  const listName = error === 'ThrottlingException' ? 'throttlingReasons' : 'ThrottlingReasons';
  return jsonResponse(
    400,
    { __type: `${ERROR_NAMESPACE}${error}`, message: THROTTLING_MESSAGE, ...(reasons ? { [listName]: reasons } : {}) },
    false,
  );
}

/** `AccessDeniedException`: the caller's policy lacks the action (a 400 the SDK does not retry). */
export function accessDenied(operation: string, tableArn: string | undefined): WireResponse {
  return jsonResponse(
    400,
    {
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: `User: arn:aws:sts::000000000000:assumed-role/local/local is not authorized to perform: dynamodb:${operation} on resource: ${tableArn ?? '*'} because no identity-based policy allows the dynamodb:${operation} action`,
    },
    false,
  );
}

/** The ARN of a table in the local account. */
export const tableArn = (region: string, table: string): string =>
  `arn:aws:dynamodb:${region}:000000000000:table/${table}`;
