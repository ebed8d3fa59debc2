/**
 * Places calls through Amazon Connect's StartOutboundVoiceContact and sorts its errors into what the dispatcher
 * must do about them (slow down, give up on the number, try again later).
 *
 * Every call carries the attempt it belongs to as contact attributes (`campaignId`, `runDate`, `attempt`) and the
 * engine that placed it (`engine`: `campaign-engine-<stage>`), so a contact the engine has no record of (a crash
 * between Connect accepting the call and the dispatcher writing its ContactId down) is still recognised, and a
 * contact of another application, or another stage, on a shared instance is told apart
 * (functions/adapters/connect-contacts.ts reads them back).
 */
import { createHash } from 'node:crypto';
import { type ConnectClient, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { maskPhonesIn } from '../lib/logger.ts';
import type { CallStarter, CallStartResult, CallToStart } from '../use-cases/dialing/ports.ts';

export interface ConnectDialerSettings {
  instanceId: string;
  contactFlowId: string;
  queueId?: string;
  /** `campaign-engine-<stage>`: written on every call, required of every call read back. */
  engineId: string;
  /**
   * Answering-machine detection, which Connect offers only to TrafficType CAMPAIGN calls (counted against the
   * separate "concurrent campaign calls" quota); with it the flow can leave the campaign's voicemail message.
   * `campaignId` is the Outbound Campaigns id Connect expects then.
   */
  answeringMachineDetection?: { campaignId?: string };
}

export const THROTTLING = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException']);
const UNREACHABLE = new Set(['DestinationNotAllowedException', 'OutboundContactNotPermittedException']);
/** Network failures where the request may not have reached Connect; safe to resend with the same ClientToken. */
const TRANSIENT_NETWORK = new Set(['TimeoutError', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED']);

/**
 * Idempotency token for one attempt: a retried request for the same attempt returns the same ContactId instead
 * of dialing twice (Connect keeps tokens for 7 days).
 */
export function clientTokenFor(campaignId: string, date: string, phone: string, attempt: number): string {
  return createHash('sha256').update(`${campaignId}|${date}|${phone}|${attempt}`).digest('hex');
}

export type ConnectError = Error & { code?: string; $metadata?: { httpStatusCode?: number } };

/** The error as text for logs and alerts, with any phone number in it masked. */
export const describeError = (error: ConnectError): string => maskPhonesIn(`${error.name}: ${error.message}`);

export class ConnectDialer implements CallStarter {
  private readonly settings: ConnectDialerSettings;
  private readonly client: ConnectClient;

  constructor(settings: ConnectDialerSettings, client: ConnectClient) {
    this.settings = settings;
    this.client = client;
  }

  /** The StartOutboundVoiceContact request of an attempt: the same attempt always gives the same request. */
  request(call: CallToStart) {
    const { ref } = call;
    const amd = this.settings.answeringMachineDetection;
    return {
      InstanceId: this.settings.instanceId,
      ContactFlowId: this.settings.contactFlowId,
      DestinationPhoneNumber: ref.phone,
      SourcePhoneNumber: call.source,
      ...(this.settings.queueId ? { QueueId: this.settings.queueId } : {}),
      Attributes: {
        engine: this.settings.engineId,
        campaignId: ref.campaignId,
        runDate: ref.date,
        attempt: String(ref.attempt),
        ...(call.name !== undefined && { name: call.name }),
        ...(call.language !== undefined && { language: call.language }),
      },
      ClientToken: clientTokenFor(ref.campaignId, ref.date, ref.phone, ref.attempt),
      RingTimeoutInSeconds: call.ringTimeoutSeconds,
      ...(amd
        ? {
            TrafficType: 'CAMPAIGN' as const,
            ...(amd.campaignId && { CampaignId: amd.campaignId }),
            AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
          }
        : { TrafficType: 'GENERAL' as const }),
    };
  }

  /**
   * Starts one call. A network failure is retried once with the same ClientToken: if the first request did reach
   * Connect, the retry returns the same ContactId instead of dialing again. Throttling is never retried here: the
   * dispatcher slows down instead.
   */
  async start(call: CallToStart): Promise<CallStartResult> {
    const input = this.request(call);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.client.send(new StartOutboundVoiceContactCommand(input));
        if (!response.ContactId) return { kind: 'ERROR', error: 'Connect returned no ContactId' };
        return { kind: 'STARTED', connectContactId: response.ContactId };
      } catch (caught) {
        const error = caught as ConnectError;
        if (THROTTLING.has(error.name) || error.$metadata?.httpStatusCode === 429) {
          return { kind: 'THROTTLED', error: describeError(error) };
        }
        if (
          UNREACHABLE.has(error.name) ||
          (error.name === 'InvalidParameterException' && /phone|destination/i.test(error.message))
        ) {
          return { kind: 'INVALID_NUMBER', error: describeError(error) };
        }
        const transient = TRANSIENT_NETWORK.has(error.name) || TRANSIENT_NETWORK.has(error.code ?? '');
        if (!transient || attempt >= 2) return { kind: 'ERROR', error: describeError(error) };
      }
    }
  }
}
