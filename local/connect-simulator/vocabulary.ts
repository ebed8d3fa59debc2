/**
 * Amazon Connect values the simulator emits, as documented in the admin guide's contact record
 * data model (DisconnectReason, AnsweringMachineDetectionStatus) and the contact events page.
 */
import { z } from 'zod';
import { AMD_STATUSES, CONNECT_DISCONNECT_REASONS } from '../../functions/core/policy/outcome.ts';

/** What the callee really did: the simulator's ground truth, never sent to the engine as such. */
export const CalleeOutcomeSchema = z.enum(['ANSWERED', 'NO_ANSWER', 'BUSY', 'VOICEMAIL', 'INVALID_NUMBER', 'FAILED']);
export type CalleeOutcome = z.infer<typeof CalleeOutcomeSchema>;

/** Outcomes in which media is established and the contact flow runs. */
export const FLOW_OUTCOMES: ReadonlySet<CalleeOutcome> = new Set(['ANSWERED', 'VOICEMAIL']);

/**
 * Voice disconnect reasons, Connect's documented list, shared with the engine's classifier.
 * `TELECOM_*` are the telephony codes of plain StartOutboundVoiceContact calls; `OUTBOUND_*` and
 * `EXPIRED` are documented for Outbound Campaigns contacts.
 */
export const DisconnectReasonSchema = z.enum(CONNECT_DISCONNECT_REASONS);
export type DisconnectReason = z.infer<typeof DisconnectReasonSchema>;

/** AnsweringMachineDetectionStatus values (reported only when AMD is enabled on the call). */
export const AmdStatusSchema = z.enum(AMD_STATUSES);
export type AmdStatus = z.infer<typeof AmdStatusSchema>;

/** Contact event types the simulator emits (a subset of Connect's). */
export const ContactEventTypeSchema = z.enum(['INITIATED', 'CONNECTED_TO_SYSTEM', 'DISCONNECTED', 'COMPLETED']);
export type ContactEventType = z.infer<typeof ContactEventTypeSchema>;

/** E.164: `+`, a non-zero digit, at most 15 digits in total. */
export const E164 = /^\+[1-9]\d{1,14}$/;
