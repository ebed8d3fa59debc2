/**
 * GET /health: probes every service the engine depends on and reports each one's status.
 * 200 when all answer, 503 otherwise, so a load balancer or the local banner can rely on it.
 */
import { DescribeInstanceCommand } from '@aws-sdk/client-connect';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { connectClient, dynamoDbClient, s3Client, sfnClient, snsClient } from '../../adapters/aws-clients.ts';
import { environment } from '../../lib/config.ts';
import { httpHandler, json } from '../../lib/http.ts';

const PROBE_TIMEOUT_MS = 2_000;

export interface ComponentStatus {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}

async function probe(check: (signal: AbortSignal) => Promise<unknown>): Promise<ComponentStatus> {
  const started = performance.now();
  try {
    await check(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: message };
  }
}

export const handler = httpHandler(async () => {
  const settings = environment([
    'STAGE',
    'TABLE_NAME',
    'UPLOADS_BUCKET',
    'REPORTS_BUCKET',
    'ALERTS_TOPIC_ARN',
    'RUN_STATE_MACHINE_ARN',
    'CONNECT_INSTANCE_ARN',
  ]);
  const instanceId = settings.CONNECT_INSTANCE_ARN.split('/').at(-1);
  const checks: Record<string, (signal: AbortSignal) => Promise<unknown>> = {
    dynamodb: (abortSignal) =>
      dynamoDbClient.send(new DescribeTableCommand({ TableName: settings.TABLE_NAME }), { abortSignal }),
    s3Uploads: (abortSignal) =>
      s3Client.send(new HeadBucketCommand({ Bucket: settings.UPLOADS_BUCKET }), { abortSignal }),
    s3Reports: (abortSignal) =>
      s3Client.send(new HeadBucketCommand({ Bucket: settings.REPORTS_BUCKET }), { abortSignal }),
    sns: (abortSignal) =>
      snsClient.send(new GetTopicAttributesCommand({ TopicArn: settings.ALERTS_TOPIC_ARN }), { abortSignal }),
    stepFunctions: (abortSignal) =>
      sfnClient.send(new DescribeStateMachineCommand({ stateMachineArn: settings.RUN_STATE_MACHINE_ARN }), {
        abortSignal,
      }),
    connect: (abortSignal) =>
      connectClient.send(new DescribeInstanceCommand({ InstanceId: instanceId }), { abortSignal }),
  };
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await probe(check)] as const),
  );
  const components = Object.fromEntries(entries);
  const healthy = entries.every(([, component]) => component.status === 'ok');
  return json(healthy ? 200 : 503, { status: healthy ? 'ok' : 'degraded', stage: settings.STAGE, components });
});
