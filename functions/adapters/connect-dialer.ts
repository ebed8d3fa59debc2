/**
 * Places calls through Amazon Connect's StartOutboundVoiceContact and sorts its errors into what
 * the dispatcher must do about them: slow down, give up on the number, or try again later.
 */
import { createHash } from 'node:crypto';
import { StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { connectClient } from './aws-clients.ts';

export interface CallRequest {
  instanceId: string;
  contactFlowId: string;
  queueId?: string;
  destination: string;
  source: string;
  attributes: Record<string, string>;
  clientToken: string;
  ringTimeoutSeconds: number;
  /**
   * Answering-machine detection, which Connect offers only to TrafficType CAMPAIGN calls (counted
   * against the separate "concurrent campaign calls" quota); with it the flow can leave the
   * campaign's voicemail message. `campaignId` is the Outbound Campaigns id Connect expects then.
   */
  answeringMachineDetection?: { campaignId?: string };
}

export type CallStartResult =
  | { kind: 'STARTED'; connectContactId: string }
  /** Over the concurrency or rate quota: release the claim, slow down. */
  | { kind: 'THROTTLED'; error: string }
  /** Connect will never reach this number: finish the contact as INVALID_NUMBER. */
  | { kind: 'INVALID_NUMBER'; error: string }
  /** Anything else (misconfiguration, service errors): release the claim, count, alert if it repeats. */
  | { kind: 'ERROR'; error: string };

const THROTTLING = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException']);
const UNREACHABLE = new Set(['DestinationNotAllowedException', 'OutboundContactNotPermittedException']);

/**
 * Idempotency token for one attempt: a retried request for the same attempt returns the same
 * ContactId instead of dialing twice (Connect keeps tokens for 7 days).
 */
export function clientTokenFor(campaignId: string, date: string, phone: string, attempt: number): string {
  return createHash('sha256').update(`${campaignId}|${date}|${phone}|${attempt}`).digest('hex');
}

/** Network failures where the request may not have reached Connect; safe to resend with the same ClientToken. */
const TRANSIENT_NETWORK = new Set(['TimeoutError', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED']);

/**
 * Starts one call. A network failure is retried once with the same ClientToken: if the first
 * request did reach Connect, the retry returns the same ContactId instead of dialing again.
 * Throttling is never retried here: the dispatcher slows down instead.
 */
export async function startCall(request: CallRequest, client = connectClient): Promise<CallStartResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await client.send(
        new StartOutboundVoiceContactCommand({
          InstanceId: request.instanceId,
          ContactFlowId: request.contactFlowId,
          DestinationPhoneNumber: request.destination,
          SourcePhoneNumber: request.source,
          ...(request.queueId ? { QueueId: request.queueId } : {}),
          Attributes: request.attributes,
          ClientToken: request.clientToken,
          RingTimeoutInSeconds: request.ringTimeoutSeconds,
          ...(request.answeringMachineDetection
            ? {
                TrafficType: 'CAMPAIGN',
                ...(request.answeringMachineDetection.campaignId && {
                  CampaignId: request.answeringMachineDetection.campaignId,
                }),
                AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
              }
            : { TrafficType: 'GENERAL' }),
        }),
      );
      if (!response.ContactId) return { kind: 'ERROR', error: 'Connect returned no ContactId' };
      return { kind: 'STARTED', connectContactId: response.ContactId };
    } catch (caught) {
      const error = caught as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
      const description = `${error.name}: ${error.message}`;
      if (THROTTLING.has(error.name) || error.$metadata?.httpStatusCode === 429) {
        return { kind: 'THROTTLED', error: description };
      }
      if (
        UNREACHABLE.has(error.name) ||
        (error.name === 'InvalidParameterException' && /phone|destination/i.test(error.message))
      ) {
        return { kind: 'INVALID_NUMBER', error: description };
      }
      const transient = TRANSIENT_NETWORK.has(error.name) || TRANSIENT_NETWORK.has(error.code ?? '');
      if (!transient || attempt >= 2) return { kind: 'ERROR', error: description };
    }
  }
}
