/**
 * Inputs behind the JSON fixtures in test/events/connect/. The fixtures are what
 * `buildContactEvent` produces for these inputs (checked by events.test.ts), so handler tests can
 * load them as real-shaped Amazon Connect contact events.
 */
import type { BuildContactEventInput } from '../../../../local/connect-simulator/events.ts';

const INSTANCE_ARN = 'arn:aws:connect:eu-west-1:123456789012:instance/11111111-2222-3333-4444-555555555555';
const CONTACT_ID = '5d0a8f3e-2b7c-4e61-9a55-0c3f1d2e7b90';
const INITIATED_AT = Date.parse('2026-03-02T09:15:04.120Z');
const CONNECTED_AT = Date.parse('2026-03-02T09:15:12.480Z');
const DISCONNECTED_AT = Date.parse('2026-03-02T09:16:30.905Z');

function input(
  eventType: BuildContactEventInput['eventType'],
  eventId: string,
  emittedAtMs: number,
  contact: Partial<BuildContactEventInput['contact']>,
): BuildContactEventInput {
  return {
    eventType,
    eventId,
    emittedAtMs,
    region: 'eu-west-1',
    accountId: '123456789012',
    contact: { contactId: CONTACT_ID, instanceArn: INSTANCE_ARN, initiatedAtMs: INITIATED_AT, ...contact },
  };
}

/** Fixture file name (without .json) → the builder input that produces it. */
export const CONTACT_EVENT_FIXTURES: Record<string, BuildContactEventInput> = {
  initiated: input('INITIATED', 'b3a1c0de-0001-4000-8000-000000000001', INITIATED_AT, { amdStatus: 'HUMAN_ANSWERED' }),
  'connected-to-system-human-amd': input('CONNECTED_TO_SYSTEM', 'b3a1c0de-0002-4000-8000-000000000002', CONNECTED_AT, {
    connectedAtMs: CONNECTED_AT,
    amdStatus: 'HUMAN_ANSWERED',
  }),
  'disconnected-human-amd': input('DISCONNECTED', 'b3a1c0de-0003-4000-8000-000000000003', DISCONNECTED_AT, {
    connectedAtMs: CONNECTED_AT,
    disconnectedAtMs: DISCONNECTED_AT,
    disconnectReason: 'CONTACT_FLOW_DISCONNECT',
    amdStatus: 'HUMAN_ANSWERED',
  }),
  'disconnected-customer-hung-up': input('DISCONNECTED', 'b3a1c0de-0004-4000-8000-000000000004', DISCONNECTED_AT, {
    connectedAtMs: CONNECTED_AT,
    disconnectedAtMs: DISCONNECTED_AT,
    disconnectReason: 'CUSTOMER_DISCONNECT',
  }),
  'disconnected-voicemail-amd': input('DISCONNECTED', 'b3a1c0de-0005-4000-8000-000000000005', DISCONNECTED_AT, {
    connectedAtMs: CONNECTED_AT,
    disconnectedAtMs: DISCONNECTED_AT,
    disconnectReason: 'CONTACT_FLOW_DISCONNECT',
    amdStatus: 'VOICEMAIL_BEEP',
  }),
  'disconnected-no-answer': input('DISCONNECTED', 'b3a1c0de-0006-4000-8000-000000000006', INITIATED_AT + 60_000, {
    disconnectedAtMs: INITIATED_AT + 60_000,
    disconnectReason: 'TELECOM_TIMEOUT',
  }),
  'disconnected-busy-amd': input('DISCONNECTED', 'b3a1c0de-0007-4000-8000-000000000007', INITIATED_AT + 4_000, {
    disconnectedAtMs: INITIATED_AT + 4_000,
    disconnectReason: 'TELECOM_BUSY',
    amdStatus: 'SIT_TONE_BUSY',
  }),
  'disconnected-invalid-number': input('DISCONNECTED', 'b3a1c0de-0008-4000-8000-000000000008', INITIATED_AT + 2_000, {
    disconnectedAtMs: INITIATED_AT + 2_000,
    disconnectReason: 'TELECOM_NUMBER_INVALID',
  }),
  'disconnected-telecom-problem': input('DISCONNECTED', 'b3a1c0de-0009-4000-8000-000000000009', INITIATED_AT + 900, {
    disconnectedAtMs: INITIATED_AT + 900,
    disconnectReason: 'TELECOM_PROBLEM',
  }),
};
