/**
 * Test doubles for the flow executor: a FlowCall on a virtual clock (sleeps return at once, the
 * callee can hang up at a virtual time), and fake flow Lambdas that run the engine's own pure step
 * logic over an in-memory answer store (idempotent like the real one).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CampaignInput, parseCampaign } from '../../../../functions/core/campaign.ts';
import { firstStep, stepAfterInput, toStringMap } from '../../../../functions/core/script/flow-steps.ts';
import type { FlowCall } from '../../../../local/connect-simulator/flow.ts';
import {
  type LambdaInvokeResponse,
  type LambdaInvoker,
  loadFlow,
} from '../../../../local/connect-simulator/flow-executor.ts';
import { randomStream } from '../../../../local/connect-simulator/random.ts';
import { type ScenarioInput, ScenarioSchema } from '../../../../local/connect-simulator/scenario.ts';
import type { AmdStatus } from '../../../../local/connect-simulator/vocabulary.ts';

export const NEXT_STEP_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:campaign-engine-test-nextStep';
export const RECORD_ANSWER_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:campaign-engine-test-recordAnswer';

/** The shipped flow, placeholders substituted as the deployment does. */
export function shippedFlow() {
  const text = readFileSync(resolve(import.meta.dirname, '../../../../contact-flows/outbound-survey.json'), 'utf8');
  return loadFlow(text, { NextStepFunctionArn: NEXT_STEP_ARN, RecordAnswerFunctionArn: RECORD_ANSWER_ARN });
}

/** The demo's shape: q1 (1 ends, 2 → q2), q2; opt-out 9; a voicemail message. */
export function surveyCampaign(script: Partial<CampaignInput['script']> = {}) {
  return parseCampaign({
    id: 'flow-test',
    name: 'Flow test',
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    callerId: '+48221234567',
    script: {
      greeting: 'Hello {name}, this is your health centre.',
      questions: [
        {
          id: 'q1',
          prompt: 'Vaccinated? Press 1 for yes, 2 for no.',
          keys: { '1': 'Yes', '2': 'No' },
          next: { '2': 'q2' },
        },
        { id: 'q2', prompt: 'Want instructions? Press 1 for yes, 2 for no.', keys: { '1': 'Yes', '2': 'No' } },
      ],
      optOutKey: '9',
      closing: 'Thank you. Goodbye.',
      voicemail: { action: 'LEAVE_MESSAGE', message: 'Please call the health centre back.' },
      ...script,
    },
  });
}

export interface RecordedAnswer {
  questionId: string;
  key: string;
  scriptVersion: number;
}

/** Fake nextStep/recordAnswer functions: the engine's step logic, answers kept once per question. */
export function fakeFlowFunctions(campaign = surveyCampaign(), version = 1) {
  const answers: RecordedAnswer[] = [];
  const recorded = new Set<string>();
  const invocations: Array<{ function: 'nextStep' | 'recordAnswer'; event: Record<string, unknown> }> = [];
  const optOuts: string[] = [];
  const failures = { nextStep: 0, recordAnswer: 0 };
  const invoke: LambdaInvoker = async ({ functionArn, payload }) => {
    const event = JSON.parse(payload) as {
      Name: string;
      Details: {
        ContactData: { Attributes: Record<string, string>; CustomerEndpoint: { Address: string } };
        Parameters: Record<string, string>;
      };
    };
    const name = functionArn === NEXT_STEP_ARN ? 'nextStep' : 'recordAnswer';
    invocations.push({ function: name, event });
    if (failures[name] > 0) {
      failures[name]--;
      return { kind: 'FUNCTION_ERROR', payload: '{"errorMessage":"boom"}' };
    }
    const context = {
      script: campaign.script,
      scriptVersion: version,
      attributes: event.Details.ContactData.Attributes,
    };
    if (name === 'nextStep') {
      const progress = event.Details.ContactData.Attributes.callProgress === 'VOICEMAIL' ? 'VOICEMAIL' : 'HUMAN';
      return ok(toStringMap(firstStep(context, progress)));
    }
    const parameters = event.Details.Parameters;
    const outcome = stepAfterInput(
      context,
      {
        questionId: parameters.questionId ?? '',
        retry: Number(parameters.retry),
        answered: Number(parameters.answered),
      },
      parameters.input,
    );
    let result: string = outcome.kind;
    if (outcome.kind === 'ANSWER') {
      const answerKey = `${event.Details.ContactData.CustomerEndpoint.Address}#${outcome.questionId}`;
      const duplicate = recorded.has(answerKey);
      recorded.add(answerKey);
      if (!duplicate) {
        answers.push({
          questionId: outcome.questionId,
          key: outcome.key,
          scriptVersion: Number(parameters.scriptVersion),
        });
      }
      result = duplicate ? 'DUPLICATE' : 'RECORDED';
    }
    if (outcome.kind === 'OPT_OUT') optOuts.push(event.Details.ContactData.CustomerEndpoint.Address);
    return ok(toStringMap(outcome.step, { result }));
  };
  return { invoke, answers, invocations, optOuts, failures };
}

