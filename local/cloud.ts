/**
 * The local cloud: every AWS service the engine uses, on loopback, started in one call.
 * `npm start` and the integration tests both use it, so what the tests exercise is what
 * developers run.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { maskPhone } from '../functions/lib/logger.ts';
import { glueCatalog } from './athena/catalog.ts';
import { startAthenaEndpoint } from './athena/endpoint.ts';
import { createReferenceRenderer } from './cloudformation-references.cjs';
import { DEAD_LETTER_FILE_NAME } from './connect.ts';
import { queueDepthAlarms, snsAlarmPublisher, startDeadLetterAlarm } from './dead-letter-alarm.ts';
import { createTables, startDynamoDbLocal, waitForDynamoDb } from './dynamodb.ts';
import { formatDynamoDbFaults } from './dynamodb-fault-settings.ts';
import { type DynamoDbFaultProxy, startDynamoDbFaultProxy } from './dynamodb-faults.ts';
import { type ManagedProcess, startProcess, stopProcess } from './processes.ts';
import { scheduledFunctions, startScheduler } from './scheduler.ts';
import {
  contactFlowDeclarations,
  functionEnvironment,
  loadServiceDefinition,
  type ServiceDefinition,
  tableDeclarations,
  topicNames,
} from './service-definition.ts';
import { LOCAL_ACCOUNT_ID, type LocalSettings } from './settings.ts';
import { type LocalStateMachine, startSfnEndpoint } from './sfn-endpoint.ts';
import { type RecordedMessage, startSnsEndpoint } from './sns-endpoint.ts';
import { startStreamPollers, streamMappings } from './stream-poller.ts';

/** Batches the analytics stream consumer gave up on (its on-failure destination), one JSON line each. */
export const ANALYTICS_DEAD_LETTER_FILE_NAME = 'analytics-dead-letters.jsonl';
/** What `npm run analytics:sql` needs of a running local cloud: the catalogue and where the files are. */
export const ANALYTICS_SQL_FILE_NAME = 'analytics-sql.json';

export interface LocalCloud {
  settings: LocalSettings;
  service: ServiceDefinition;
  /**
   * Base URLs of each component. `dynamodb` is the fault proxy every client uses (its control
   * routes under `/__faults`); `dynamodbLocal` is DynamoDB Local behind it, for measurements only.
   */
  endpoints: {
    api: string;
    lambda: string;
    dynamodb: string;
    dynamodbLocal: string;
    s3: string;
    sfn: string;
    sns: string;
    connect: string;
    athena: string;
  };
  /** The DynamoDB fault proxy: switch faults and crash rules from the same process. */
  dynamodbFaults: DynamoDbFaultProxy;
  /** The environment that points AWS SDK v3 clients at the local cloud. */
  clientEnvironment: Record<string, string>;
  /** Name of a deployed function (`campaign-engine-local-dispatch`). */
  functionName(functionKey: string): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  settings: LocalSettings;
  log: (component: string, line: string) => void;
  /** Starts the Connect endpoint once the rest is up (the simulator needs the Lambda endpoint). */
  startConnect: (context: {
    port: number;
    stateDirectory: string;
    lambdaEndpoint: string;
    functionName: (functionKey: string) => string;
    region: string;
    /** Contact event types the call-ended rule lets through (its `detail.eventType` pattern). */
    eventTypes: string[] | undefined;
    /** The contact flows the service deploys to the instance (id and name). */
    contactFlows: Array<{ id: string; name: string }>;
    /** The stage's pacing caps, which the simulated Connect instance enforces as its quotas. */
    quotas: { maxConcurrentCalls: number; dialRatePerSecond: number; dialBurst: number };
  }) => Promise<{ url: string; close(): Promise<void> }>;
}

const ROOT = resolve(import.meta.dirname, '..');

