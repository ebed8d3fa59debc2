/** Helpers shared by the integration tests: the local cloud's endpoints and small polling utilities. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { SecretNumberHasher } from '../../functions/adapters/number-hasher.ts';
import { RUN_BUCKET_NUMBERS, runBucketPartition, runPartition } from '../../functions/core/keys.ts';

export const cloud = inject('localCloud');

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const sfn = new SFNClient({ endpoint: cloud.endpoints.sfn, region: 'eu-west-1', credentials });

export interface ApiResponse {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** Calls the local HTTP API with a JSON body. */
export async function api(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const response = await fetch(`${cloud.endpoints.api}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits for an execution of the local Step Functions endpoint to stop; returns its description. */
export function waitForExecution(executionArn: string, timeoutMs = 60_000) {
  return waitFor(
    `execution ${executionArn}`,
    async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    },
    timeoutMs,
  );
}

export interface SnsRecord {
  topicArn?: string;
  phoneNumber?: string;
  subject?: string;
  message: string;
}

/** The records of a JSON-lines log the local cloud writes in its state directory (none yet: empty). */
function readJsonLines<T>(fileName: string): T[] {
  const file = join(cloud.stateDirectory, fileName);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Every message the local SNS endpoint received so far. */
export function snsMessages(): SnsRecord[] {
  return readJsonLines<SnsRecord>('sns.jsonl');
}

/** A minimal valid campaign definition with the given id (window open around the clock). */
export function testCampaign(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: `Test campaign ${id}`,
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    callerId: '+48221234567',
    callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '00:00', end: '24:00' },
    retryPolicy: {
      maxAttempts: 3,
      maxAttemptsPerDay: 3,
      retryDelays: { NO_ANSWER: 'PT1S', BUSY: 'PT1S', FAILED: 'PT1S' },
    },
    script: {
      greeting: 'Hello {name}.',
      questions: [{ id: 'q1', prompt: 'Press 1 for yes, 2 for no.', keys: { '1': 'Yes', '2': 'No' } }],
      closing: 'Goodbye.',
    },
    ...overrides,
  };
}

export const today = (): string => new Date().toISOString().slice(0, 10);

/** A document client on the test stack's DynamoDB Local. */
export function localDocumentClient() {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: 'eu-west-1', credentials }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** The stack's hasher of phone numbers (its do-not-call list is keyed by these hashes). */
export function localNumberHasher(): SecretNumberHasher {
  return new SecretNumberHasher(
    cloud.personKeySecretArn,
    new SecretsManagerClient({ endpoint: cloud.endpoints.secrets, region: 'eu-west-1', credentials }),
  );
}

/** Invokes a deployed (offline) function synchronously, as a schedule or a state machine would. */
export async function invokeFunction(functionKey: string, payload: unknown = {}): Promise<unknown> {
  const lambda = new LambdaClient({ endpoint: cloud.endpoints.lambda, region: 'eu-west-1', credentials });
  const functionName = cloud.functionNames[functionKey];
  if (functionName === undefined) throw new Error(`no function ${functionKey}`);
  const result = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  const text = Buffer.from(result.Payload ?? []).toString('utf8');
  if (result.FunctionError) throw new Error(`${functionKey} failed: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** Replaces the Connect simulator's callee scenario (its control endpoint). */
export async function setScenario(scenario: unknown): Promise<void> {
  const response = await fetch(`${cloud.endpoints.connect}/_sim/scenario`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(scenario),
  });
  if (!response.ok) throw new Error(`scenario refused: ${await response.text()}`);
}

export async function simulatorStats(): Promise<Record<string, unknown>> {
  return (await fetch(`${cloud.endpoints.connect}/_sim/stats`)).json() as Promise<Record<string, unknown>>;
}

export interface CallLogRecord {
  contactId: string;
  clientToken?: string;
  destination: string;
  /** The caller ID the call was placed from (SourcePhoneNumber). */
  source?: string;
  attributes: Record<string, string>;
  startedAt: string;
  answeredAt?: string;
  endedAt: string;
  outcome: string;
  disconnectReason: string;
}

/** The simulator's ground-truth call log. */
export function callLog(): CallLogRecord[] {
  return readJsonLines<CallLogRecord>('calls.jsonl');
}

/** Sends a file as the request body, as `curl --data-binary @file -H 'content-type: …'` does. */
export async function upload(
  path: string,
  body: Buffer | string,
  contentType: string | undefined = 'text/csv',
): Promise<ApiResponse> {
  const response = await fetch(`${cloud.endpoints.api}${path}`, {
    method: 'POST',
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

/** Every item of a run's partition whose sort key starts with `prefix` (`CONTACT#`, `LIST#`, `RUN`). */
export async function runItems(campaignId: string, date: string, prefix: string): Promise<Record<string, unknown>[]> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const client = localDocumentClient();
  const items: Record<string, unknown>[] = [];
  // The run's own partition (run item, lists, exports) and its bucket partitions (contacts, answers, follow-ups).
  const partitions = [
    runPartition(campaignId, date),
    ...RUN_BUCKET_NUMBERS.map((bucket) => runBucketPartition(campaignId, date, bucket)),
  ];
  for (const pk of partitions) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: cloud.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
  return items.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

/** A run's counters, summed over its buckets (as reports read them). */
export async function runCounters(campaignId: string, date: string): Promise<Record<string, number>> {
  const { RunCounters } = await import('../../functions/adapters/run-counters.ts');
  return new RunCounters(cloud.tableName, localDocumentClient()).totals(campaignId, date);
}

/** A call-log record with what the contact flow did (local/connect-simulator/flow-executor.ts `FlowDetails`). */
export interface FlowCallRecord extends CallLogRecord {
  flow?: {
    end: 'DISCONNECTED' | 'HUNG_UP' | 'FAILED';
    said: string[];
    presses: Array<{ questionId?: string; kind: 'KEY' | 'INVALID_KEY' | 'SILENCE'; key?: string; input: string }>;
    lambda: Array<{ function: string; attempts: number; ok: boolean; response?: Record<string, string> }>;
    attributesSet: Record<string, string>;
    error?: string;
  };
}

/** The ground-truth calls of one campaign, with their flow details. */
export function flowCalls(campaignId: string): FlowCallRecord[] {
  return (callLog() as FlowCallRecord[]).filter((call) => call.attributes.campaignId === campaignId);
}

/** Writes contacts straight into a run (as an import would), due at `dueAt`. */
export async function writeContacts(
  campaignId: string,
  date: string,
  phones: readonly string[],
  dueAt: Date,
  names: Readonly<Record<string, string>> = {},
): Promise<void> {
  const { ContactWriter } = await import('../../functions/adapters/contact-writer.ts');
  await new ContactWriter(cloud.tableName, 1, localDocumentClient()).write(
    campaignId,
    date,
    phones.map((phone, index) => ({
      phone,
      timeZone: 'Europe/Warsaw',
      ...(names[phone] !== undefined && { name: names[phone] }),
      attributes: {},
      listId: 'flow-test',
      line: index + 2,
      dueAt,
    })),
  );
}

/**
 * Switches the DynamoDB fault proxy of the test stack (docs/local-cloud.md): `{ conflicts: '5-20ms', throttle: 0.02 }`
 * applies DynamoDB's transaction-conflict rule and throttles that share of requests; `deny: 1` refuses every request
 * with AccessDeniedException; `{}` switches them off.
 */
export async function setDynamoDbFaults(faults: {
  conflicts?: string;
  throttle?: number;
  deny?: number;
}): Promise<void> {
  const response = await fetch(`${cloud.endpoints.dynamodb}/__faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      conflicts: faults.conflicts ?? null,
      throttle: faults.throttle ?? 0,
      deny: faults.deny ?? 0,
    }),
  });
  if (!response.ok) throw new Error(`fault proxy refused ${JSON.stringify(faults)}: ${await response.text()}`);
}

/** What the fault proxy has injected so far. */
export async function dynamoDbFaultCounts(): Promise<{ conflicts: number; throttles: number }> {
  const response = await fetch(`${cloud.endpoints.dynamodb}/__faults`);
  return ((await response.json()) as { counts: { conflicts: number; throttles: number } }).counts;
}
