/**
 * A simulated contact and the pure views of it the simulator publishes: the DescribeContact
 * response, the ground-truth call-log record, the contact-event snapshot and the flow's call object.
 */
import type { StartOutboundVoiceContactRequest } from './api-schemas.ts';
import { type ContactSnapshot, contactArnOf } from './events.ts';
import { type FlowCall, scaledSleep } from './flow.ts';
import { randomStream } from './random.ts';
import type { CallPlan, Scenario } from './scenario.ts';
import type { AmdStatus, CalleeOutcome, DisconnectReason } from './vocabulary.ts';

export type TrafficType = 'GENERAL' | 'CAMPAIGN';

/** Mutable state of one call, owned by the simulator. */
export interface SimContact {
  contactId: string;
  instanceId: string;
  instanceArn: string;
  request: StartOutboundVoiceContactRequest;
  trafficType: TrafficType;
  amdEnabled: boolean;
  attributes: Record<string, string>;
  /** 0 for the first call to this destination since the simulator started. */
  attempt: number;
  /** The scenario in force when the call started (a later replacement does not change it). */
  scenario: Scenario;
  plan: CallPlan;
  concurrentAtStart: number;
  initiatedAtMs: number;
  connectedAtMs: number | undefined;
  disconnectedAtMs: number | undefined;
  disconnectReason: DisconnectReason | undefined;
  state: 'RINGING' | 'CONNECTED' | 'ENDED';
  /** Aborted by StopContact or shutdown; `endReason` says why. */
  interrupt: AbortController;
  endReason: DisconnectReason | undefined;
  stoppedByApi: boolean;
  flowDetails: Record<string, unknown> | undefined;
}

/** One line of the ground-truth call log. */
export interface CallRecord {
  contactId: string;
  clientToken: string | undefined;
  instanceId: string;
  contactFlowId: string;
  /** Full E.164 number: acceptable in this local test log only. */
  destination: string;
  source: string | undefined;
  queueId: string | undefined;
  campaignId: string | undefined;
  trafficType: TrafficType;
  attributes: Record<string, string>;
  attempt: number;
  startedAt: string;
  answeredAt: string | undefined;
  endedAt: string;
  /** What the callee really did (after the ring timeout). */
  outcome: CalleeOutcome;
  disconnectReason: DisconnectReason;
  /** Status reported to the engine; null when AMD was off. */
  amdStatus: AmdStatus | null;
  stoppedByApi: boolean;
  /** Calls active when this one started. */
  concurrentAtStart: number;
  /** `details` returned by the flow. */
  flow: Record<string, unknown> | undefined;
}

/** The ground-truth record of a contact (call it once the contact has ended). */
export function toCallRecord(contact: SimContact): CallRecord {
  const { request } = contact;
  return {
    contactId: contact.contactId,
    clientToken: request.ClientToken,
    instanceId: contact.instanceId,
    contactFlowId: request.ContactFlowId,
    destination: request.DestinationPhoneNumber,
    source: request.SourcePhoneNumber,
    queueId: request.QueueId,
    campaignId: request.CampaignId,
    trafficType: contact.trafficType,
    attributes: { ...contact.attributes },
    attempt: contact.attempt,
    startedAt: new Date(contact.initiatedAtMs).toISOString(),
    answeredAt: isoOrUndefined(contact.connectedAtMs),
    endedAt: new Date(contact.disconnectedAtMs ?? contact.initiatedAtMs).toISOString(),
    outcome: contact.plan.outcome,
    disconnectReason: contact.disconnectReason ?? 'OTHER',
    amdStatus: contact.plan.amdStatus ?? null,
    stoppedByApi: contact.stoppedByApi,
    concurrentAtStart: contact.concurrentAtStart,
    flow: contact.flowDetails,
  };
}

/** The DescribeContact `Contact`, timestamps in epoch seconds as restJson1 writes them. */
export function toDescribedContact(contact: SimContact): Record<string, unknown> {
  const { request } = contact;
  return {
    Arn: contactArnOf(contact.instanceArn, contact.contactId),
    Id: contact.contactId,
    InitiationMethod: 'API',
    Channel: 'VOICE',
    InitiationTimestamp: epochSeconds(contact.initiatedAtMs),
    ConnectedToSystemTimestamp: epochSeconds(contact.connectedAtMs),
    DisconnectTimestamp: epochSeconds(contact.disconnectedAtMs),
    LastUpdateTimestamp: epochSeconds(contact.disconnectedAtMs ?? contact.connectedAtMs ?? contact.initiatedAtMs),
    DisconnectReason: contact.disconnectReason,
    // AMD reports once the call connects or fails, never while it rings.
    AnsweringMachineDetectionStatus: contact.state === 'RINGING' ? undefined : contact.plan.amdStatus,
    CustomerEndpoint: { Type: 'TELEPHONE_NUMBER', Address: request.DestinationPhoneNumber },
    SystemEndpoint: request.SourcePhoneNumber
      ? { Type: 'TELEPHONE_NUMBER', Address: request.SourcePhoneNumber }
      : undefined,
    Campaign: request.CampaignId ? { CampaignId: request.CampaignId } : undefined,
    Attributes: { ...contact.attributes },
  };
}

/** What a contact event may say about the contact right now. */
export function toEventSnapshot(contact: SimContact): ContactSnapshot {
  return {
    contactId: contact.contactId,
    instanceArn: contact.instanceArn,
    initiatedAtMs: contact.initiatedAtMs,
    connectedAtMs: contact.connectedAtMs,
    disconnectedAtMs: contact.disconnectedAtMs,
    disconnectReason: contact.disconnectReason,
    amdStatus: contact.plan.amdStatus,
  };
}

/** The call object handed to `runFlow` while the contact is connected. */
export function toFlowCall(contact: SimContact, signal: AbortSignal): FlowCall {
  const { request, plan, scenario } = contact;
  return {
    contactId: contact.contactId,
    instanceId: contact.instanceId,
    instanceArn: contact.instanceArn,
    contactFlowId: request.ContactFlowId,
    customerPhoneNumber: request.DestinationPhoneNumber,
    systemPhoneNumber: request.SourcePhoneNumber,
    queueId: request.QueueId,
    campaignId: request.CampaignId,
    trafficType: contact.trafficType,
    attributes: { ...contact.attributes },
    amdEnabled: contact.amdEnabled,
    amdStatus: plan.amdStatus,
    callee: {
      outcome: plan.outcome === 'VOICEMAIL' ? 'VOICEMAIL' : 'ANSWERED',
      talkMs: plan.talkMs,
      hangUpAfterMs: plan.hangUpAfterMs,
      random: randomStream(scenario.seed, 'flow', request.DestinationPhoneNumber, contact.attempt),
      keypad: scenario.keypad,
      presses: plan.presses,
      speechMsPerWord: scenario.speechMsPerWord,
      intents: plan.intents,
      lexIntents: scenario.lex.intents,
    },
    lambdaRetryProbability: scenario.faults.lambdaRetryProbability,
    initiatedAt: new Date(contact.initiatedAtMs),
    connectedAt: new Date(contact.connectedAtMs ?? contact.initiatedAtMs),
    signal,
    sleep: scaledSleep(scenario.timeScale, signal),
    updateAttributes: (attributes) => {
      Object.assign(contact.attributes, attributes);
    },
  };
}

function epochSeconds(epochMs: number | undefined): number | undefined {
  return epochMs === undefined ? undefined : epochMs / 1000;
}

function isoOrUndefined(epochMs: number | undefined): string | undefined {
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}