export function ok(map: Record<string, unknown>): LambdaInvokeResponse {
  return { kind: 'OK', payload: JSON.stringify(map) };
}

export interface FakeCallOptions {
  presses?: string[];
  /** Intents the callee gives a Lex bot, in order. */
  intents?: Array<string | { name: string; slots: Record<string, string> }>;
  /** The queue the call was started with (StartOutboundVoiceContact's QueueId). */
  queueId?: string;
  amdStatus?: AmdStatus;
  /** The callee hangs up once this much virtual time has passed. */
  hangUpAtMs?: number;
  attributes?: Record<string, string>;
  scenario?: ScenarioInput;
}

/** A FlowCall on a virtual clock: `elapsed()` is the simulated time the flow spent. */
export function fakeCall(options: FakeCallOptions = {}) {
  const scenario = ScenarioSchema.parse({
    keypad: { silenceProbability: 0, invalidKeyProbability: 0 },
    ...options.scenario,
  });
  const line = new AbortController();
  let elapsedMs = 0;
  const attributesSet: Record<string, string> = {};
  const call: FlowCall = {
    contactId: '11111111-2222-3333-4444-555555555555',
    instanceId: 'instance',
    instanceArn: 'arn:aws:connect:eu-west-1:000000000000:instance/instance',
    contactFlowId: 'flow',
    customerPhoneNumber: '+48600000001',
    systemPhoneNumber: '+48221234567',
    queueId: options.queueId,
    campaignId: undefined,
    trafficType: 'GENERAL',
    attributes: { campaignId: 'flow-test', runDate: '2026-11-22', attempt: '1', name: 'Anna', ...options.attributes },
    amdEnabled: options.amdStatus !== undefined,
    amdStatus: options.amdStatus,
    callee: {
      outcome: options.amdStatus?.startsWith('VOICEMAIL') ? 'VOICEMAIL' : 'ANSWERED',
      talkMs: 60_000,
      hangUpAfterMs: options.hangUpAtMs,
      random: randomStream(scenario.seed, 'flow-test'),
      keypad: scenario.keypad,
      presses: options.presses,
      speechMsPerWord: scenario.speechMsPerWord,
      intents: options.intents,
      lexIntents: scenario.lex.intents,
    },
    lambdaRetryProbability: scenario.faults.lambdaRetryProbability,
    initiatedAt: new Date(0),
    connectedAt: new Date(0),
    signal: line.signal,
    sleep: async (milliseconds) => {
      if (line.signal.aborted) throw new Error('hung up');
      await Promise.resolve();
      elapsedMs += milliseconds;
      if (options.hangUpAtMs !== undefined && elapsedMs >= options.hangUpAtMs) {
        line.abort();
        throw new Error('hung up');
      }
    },
    updateAttributes: (attributes) => {
      Object.assign(attributesSet, attributes);
    },
  };
  return { call, attributesSet, elapsed: () => elapsedMs, hangUp: () => line.abort() };
}
