/**
 * Amazon Connect contact events in the EventBridge envelope, as a rule target receives them.
 *
 * Shape follows the admin guide ("Amazon Connect contact events", sample for a disconnected voice
 * call): envelope `version`, `id`, `detail-type`, `source`, `account`, `time`, `region`,
 * `resources`; detail fields in camelCase with ISO-8601 timestamps. Contact attributes are not in
 * the event, as in Connect: consumers map `contactId` to their own records.
 */
import { z } from 'zod';
import { AmdStatusSchema, ContactEventTypeSchema, DisconnectReasonSchema } from './vocabulary.ts';

export const CONTACT_EVENT_SOURCE = 'aws.connect';
export const CONTACT_EVENT_DETAIL_TYPE = 'Amazon Connect Contact Event';

const IsoTimestampSchema = z.iso.datetime({ offset: false });

/** The `detail` of a voice contact event started by StartOutboundVoiceContact. */
export const ContactEventDetailSchema = z.looseObject({
  eventType: ContactEventTypeSchema,
  contactId: z.string().min(1),
  channel: z.literal('VOICE'),
  instanceArn: z.string().startsWith('arn:'),
  initiationMethod: z.literal('API'),
  initiationTimestamp: IsoTimestampSchema,
  connectedToSystemTimestamp: IsoTimestampSchema.optional(),
  disconnectTimestamp: IsoTimestampSchema.optional(),
  disconnectReason: DisconnectReasonSchema.optional(),
  answeringMachineDetectionStatus: AmdStatusSchema.optional(),
});
export type ContactEventDetail = z.infer<typeof ContactEventDetailSchema>;

/** The EventBridge envelope around a contact event. */
export const ContactEventSchema = z.looseObject({
  version: z.literal('0'),
  id: z.string().min(1),
  'detail-type': z.literal(CONTACT_EVENT_DETAIL_TYPE),
  source: z.literal(CONTACT_EVENT_SOURCE),
  account: z.string().regex(/^\d{12}$/),
  time: z.iso.datetime({ offset: false }),
  region: z.string().min(1),
  resources: z.array(z.string()),
  detail: ContactEventDetailSchema,
});
export type ContactEvent = z.infer<typeof ContactEventSchema>;

/** ARN of a Connect instance. */
export function instanceArnOf(region: string, accountId: string, instanceId: string): string {
  return `arn:aws:connect:${region}:${accountId}:instance/${instanceId}`;
}

/** ARN of a contact in an instance. */
export function contactArnOf(instanceArn: string, contactId: string): string {
  return `${instanceArn}/contact/${contactId}`;
}

/** The contact as it stands when an event is emitted (epoch milliseconds). */
export interface ContactSnapshot {
  contactId: string;
  instanceArn: string;
  initiatedAtMs: number;
  connectedAtMs?: number | undefined;
  disconnectedAtMs?: number | undefined;
  disconnectReason?: ContactEventDetail['disconnectReason'];
  amdStatus?: ContactEventDetail['answeringMachineDetectionStatus'];
}

export interface BuildContactEventInput {
  eventType: ContactEventDetail['eventType'];
  eventId: string;
  emittedAtMs: number;
  region: string;
  accountId: string;
  contact: ContactSnapshot;
}

/**
 * Builds the event for one lifecycle step. Fields appear only once they are known: INITIATED has
 * no connect/disconnect data; CONNECTED_TO_SYSTEM adds the connect time and the AMD status; the
 * DISCONNECTED (and COMPLETED) event carries everything known about the contact.
 */
export function buildContactEvent(input: BuildContactEventInput): ContactEvent {
  const { contact, eventType } = input;
  const detail: ContactEventDetail = {
    eventType,
    contactId: contact.contactId,
    channel: 'VOICE',
    instanceArn: contact.instanceArn,
    initiationMethod: 'API',
    initiationTimestamp: isoMillis(contact.initiatedAtMs),
  };
  if (eventType !== 'INITIATED') {
    if (contact.connectedAtMs !== undefined) detail.connectedToSystemTimestamp = isoMillis(contact.connectedAtMs);
    if (contact.amdStatus !== undefined) detail.answeringMachineDetectionStatus = contact.amdStatus;
  }
  if (eventType === 'DISCONNECTED' || eventType === 'COMPLETED') {
    if (contact.disconnectedAtMs !== undefined) detail.disconnectTimestamp = isoMillis(contact.disconnectedAtMs);
    if (contact.disconnectReason !== undefined) detail.disconnectReason = contact.disconnectReason;
  }
  return {
    version: '0',
    id: input.eventId,
    'detail-type': CONTACT_EVENT_DETAIL_TYPE,
    source: CONTACT_EVENT_SOURCE,
    account: input.accountId,
    time: isoSeconds(input.emittedAtMs),
    region: input.region,
    resources: [contact.instanceArn, contactArnOf(contact.instanceArn, contact.contactId)],
    detail,
  };
}

/** `2021-08-04T17:17:53.000Z`, as the detail timestamps are written. */
function isoMillis(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** `2021-08-04T17:43:48Z`, as EventBridge writes the envelope `time`. */
function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
