/** Instance-level settings of the simulator: identity, quotas, delivery and file locations. */
import { z } from 'zod';
import type { DeliverEvent, SimulatorLogger } from './delivery.ts';
import type { RunFlow } from './flow.ts';
import type { ScenarioInput } from './scenario.ts';

/**
 * Connect quotas. Defaults are AWS's documented defaults: 10 concurrent calls per instance,
 * StartOutboundVoiceContact at 2 requests/s with a burst of 5.
 */
export const QuotasSchema = z
  .object({
    /** Concurrent active calls (ringing or connected) with TrafficType GENERAL. */
    maxConcurrentCalls: z.int().min(0).default(10),
    /** Concurrent active calls with TrafficType CAMPAIGN (a separate quota in Connect). */
    maxConcurrentCampaignCalls: z.int().min(0).default(10),
    dialRatePerSecond: z.number().positive().default(2),
    dialBurst: z.int().min(1).default(5),
    /**
     * Error returned when the dial rate is exceeded. The API reference documents only
     * LimitExceededException (429) for StartOutboundVoiceContact while other Connect APIs answer
     * ThrottlingException; the default keeps the two quotas distinguishable in tests. Both are 429.
     */
    rateLimitErrorType: z.enum(['ThrottlingException', 'LimitExceededException']).default('ThrottlingException'),
  })
  .strict();
export type Quotas = z.infer<typeof QuotasSchema>;

/** Options of the simulator engine (the HTTP server adds host and port). */
export interface ConnectSimulatorOptions {
  /** Region and account used in ARNs and event envelopes. Default eu-west-1 / 123456789012. */
  region?: string;
  accountId?: string;
  /** Accepted instance ids (or ARNs); requests naming another get ResourceNotFoundException. Default: any. */
  instanceIds?: string[];
  quotas?: z.input<typeof QuotasSchema>;
  /**
   * Destinations starting with one of these prefixes get DestinationNotAllowedException (403), as
   * numbers outside the instance's allowed countries do (e.g. `+447`, UK mobiles, blocked by default).
   */
  destinationNotAllowedPrefixes?: string[];
  /** Callee scenario; validated by ScenarioSchema. */
  scenario?: ScenarioInput;
  /** Target of contact events (an EventBridge rule target). Without it events are only counted. */
  deliver?: DeliverEvent;
  /** Which event types reach `deliver`, like the rule's `detail.eventType` pattern. Default: all. */
  deliverEventTypes?: ReadonlyArray<'INITIATED' | 'CONNECTED_TO_SYSTEM' | 'DISCONNECTED' | 'COMPLETED'>;
  /** Also emit COMPLETED right after DISCONNECTED, as Connect does for contacts without after-contact work. */
  emitCompletedEvents?: boolean;
  /** Retries after a failed delivery (default 2) and the first retry delay in simulated ms (default 1000, doubling). */
  deliveryRetries?: number;
  deliveryRetryBaseDelayMs?: number;
  /** Dead-letter file for events that failed every attempt; `null` disables. Default `.local/connect-dead-letters.jsonl`. */
  deadLetterPath?: string | null;
  /** Ground-truth call log; `null` disables. Default `.local/calls.jsonl`. */
  callLogPath?: string | null;
  /** Contact flows of the instance (ListContactFlows lists them as published and active). Default: none. */
  contactFlows?: ReadonlyArray<{ id: string; name: string }>;
  /** Runs the contact flow of answered calls; default keeps the line for the scenario's talk time. */
  runFlow?: RunFlow;
  logger?: SimulatorLogger;
}

export const DEFAULT_CALL_LOG_PATH = '.local/calls.jsonl';
export const DEFAULT_DEAD_LETTER_PATH = '.local/connect-dead-letters.jsonl';
export const DEFAULT_REGION = 'eu-west-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

/** Logs to the console with a prefix. */
export const consoleLogger: SimulatorLogger = {
  info: (message, details) => console.info(`[connect-simulator] ${message}`, details ?? ''),
  warn: (message, details) => console.warn(`[connect-simulator] ${message}`, details ?? ''),
  error: (message, details) => console.error(`[connect-simulator] ${message}`, details ?? ''),
};

/** `arn:aws:connect:…:instance/<id>` or `<id>` → `<id>`. */
export function normalizeInstanceId(instanceIdOrArn: string): string {
  const marker = ':instance/';
  const at = instanceIdOrArn.indexOf(marker);
  return at === -1 ? instanceIdOrArn : (instanceIdOrArn.slice(at + marker.length).split('/')[0] ?? '');
}