/** Starts every component; on any failure stops what was already started and rethrows. */
export async function startLocalCloud(options: StartOptions): Promise<LocalCloud> {
  const { settings, log } = options;
  const stateDirectory = resolve(ROOT, settings.LOCAL_STATE_DIR);
  mkdirSync(stateDirectory, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) {
      await stopOne().catch((error: unknown) => log('local', `stop failed: ${String(error)}`));
    }
    stops.length = 0;
  };
  const loopback = (port: number) => `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

  try {
    const dataDirectory = settings.LOCAL_PERSIST ? join(stateDirectory, 'dynamodb') : undefined;
    if (dataDirectory !== undefined) mkdirSync(dataDirectory, { recursive: true });
    const dynamodb = startDynamoDbLocal({
      port: settings.LOCAL_DYNAMODB_BACKEND_PORT,
      logFile: join(stateDirectory, 'dynamodb.log'),
      dataDirectory,
    });
    stops.push(() => stopProcess(dynamodb));
    // Every client reaches DynamoDB Local through the fault proxy, faults on or off: one shape of setup.
    const dynamodbFaults = await startDynamoDbFaultProxy({
      port: settings.LOCAL_DYNAMODB_PORT,
      upstream: loopback(settings.LOCAL_DYNAMODB_BACKEND_PORT),
      faults: settings.LOCAL_DYNAMODB_FAULTS,
      countsFile: join(stateDirectory, 'dynamodb-faults.json'),
      log: (line) => log('dynamodb', line),
    });
    stops.push(() => dynamodbFaults.close());

    const service = await loadServiceDefinition(settings.LOCAL_STAGE, settings.LOCAL_REGION);
    const renderer = createReferenceRenderer({
      service: service.service,
      stage: settings.LOCAL_STAGE,
      region: settings.LOCAL_REGION,
      resources: service.resources.Resources,
      stateMachines: service.stepFunctions?.stateMachines ?? {},
      functions: Object.keys(service.functions),
    });

    const dynamoDbClient = new DynamoDBClient({
      endpoint: loopback(settings.LOCAL_DYNAMODB_PORT),
      region: settings.LOCAL_REGION,
      credentials,
    });
    await waitForDynamoDb(dynamoDbClient);
    const created = await createTables(dynamoDbClient, tableDeclarations(service));
    dynamoDbClient.destroy();
    log(
      'dynamodb',
      `ready on ${loopback(settings.LOCAL_DYNAMODB_PORT)} (tables created: ${created.join(', ') || 'none'}; ` +
        `faults: ${formatDynamoDbFaults(settings.LOCAL_DYNAMODB_FAULTS)})`,
    );

    const sns = await startSnsEndpoint({
      port: settings.LOCAL_SNS_PORT,
      logFile: join(stateDirectory, 'sns.jsonl'),
      topicArns: topicNames(service).map((name) => `arn:aws:sns:${settings.LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${name}`),
      print: (message: RecordedMessage) =>
        log(
          'sns',
          `${message.phoneNumber ? `SMS to ${maskPhone(message.phoneNumber)}` : `→ ${message.topicArn?.split(':').at(-1)}`}: ` +
            `${message.subject ? `[${message.subject}] ` : ''}${message.message}`,
        ),
    });
    stops.push(() => sns.close());

    const stateMachines: LocalStateMachine[] = Object.values(service.stepFunctions?.stateMachines ?? {}).map(
      (machine) => ({
        name: machine.name,
        arn: `arn:aws:states:${settings.LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${machine.name}`,
        type: machine.type,
        definition: renderer.render(machine.definition) as LocalStateMachine['definition'],
      }),
    );
    const sfn = await startSfnEndpoint({
      port: settings.LOCAL_SFN_PORT,
      region: settings.LOCAL_REGION,
      stateMachines,
      lambdaEndpoint: loopback(settings.LOCAL_LAMBDA_PORT),
      snsEndpoint: sns.url,
      logFile: join(stateDirectory, 'executions.jsonl'),
      print: (line) => log('sfn', line),
    });
    stops.push(() => sfn.close());

    // Like the table, the dead-letter queue starts empty unless the local cloud keeps its state (LOCAL_PERSIST=1):
    // dead letters of an earlier session name calls this one never made.
    if (!settings.LOCAL_PERSIST) rmSync(join(stateDirectory, DEAD_LETTER_FILE_NAME), { force: true });
    // The simulated instance's quotas are the caps the dispatcher dials under.
    const dialer = functionEnvironment(service, 'dispatch');
    const connect = await options.startConnect({
      port: settings.LOCAL_CONNECT_PORT,
      stateDirectory,
      lambdaEndpoint: loopback(settings.LOCAL_LAMBDA_PORT),
      functionName: renderer.functionName,
      region: settings.LOCAL_REGION,
      eventTypes: contactEventTypes(service),
      contactFlows: contactFlowDeclarations(service),
      quotas: {
        maxConcurrentCalls: Number(dialer.MAX_CONCURRENT_CALLS),
        dialRatePerSecond: Number(dialer.DIALS_PER_SECOND),
        dialBurst: Number(dialer.DIAL_BURST),
      },
    });
    let connectClosed: Promise<void> | undefined;
    const closeConnect = () => {
      connectClosed ??= connect.close();
      return connectClosed;
    };
    stops.push(closeConnect);

    // CloudWatch's part: the alarm on the contact-event dead-letter queue (the service's only queue),
    // which locally is the simulator's dead-letter file, notifies the alerts topic as in AWS.
    const publishAlarm = snsAlarmPublisher(sns.url, settings.LOCAL_REGION);
    for (const alarm of queueDepthAlarms(service.resources.Resources, renderer.render)) {
      const watcher = startDeadLetterAlarm({
        alarm,
        file: join(stateDirectory, DEAD_LETTER_FILE_NAME),
        region: settings.LOCAL_REGION,
        accountId: LOCAL_ACCOUNT_ID,
        publish: publishAlarm,
        log: (line) => log('cloudwatch', line),
      });
      stops.push(async () => watcher.stop());
    }

    // Athena and Glue: DuckDB behind the Athena API, its tables from the template's Glue definitions.
    const catalog = glueCatalog(service.resources.Resources);
    const athena = await startAthenaEndpoint({
      port: settings.LOCAL_ATHENA_PORT,
      region: settings.LOCAL_REGION,
      s3Endpoint: loopback(settings.LOCAL_S3_PORT),
      catalog,
      cacheDirectory: join(stateDirectory, 'athena'),
      workGroups: [
        'primary',
        ...Object.values(service.resources.Resources)
          .filter((resource) => resource.Type === 'AWS::Athena::WorkGroup')
          .map((resource) => String(resource.Properties?.Name)),
      ],
    });
    stops.push(() => athena.close());
    writeFileSync(
      join(stateDirectory, ANALYTICS_SQL_FILE_NAME),
      JSON.stringify({ catalog, s3Endpoint: loopback(settings.LOCAL_S3_PORT), region: settings.LOCAL_REGION }),
    );

    const clientEnvironment: Record<string, string> = {
      AWS_REGION: settings.LOCAL_REGION,
      AWS_DEFAULT_REGION: settings.LOCAL_REGION,
      // s3rver (behind serverless-s3-local) knows exactly one account; every other local service accepts any key.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_DYNAMODB: loopback(settings.LOCAL_DYNAMODB_PORT),
      AWS_ENDPOINT_URL_S3: loopback(settings.LOCAL_S3_PORT),
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_CONNECT: connect.url,
      AWS_ENDPOINT_URL_LAMBDA: loopback(settings.LOCAL_LAMBDA_PORT),
      AWS_ENDPOINT_URL_ATHENA: athena.url,
    };

    const offlineLog = join(stateDirectory, 'offline.log');
    const offline = startOffline(settings, clientEnvironment, offlineLog, log);
    stops.push(() => stopProcess(offline));
    // Calls end before the functions their events reach are stopped (stops run last first): otherwise events in
    // flight fail against a closed Lambda endpoint, are dead-lettered, and raise the DLQ alarm at the next start.
    stops.push(closeConnect);
    const api = loopback(settings.LOCAL_HTTP_PORT);
    await waitForApi(`${api}/health`, offline, offlineLog, 180_000);
    log('offline', `API on ${api}, Lambda endpoint on ${loopback(settings.LOCAL_LAMBDA_PORT)}`);
    const scheduled = scheduledFunctions(service.functions, renderer.functionName);
    const stopScheduler = startScheduler(scheduled, {
      lambdaEndpoint: loopback(settings.LOCAL_LAMBDA_PORT),
      region: settings.LOCAL_REGION,
      log: (line) => log('schedule', line),
    });
    stops.push(async () => stopScheduler());
    // DynamoDB Streams → Lambda: the analytics consumer reads the table's changes as its event source mapping would.
    if (!settings.LOCAL_PERSIST) rmSync(join(stateDirectory, ANALYTICS_DEAD_LETTER_FILE_NAME), { force: true });
    const stopStreams = startStreamPollers(
      streamMappings(service.functions, service.resources.Resources, renderer.functionName),
      {
        dynamodbEndpoint: loopback(settings.LOCAL_DYNAMODB_PORT),
        lambdaEndpoint: loopback(settings.LOCAL_LAMBDA_PORT),
        region: settings.LOCAL_REGION,
        deadLetterFile: join(stateDirectory, ANALYTICS_DEAD_LETTER_FILE_NAME),
        log: (line) => log('streams', line),
      },
    );
    stops.push(stopStreams);

    return {
      settings,
      service,
      endpoints: {
        api,
        lambda: loopback(settings.LOCAL_LAMBDA_PORT),
        dynamodb: loopback(settings.LOCAL_DYNAMODB_PORT),
        dynamodbLocal: loopback(settings.LOCAL_DYNAMODB_BACKEND_PORT),
        s3: loopback(settings.LOCAL_S3_PORT),
        sfn: sfn.url,
        sns: sns.url,
        connect: connect.url,
        athena: athena.url,
      },
      clientEnvironment,
      dynamodbFaults,
      functionName: renderer.functionName,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The `detail.eventType` filter of the rule that sends Connect contact events to callEnded. */
function contactEventTypes(service: ServiceDefinition): string[] | undefined {
  for (const event of service.functions.callEnded?.events ?? []) {
    const pattern = (event.eventBridge as { pattern?: { detail?: { eventType?: unknown } } } | undefined)?.pattern;
    const types = pattern?.detail?.eventType;
    if (Array.isArray(types)) return types.map(String);
  }
  return undefined;
}

function startOffline(
  settings: LocalSettings,
  clientEnvironment: Record<string, string>,
  logFile: string,
  log: (component: string, line: string) => void,
): ManagedProcess {
  const require = createRequire(import.meta.url);
  const cli = require.resolve('osls/bin/serverless.js');
  return startProcess(
    'offline',
    process.execPath,
    [cli, 'offline', 'start', '--stage', settings.LOCAL_STAGE, '--region', settings.LOCAL_REGION],
    {
      cwd: ROOT,
      logFile,
      env: {
        ...process.env,
        ...clientEnvironment,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        LOCAL_HTTP_PORT: String(settings.LOCAL_HTTP_PORT),
        LOCAL_LAMBDA_PORT: String(settings.LOCAL_LAMBDA_PORT),
        LOCAL_S3_PORT: String(settings.LOCAL_S3_PORT),
        LOCAL_STATE_DIR: settings.LOCAL_STATE_DIR,
        ESBUILD_WORK_FOLDER: join(settings.LOCAL_STATE_DIR, 'esbuild'),
      },
      echo: (line) => {
        // Warnings and errors of the functions are shown; everything else is in the log file.
        if (/"level":"(WARN|ERROR|CRITICAL)"|^\s*×|Error:/.test(line)) log('offline', line);
      },
    },
  );
}

async function waitForApi(url: string, offline: ManagedProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void offline.exited.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`serverless offline exited during start; see ${logFile}`);
    let status: number | undefined;
    let body = '';
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      status = response.status;
      body = await response.text();
    } catch (error) {
      body = (error as Error).message;
    }
    if (status === 200) return;
    if (status === 500) {
      // A function that cannot even report health will not recover by waiting: say why.
      const errors = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"level":"ERROR"'));
      const last = errors.at(-1);
      const reason = last === undefined ? body : String(JSON.parse(last).error?.message ?? last);
      throw new Error(`GET /health fails: ${reason} (details in ${logFile})`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the API did not become healthy within ${timeoutMs} ms: ${status ?? ''} ${body}`);
    }
    await new Promise((resolveLater) => setTimeout(resolveLater, 500));
  }
}
