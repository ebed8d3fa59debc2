/** Helpers shared by the integration tests: the local cloud's endpoints and small polling utilities. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { inject } from 'vitest';

export const cloud = inject('localCloud');

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const sfn = new SFNClient({ endpoint: cloud.endpoints.sfn, region: 'eu-west-1', credentials });

export interface ApiResponse {
  status: number;
  body: unknown;
  text: string;
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
  return { status: response.status, body: parsed, text };
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

/** Every message the local SNS endpoint received so far. */
export function snsMessages(): SnsRecord[] {
  const file = join(cloud.stateDirectory, 'sns.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SnsRecord);
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
