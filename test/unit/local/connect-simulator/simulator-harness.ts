/** Starts a simulator on a loopback port with a real ConnectClient and a recording event target. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectClient, type StartOutboundVoiceContactCommandInput } from '@aws-sdk/client-connect';
import type { SimulatorLogger } from '../../../../local/connect-simulator/delivery.ts';
import type { ContactEvent } from '../../../../local/connect-simulator/events.ts';
import {
  type ConnectSimulatorHandle,
  type ConnectSimulatorServerOptions,
  startConnectSimulator,
} from '../../../../local/connect-simulator/server.ts';

export const INSTANCE_ID = '11111111-2222-3333-4444-555555555555';
export const CALLER_ID = '+48221234567';

export const silentLogger: SimulatorLogger = { info: () => {}, warn: () => {}, error: () => {} };

export interface Harness {
  simulator: ConnectSimulatorHandle;
  connect: ConnectClient;
  /** Events in the order the target received them. */
  events: ContactEvent[];
  callLogPath: string;
  deadLetterPath: string;
  eventsOf(contactId: string): ContactEvent[];
  readJsonl(path: string): Promise<unknown[]>;
  stop(): Promise<void>;
}

/** Defaults: timeScale 0.001 (a 30 s call takes 30 ms), generous quotas, files in a temp dir. */
export async function startHarness(options: ConnectSimulatorServerOptions = {}): Promise<Harness> {
  const directory = await mkdtemp(join(tmpdir(), 'connect-simulator-'));
  const callLogPath = join(directory, 'calls.jsonl');
  const deadLetterPath = join(directory, 'dead-letters.jsonl');
  const events: ContactEvent[] = [];
  const simulator = await startConnectSimulator({
    callLogPath,
    deadLetterPath,
    logger: silentLogger,
    deliver: async (event) => {
      events.push(event);
    },
    ...options,
    quotas: {
      maxConcurrentCalls: 100,
      maxConcurrentCampaignCalls: 100,
      dialRatePerSecond: 1_000,
      dialBurst: 1_000,
      ...options.quotas,
    },
    scenario: { timeScale: 0.001, ...options.scenario },
  });
  const connect = new ConnectClient({
    endpoint: simulator.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // The SDK retries 429s on its own; one attempt shows the simulator's answer as is.
    maxAttempts: 1,
  });
  return {
    simulator,
    connect,
    events,
    callLogPath,
    deadLetterPath,
    eventsOf: (contactId) => events.filter((event) => event.detail.contactId === contactId),
    readJsonl: async (path) =>
      (await readFile(path, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown),
    stop: async () => {
      connect.destroy();
      await simulator.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A valid StartOutboundVoiceContact request; override what the test is about. */
export function dial(
  overrides: Partial<StartOutboundVoiceContactCommandInput> = {},
): StartOutboundVoiceContactCommandInput {
  return {
    InstanceId: INSTANCE_ID,
    ContactFlowId: 'outbound-survey',
    DestinationPhoneNumber: '+48600000001',
    SourcePhoneNumber: CALLER_ID,
    ...overrides,
  };
}

/** The same request as an AMD-enabled campaign call. */
export function campaignDial(
  overrides: Partial<StartOutboundVoiceContactCommandInput> = {},
): StartOutboundVoiceContactCommandInput {
  return dial({
    TrafficType: 'CAMPAIGN',
    CampaignId: 'spring-survey',
    AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
    ...overrides,
  });
}
