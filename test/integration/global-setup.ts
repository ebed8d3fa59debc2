/**
 * Starts the whole local cloud once for the integration tests, on ports of its own so a running
 * `npm start` is not disturbed, and stops every component (Java included) afterwards.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.ts';
import { createReferenceRenderer } from '../../local/cloudformation-references.cjs';
import { startLocalConnect } from '../../local/connect.ts';
import { stopAllProcesses } from '../../local/processes.ts';
import { functionEnvironment } from '../../local/service-definition.ts';
import { localSettings } from '../../local/settings.ts';

export interface LocalCloudContext {
  endpoints: LocalCloud['endpoints'];
  clientEnvironment: Record<string, string>;
  stateDirectory: string;
  tableName: string;
  alertsTopicArn: string;
  runStateMachineArn: string;
  /** The Connect instance the engine dials through (the simulator's instance id). */
  connectInstanceId: string;
  /** The contact flow the dispatcher starts calls in. */
  contactFlowId: string;
  /** The `engine` attribute of the stage's calls. */
  engineId: string;
  /** The secret keying the hashes of phone numbers (local/secrets-endpoint.ts). */
  personKeySecretArn: string;
  uploadsBucket: string;
  reportsBucket: string;
  caps: { maxConcurrentCalls: number; dialsPerSecond: number; dialBurst: number };
  functionNames: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localCloud: LocalCloudContext;
  }
}

/** The integration tests' scenario: fast calls, no faults unless a test sets its own. */
const TEST_SCENARIO = { seed: 7, timeScale: 0.02 };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // INTEGRATION_PORT_OFFSET lets two integration runs share a machine (each with its own ports and state).
  const offset = Number(process.env.INTEGRATION_PORT_OFFSET ?? 0);
  const port = (base: number) => String(base + offset);
  const stateDirectory = offset ? `.local/test-${offset}` : '.local/test';
  // Caps of the test stack: fast enough for hundreds of calls in seconds, enforced by the simulator.
  Object.assign(process.env, {
    LOCAL_TICK_SECONDS: '1',
    LOCAL_MAX_CALL_SECONDS: '10',
    LOCAL_MAX_CONCURRENT_CALLS: '12',
    LOCAL_DIALS_PER_SECOND: '20',
    LOCAL_DIAL_BURST: '20',
    // A campaign PUT reaches the contact-flow functions within a second (flow.test.ts edits a live script).
    LOCAL_CAMPAIGN_CACHE_SECONDS: '1',
    // A stop or pause reaches a sleeping run (one held back by a frequency cap) within 5 s, not a minute.
    LOCAL_RUN_MAX_SLEEP_SECONDS: '5',
  });
  rmSync(resolve(import.meta.dirname, '../..', stateDirectory), { recursive: true, force: true });
  const settings = localSettings({
    LOCAL_HTTP_PORT: port(13000),
    LOCAL_LAMBDA_PORT: port(13002),
    LOCAL_DYNAMODB_PORT: port(18000),
    LOCAL_S3_PORT: port(14569),
    LOCAL_SFN_PORT: port(18083),
    LOCAL_SNS_PORT: port(18084),
    LOCAL_CONNECT_PORT: port(18085),
    LOCAL_ATHENA_PORT: port(18086),
    LOCAL_SECRETS_PORT: port(18087),
    LOCAL_STATE_DIR: stateDirectory,
    LOCAL_DEMO: '0',
  });
  const cloud = await startLocalCloud({
    settings,
    log: (component, line) => {
      if (process.env.LOCAL_CLOUD_VERBOSE) console.info(`[${component}] ${line}`);
    },
    startConnect: (context) => startLocalConnect({ ...context, scenario: TEST_SCENARIO }, () => undefined),
  });
  const environment = functionEnvironment(cloud.service, 'dispatch');
  project.provide('localCloud', {
    endpoints: cloud.endpoints,
    clientEnvironment: cloud.clientEnvironment,
    stateDirectory: resolve(import.meta.dirname, '../..', stateDirectory),
    tableName: String(environment.TABLE_NAME),
    alertsTopicArn: `arn:aws:sns:${settings.LOCAL_REGION}:000000000000:${cloud.service.service}-${settings.LOCAL_STAGE}-alerts`,
    runStateMachineArn: `arn:aws:states:${settings.LOCAL_REGION}:000000000000:stateMachine:${cloud.service.service}-${settings.LOCAL_STAGE}-campaign-run`,
    connectInstanceId: String(environment.CONNECT_INSTANCE_ARN).split('/').at(-1) ?? '',
    contactFlowId: String(environment.CONTACT_FLOW_ARN).split('/').at(-1) ?? '',
    engineId: `${cloud.service.service}-${settings.LOCAL_STAGE}`,
    personKeySecretArn: String(
      createReferenceRenderer({
        service: cloud.service.service,
        stage: settings.LOCAL_STAGE,
        region: settings.LOCAL_REGION,
        resources: cloud.service.resources.Resources,
        stateMachines: cloud.service.stepFunctions?.stateMachines ?? {},
        functions: Object.keys(cloud.service.functions),
      }).render(environment.PERSON_KEY_SECRET_ARN),
    ),
    uploadsBucket: String(functionEnvironment(cloud.service, 'personForget').UPLOADS_BUCKET),
    reportsBucket: String(functionEnvironment(cloud.service, 'personForget').REPORTS_BUCKET),
    caps: {
      maxConcurrentCalls: Number(environment.MAX_CONCURRENT_CALLS),
      dialsPerSecond: Number(environment.DIALS_PER_SECOND),
      dialBurst: Number(environment.DIAL_BURST),
    },
    functionNames: Object.fromEntries(
      Object.keys(cloud.service.functions).map((key) => [key, cloud.functionName(key)]),
    ),
  });
  return async () => {
    await cloud.stop();
    await stopAllProcesses();
  };
}
