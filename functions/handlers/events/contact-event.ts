/**
 * An Amazon Connect contact event (EventBridge, `Amazon Connect Contact Event`), parsed, and which of them the
 * engine has no use for. Shape per the admin guide's "Amazon Connect contact events": objects are loose, since
 * Connect adds fields and event types over time and the guide asks consumers to ignore what they do not read.
 */
import { z } from 'zod';

/** The fields of a contact event the engine reads; Connect adds fields over time, and they are ignored. */
export const ContactEventSchema = z.looseObject({
  'detail-type': z.literal('Amazon Connect Contact Event'),
  source: z.literal('aws.connect'),
  time: z.string(),
  detail: z.looseObject({
    eventType: z.string(),
    contactId: z.string().min(1),
    channel: z.string().optional(),
    instanceArn: z.string().optional(),
    /** The spelling of AWS's older published sample. */
    instanceARN: z.string().optional(),
    initiationMethod: z.string().optional(),
    initiationTimestamp: z.string().optional(),
    connectedToSystemTimestamp: z.string().optional(),
    disconnectTimestamp: z.string().optional(),
    disconnectReason: z.string().optional(),
    answeringMachineDetectionStatus: z.string().optional(),
    queueInfo: z.looseObject({ queueArn: z.string().optional() }).optional(),
  }),
});
export type ContactEvent = z.infer<typeof ContactEventSchema>;

/**
 * Why an event needs no work, or undefined when it is the end of a voice call this engine may have placed (it
 * places calls with StartOutboundVoiceContact only: initiation method API). Values are compared as AWS's own
 * samples spell them too (`Voice`, `instanceARN`).
 */
export function reasonToIgnore(event: ContactEvent, instanceArn: string): string | undefined {
  const { detail } = event;
  if (detail.eventType.toUpperCase() !== 'DISCONNECTED') return `event type ${detail.eventType}`;
  if (detail.channel !== undefined && detail.channel.toUpperCase() !== 'VOICE') return `channel ${detail.channel}`;
  if (detail.initiationMethod !== undefined && detail.initiationMethod.toUpperCase() !== 'API') {
    return `initiation method ${detail.initiationMethod}`;
  }
  const eventInstance = detail.instanceArn ?? detail.instanceARN;
  if (eventInstance !== undefined && eventInstance !== instanceArn) return 'another instance';
  return undefined;
}
