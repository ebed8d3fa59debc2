/**
 * The local Amazon Connect: the simulator in `connect-simulator/`, with the quotas of the local
 * stage and its contact events delivered to the call-ended function as the EventBridge rule does.
 *
 * Delivery invokes the function synchronously and treats a function error as a failed delivery,
 * which the simulator retries (twice, with backoff) and then dead-letters: the same contract as
 * Lambda's asynchronous invocation with an on-failure destination.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startConnectSimulator } from './connect-simulator/server.ts';
import { localContactFlow } from './contact-flow.ts';
import { LOCAL_ACCOUNT_ID } from './settings.ts';

/** The dead-letter "queue" of contact events, in the state directory (the local `call-events-dlq` alarm watches it). */
export const DEAD_LETTER_FILE_NAME = 'connect-dead-letters.jsonl';

const EVENT_TYPES = new Set(['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
type DeliverableEventType = 'INITIATED' | 'CONNECTED_TO_SYSTEM' | 'DISCONNECTED' | 'COMPLETED';

export interface LocalConnectContext {
  port: number;
  stateDirectory: string;
  lambdaEndpoint: string;
  functionName: (functionKey: string) => string;
  region: string;
  /** Event types the EventBridge rule delivers (all when undefined). */
  eventTypes?: string[];
  /** The contact flows serverless.yml deploys to the instance (ListContactFlows answers with them). */
  contactFlows?: ReadonlyArray<{ id: string; name: string }>;
  /** Connect quotas of the local instance: the stage's caps. */
  quotas: { maxConcurrentCalls: number; dialRatePerSecond: number; dialBurst: number };
  /** A scenario object; default `local/scenarios/local.json`, or `LOCAL_SCENARIO` names a file. */
  scenario?: unknown;
  /**
   * Run the real contact flow on answered calls (default). The dial benchmark turns it off to
   * measure the dial path alone: callees then hold the line for the scenario's talk time.
   */
  contactFlow?: boolean;
}

export async function startLocalConnect(
  context: LocalConnectContext,
  log: (component: string, line: string) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const lambda = new LambdaClient({
    endpoint: context.lambdaEndpoint,
    region: context.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    // Every live call has an event or a flow step in flight: the default pool of 50 sockets would queue them.
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 1_024 } },
  });
  const callEnded = context.functionName('callEnded');
  const scenarioFile = resolve(process.env.LOCAL_SCENARIO ?? join(import.meta.dirname, 'scenarios', 'local.json'));
  const simulator = await startConnectSimulator({
    port: context.port,
    region: context.region,
    accountId: LOCAL_ACCOUNT_ID,
    // GENERAL and CAMPAIGN (answering-machine detection) calls each get the stage's cap.
    quotas: {
      ...context.quotas,
      maxConcurrentCampaignCalls: context.quotas.maxConcurrentCalls,
      rateLimitErrorType: 'LimitExceededException',
    },
    scenario: context.scenario ?? JSON.parse(readFileSync(scenarioFile, 'utf8')),
    ...(context.contactFlows && { contactFlows: context.contactFlows }),
    // Answered calls run the real contact flow, its Lambda functions served by serverless-offline.
    ...(context.contactFlow !== false && {
      runFlow: localContactFlow({
        lambda,
        functionName: context.functionName,
        region: context.region,
        accountId: LOCAL_ACCOUNT_ID,
      }),
    }),
    callLogPath: join(context.stateDirectory, 'calls.jsonl'),
    deadLetterPath: join(context.stateDirectory, DEAD_LETTER_FILE_NAME),
    ...(context.eventTypes && {
      deliverEventTypes: context.eventTypes.filter((type) => EVENT_TYPES.has(type)) as DeliverableEventType[],
    }),
    deliver: async (event) => {
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: callEnded, Payload: Buffer.from(JSON.stringify(event)) }),
      );
      if (result.FunctionError) {
        const payload = result.Payload ? Buffer.from(result.Payload).toString('utf8') : '';
        throw new Error(`${callEnded} failed: ${payload}`);
      }
    },
    logger: {
      info: () => undefined,
      warn: (message, details) => log('connect', `${message} ${details ? JSON.stringify(details) : ''}`),
      error: (message, details) => log('connect', `${message} ${details ? JSON.stringify(details) : ''}`),
    },
  });
  return { url: simulator.url, close: () => simulator.close() };
}
