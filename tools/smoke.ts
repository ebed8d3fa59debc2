/**
 * `npm run smoke -- --stage <stage> [--region <region>] [--api <url>] [--param name=value …]`
 *
 * Checks a deployed stack without placing a call: the API's health, the table, both buckets, the run state machine,
 * the Connect instance and the contact flow. The same code checks AWS and the local cloud: only the endpoints differ
 * (`AWS_ENDPOINT_URL_<SERVICE>`, `--api`), and names come from serverless.yml's parameters as on deploy.
 */
import { parseArgs } from 'node:util';
import { ConnectClient, DescribeInstanceCommand, paginateListContactFlows } from '@aws-sdk/client-connect';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { ApiClient } from '../cli/api-client.ts';
import { parseParamOverrides, serviceFile, stageParams } from './stage-params.ts';

export interface SmokeTarget {
  service: string;
  stage: string;
  region: string;
  params: Record<string, string>;
}

export interface SmokeClients {
  api: ApiClient;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sfn: SFNClient;
  connect: ConnectClient;
}

export interface SmokeResult {
  check: string;
  ok: boolean;
  detail: string;
}

const HealthSchema = z.object({
  status: z.string(),
  components: z.record(z.string(), z.object({ status: z.string(), error: z.string().optional() })),
});

const INSTANCE_ARN = /^arn:(aws[\w-]*):connect:([a-z0-9-]+):(\d{12}):instance\/([\w-]+)$/;

/** The names and ARNs the stage's resources have (serverless.yml builds them from the stage and its parameters). */
export function expectedResources(target: SmokeTarget) {
  const prefix = `${target.service}-${target.stage}`;
  const instance = INSTANCE_ARN.exec(target.params.connectInstanceArn ?? '');
  if (instance === null)
    throw new Error(`parameter connectInstanceArn "${target.params.connectInstanceArn}" is not a Connect instance ARN`);
  const [, partition, , account, instanceId = ''] = instance;
  return {
    table: prefix,
    buckets: [`${prefix}-uploads-${target.params.bucketSuffix}`, `${prefix}-reports-${target.params.bucketSuffix}`],
    // The instance is in the stack's account (the deploy refuses one in another Region).
    stateMachineArn: `arn:${partition}:states:${target.region}:${account}:stateMachine:${prefix}-campaign-run`,
    instanceId,
    flowName: `${prefix}-outbound-survey`,
  };
}

const failure = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Runs every check; each one reports on its own, so one failure does not hide the others. */
export async function runSmokeChecks(target: SmokeTarget, clients: SmokeClients): Promise<SmokeResult[]> {
  const expected = expectedResources(target);
  const check = async (name: string, probe: () => Promise<string>): Promise<SmokeResult> => {
    try {
      return { check: name, ok: true, detail: await probe() };
    } catch (error) {
      return { check: name, ok: false, detail: failure(error) };
    }
  };
  return Promise.all([
    check('health', async () => {
      const response = await clients.api.send({ path: '/health' });
      const health = HealthSchema.parse(await response.json());
      const down = Object.entries(health.components).filter(([, component]) => component.status !== 'ok');
      if (!response.ok || health.status !== 'ok' || down.length > 0) {
        throw new Error(
          `${response.status} ${health.status}: ${down.map(([name, c]) => `${name} ${c.error ?? c.status}`).join('; ')}`,
        );
      }
      return `${clients.api.url('/health').href}: ${Object.keys(health.components).join(', ')} ok`;
    }),
    check('table', async () => {
      const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: expected.table }));
      if (Table?.TableStatus !== 'ACTIVE') throw new Error(`${expected.table} is ${Table?.TableStatus}`);
      if (!Table.GlobalSecondaryIndexes?.some((index) => index.IndexName === 'gsi1')) {
        throw new Error(`${expected.table} has no gsi1 index`);
      }
      return `${expected.table} ACTIVE with gsi1`;
    }),
    ...expected.buckets.map((bucket) =>
      check(`bucket ${bucket.includes('-uploads-') ? 'uploads' : 'reports'}`, async () => {
        await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
        return `${bucket} reachable`;
      }),
    ),
    check('state machine', async () => {
      const machine = await clients.sfn.send(
        new DescribeStateMachineCommand({ stateMachineArn: expected.stateMachineArn }),
      );
      if (machine.status !== undefined && machine.status !== 'ACTIVE')
        throw new Error(`${machine.name} is ${machine.status}`);
      return `${expected.stateMachineArn} ${machine.status ?? 'present'}`;
    }),
    check('connect instance', async () => {
      const { Instance } = await clients.connect.send(new DescribeInstanceCommand({ InstanceId: expected.instanceId }));
      if (Instance?.InstanceStatus !== 'ACTIVE')
        throw new Error(`instance ${expected.instanceId} is ${Instance?.InstanceStatus}`);
      if (Instance.OutboundCallsEnabled !== true)
        throw new Error(`instance ${expected.instanceId} has outbound calls disabled`);
      return `${expected.instanceId} ACTIVE, outbound calls enabled`;
    }),
    check('contact flow', async () => {
      for await (const page of paginateListContactFlows(
        { client: clients.connect },
        { InstanceId: expected.instanceId },
      )) {
        const flow = page.ContactFlowSummaryList?.find((summary) => summary.Name === expected.flowName);
        if (flow === undefined) continue;
        if (flow.ContactFlowState !== 'ACTIVE' || flow.ContactFlowStatus !== 'PUBLISHED') {
          throw new Error(`${expected.flowName} is ${flow.ContactFlowState} ${flow.ContactFlowStatus}`);
        }
        return `${expected.flowName} published and active (${flow.Id})`;
      }
      throw new Error(`no contact flow named ${expected.flowName} in instance ${expected.instanceId}`);
    }),
  ]);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      region: { type: 'string' },
      api: { type: 'string' },
      param: { type: 'string', multiple: true, default: [] },
    },
  });
  if (!values.stage) {
    console.error('usage: npm run smoke -- --stage <stage> [--region <region>] [--api <url>] [--param name=value …]');
    return 2;
  }
  const region = values.region ?? process.env.AWS_REGION ?? 'eu-west-1';
  const target: SmokeTarget = {
    service: serviceFile().service,
    stage: values.stage,
    region,
    params: stageParams(values.stage, parseParamOverrides(values.param)),
  };
  const clients: SmokeClients = {
    api: await ApiClient.create(values.api, process.env),
    dynamodb: new DynamoDBClient({ region }),
    // Path-style, as the functions' client: valid for every bucket name, and what the local S3 serves.
    s3: new S3Client({ region, forcePathStyle: true }),
    sfn: new SFNClient({ region }),
    connect: new ConnectClient({ region }),
  };
  const results = await runSmokeChecks(target, clients);
  for (const result of results) console.log(`${result.ok ? '✓' : '✗'} ${result.check}: ${result.detail}`);
  const failed = results.filter((result) => !result.ok).length;
  console.log(
    failed === 0
      ? `smoke test of ${target.stage} passed; no call placed`
      : `smoke test of ${target.stage}: ${failed} failed`,
  );
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main();
