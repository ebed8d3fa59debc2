/**
 * Amazon Connect values the simulator emits, as documented in the admin guide's contact record
 * data model (DisconnectReason, AnsweringMachineDetectionStatus) and the contact events page.
 */
import { z } from 'zod';

/** What the callee really did: the simulator's ground truth, never sent to the engine as such. */
export const CalleeOutcomeSchema = z.enum(['ANSWERED', 'NO_ANSWER', 'BUSY', 'VOICEMAIL', 'INVALID_NUMBER', 'FAILED']);
export type CalleeOutcome = z.infer<typeof CalleeOutcomeSchema>;

/** Outcomes in which media is established and the contact flow runs. */
export const FLOW_OUTCOMES: ReadonlySet<CalleeOutcome> = new Set(['ANSWERED', 'VOICEMAIL']);

/**
 * Voice disconnect reasons. `TELECOM_*` are the telephony codes of plain StartOutboundVoiceContact
 * calls; `OUTBOUND_*` and `EXPIRED` are documented for Outbound Campaigns contacts.
 */
export const DisconnectReasonSchema = z.enum([
  'CUSTOMER_DISCONNECT',
  'AGENT_DISCONNECT',
  'THIRD_PARTY_DISCONNECT',
  'CONTACT_FLOW_DISCONNECT',
  'BARGED',
  'OTHER',
  'TELECOM_PROBLEM',
  'TELECOM_BUSY',
  'TELECOM_NUMBER_INVALID',
  'TELECOM_POTENTIAL_BLOCKING',
  'TELECOM_UNANSWERED',
  'TELECOM_TIMEOUT',
  'TELECOM_ORIGINATOR_CANCEL',
  'OUTBOUND_DESTINATION_ENDPOINT_ERROR',
  'OUTBOUND_RESOURCE_ERROR',
  'OUTBOUND_ATTEMPT_FAILED',
  'EXPIRED',
]);
export type DisconnectReason = z.infer<typeof DisconnectReasonSchema>;

/** AnsweringMachineDetectionStatus values (reported only when AMD is enabled on the call). */
export const AmdStatusSchema = z.enum([
  'HUMAN_ANSWERED',
  'VOICEMAIL_BEEP',
  'VOICEMAIL_NO_BEEP',
  'AMD_UNANSWERED',
  'AMD_UNRESOLVED',
  'AMD_UNRESOLVED_SILENCE',
  'AMD_NOT_APPLICABLE',
  'SIT_TONE_BUSY',
  'SIT_TONE_INVALID_NUMBER',
  'SIT_TONE_DETECTED',
  'FAX_MACHINE_DETECTED',
  'AMD_ERROR',
]);
export type AmdStatus = z.infer<typeof AmdStatusSchema>;

/** Contact event types the simulator emits (a subset of Connect's). */
export const ContactEventTypeSchema = z.enum(['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
export type ContactEventType = z.infer<typeof ContactEventTypeSchema>;

/** E.164: `+`, a non-zero digit, at most 15 digits in total. */
export const E164 = /^\+[1-9]\d{1,14}$/;
