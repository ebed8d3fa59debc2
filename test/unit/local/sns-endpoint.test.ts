/** The local SNS endpoint's SMS rate quota: over it Publish to a phone number is Throttled, topics are not. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../local/http-server.ts';
import { startSnsEndpoint } from '../../../local/sns-endpoint.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:000000000000:alerts';
let server: RunningServer | undefined;
let directory: string | undefined;

afterEach(async () => {
  await server?.close();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  server = undefined;
  directory = undefined;
});

async function endpoint(smsPerSecond: number) {
  directory = mkdtempSync(join(tmpdir(), 'sns-endpoint-'));
  const logFile = join(directory, 'sns.jsonl');
  server = await startSnsEndpoint({ port: 0, logFile, topicArns: [TOPIC], smsPerSecond });
  const client = new SNSClient({
    endpoint: server.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const logged = () => readFileSync(logFile, 'utf8').trim().split('\n').length;
  return { client, logged };
}

describe('local SNS endpoint', () => {
  it('throttles SMS beyond the account rate, and only SMS', async () => {
    const { client, logged } = await endpoint(2);
    const sms = () => client.send(new PublishCommand({ PhoneNumber: '+48601234567', Message: 'hello' }));

    await sms();
    await sms();
    const refused = await sms().catch((error: unknown) => error as Error);
    await client.send(new PublishCommand({ TopicArn: TOPIC, Message: 'alert' }));

    expect(refused).toMatchObject({ name: 'ThrottledException', message: 'Rate exceeded' });
    expect(logged()).toBe(3);
  });
});
