/**
 * The contact-flow hook. When a human or a voicemail answers, the simulator hands the call to
 * `runFlow`; a flow executor (running the real contact-flows/ JSON) can be plugged in here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Random } from './random.ts';
import type { Keypad, LexIntent } from './scenario.ts';
import type { AmdStatus, DisconnectReason } from './vocabulary.ts';

/** An answered call as a flow executor sees it. */
export interface FlowCall {
  contactId: string;
  instanceId: string;
  instanceArn: string;
  contactFlowId: string;
  /** The callee (CustomerEndpoint), E.164. */
  customerPhoneNumber: string;
  /** Caller id (SystemEndpoint), when the request named one. */
  systemPhoneNumber: string | undefined;
  queueId: string | undefined;
  campaignId: string | undefined;
  trafficType: 'GENERAL' | 'CAMPAIGN';
  /** Contact attributes as of now (a copy: change them with `updateAttributes`). */
  attributes: Readonly<Record<string, string>>;
  amdEnabled: boolean;
  /** What AMD reports; undefined when AMD is off (the flow cannot tell voicemail from a person). */
  amdStatus: AmdStatus | undefined;
  /** The callee's hidden behaviour, for an executor that simulates key presses and hang-ups. */
  callee: {
    outcome: 'ANSWERED' | 'VOICEMAIL';
    /** How long the default flow keeps the call (simulated ms). */
    talkMs: number;
    /** The callee hangs up this long after connecting (the simulator enforces it). */
    hangUpAfterMs: number | undefined;
    /** A seeded stream private to this call. */
    random: Random;
    /** How the callee uses the keypad (the scenario's `keypad`). */
    keypad: Keypad;
    /** Keys this attempt presses in order (`silence` for none), from a per-number override. */
    presses: ReadonlyArray<string> | undefined;
    /** Speaking time per word of a prompt, simulated ms. */
    speechMsPerWord: number;
    /** Intents this attempt gives a Lex bot in order (`silence` for none), from a per-number override. */
    intents: ReadonlyArray<string | LexIntent> | undefined;
    /** The scenario's weights of the intents callees give a Lex bot (`lex.intents`). */
    lexIntents: Readonly<Record<string, number>>;
  };
  /** Share of flow Lambda invocations that ran but come back as a service error, so Connect invokes again. */
  lambdaRetryProbability: number;
  initiatedAt: Date;
  connectedAt: Date;
  /** Aborted when the call ends under the flow: the callee hangs up, StopContact, or shutdown. */
  signal: AbortSignal;
  /** Waits simulated milliseconds (scaled by timeScale); rejects once `signal` is aborted. */
  sleep(milliseconds: number): Promise<void>;
  /** Sets contact attributes, as the UpdateContactAttributes block does. */
  updateAttributes(attributes: Record<string, string>): void;
}

/**
 * A flow that failed can say what it did before (kept in the call log): throw an error with a
 * `details` property.
 */
export function flowErrorDetails(error: unknown): Record<string, unknown> | undefined {
  if (error === null || typeof error !== 'object' || !('details' in error)) return undefined;
  const { details } = error as { details: unknown };
  return details !== null && typeof details === 'object' ? (details as Record<string, unknown>) : undefined;
}

/** How the flow ended the call. */
export interface FlowResult {
  disconnectReason: DisconnectReason;
  /** Anything worth keeping in the ground-truth call log (answers, blocks visited, …). */
  details?: Record<string, unknown>;
}

/** Runs the contact flow for an answered call and resolves when the flow disconnects. */
export type RunFlow = (call: FlowCall) => Promise<FlowResult>;

/** Default flow: keeps the line for the scenario's talk time, then hangs up. */
export const defaultRunFlow: RunFlow = async (call) => {
  await call.sleep(call.callee.talkMs);
  return { disconnectReason: 'CONTACT_FLOW_DISCONNECT' };
};

/** Builds the scaled, abortable `sleep` a FlowCall offers. */
export function scaledSleep(timeScale: number, signal: AbortSignal): (milliseconds: number) => Promise<void> {
  return async (milliseconds) => {
    await sleep(Math.max(0, milliseconds * timeScale), undefined, { signal });
  };
}
