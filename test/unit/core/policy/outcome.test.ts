import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, AttemptOutcomeSchema } from '../../../../functions/core/campaign.ts';
import {
  AMD_STATUSES,
  type AmdStatus,
  CONNECT_DISCONNECT_REASONS,
  type ConnectDisconnectReason,
  classifyOutcome,
} from '../../../../functions/core/policy/outcome.ts';

// The expectations are written out here on purpose, independently of the tables in outcome.ts:
// changing a mapping must mean changing this specification too.

/** AMD statuses that decide on their own; `null` = "AMD could not tell". */
const AMD_EXPECTED: Record<AmdStatus, AttemptOutcome | null> = {
  HUMAN_ANSWERED: 'PARTIAL',
  VOICEMAIL_BEEP: 'VOICEMAIL',
  VOICEMAIL_NO_BEEP: 'VOICEMAIL',
  AMD_UNANSWERED: 'NO_ANSWER',
  AMD_UNRESOLVED: null,
  AMD_UNRESOLVED_SILENCE: null,
  AMD_NOT_APPLICABLE: null,
  SIT_TONE_BUSY: 'BUSY',
  SIT_TONE_INVALID_NUMBER: 'INVALID_NUMBER',
  SIT_TONE_DETECTED: 'FAILED',
  FAX_MACHINE_DETECTED: 'INVALID_NUMBER',
  AMD_ERROR: null,
};

/** AMD statuses that Connect documents as "connected" without a verdict. */
const AMD_IMPLIES_ANSWERED = new Set<string>(['AMD_UNRESOLVED', 'AMD_UNRESOLVED_SILENCE', 'AMD_ERROR']);

/** [not answered, answered] per disconnect reason when AMD gives no verdict. */
const REASON_EXPECTED: Record<ConnectDisconnectReason, [AttemptOutcome, AttemptOutcome]> = {
  CUSTOMER_DISCONNECT: ['NO_ANSWER', 'PARTIAL'],
  AGENT_DISCONNECT: ['UNKNOWN', 'UNKNOWN'],
  THIRD_PARTY_DISCONNECT: ['NO_ANSWER', 'PARTIAL'],
  TELECOM_PROBLEM: ['FAILED', 'FAILED'],
  TELECOM_BUSY: ['BUSY', 'BUSY'],
  TELECOM_NUMBER_INVALID: ['INVALID_NUMBER', 'INVALID_NUMBER'],
  TELECOM_POTENTIAL_BLOCKING: ['FAILED', 'FAILED'],
  TELECOM_UNANSWERED: ['NO_ANSWER', 'NO_ANSWER'],
  TELECOM_TIMEOUT: ['NO_ANSWER', 'NO_ANSWER'],
  TELECOM_ORIGINATOR_CANCEL: ['NO_ANSWER', 'NO_ANSWER'],
  CUSTOMER_NEVER_ARRIVED: ['NO_ANSWER', 'NO_ANSWER'],
  BARGED: ['UNKNOWN', 'UNKNOWN'],
  CONTACT_FLOW_DISCONNECT: ['UNKNOWN', 'UNKNOWN'],
  OTHER: ['UNKNOWN', 'UNKNOWN'],
  EXPIRED: ['FAILED', 'FAILED'],
  OUTBOUND_DESTINATION_ENDPOINT_ERROR: ['FAILED', 'FAILED'],
  OUTBOUND_RESOURCE_ERROR: ['FAILED', 'FAILED'],
  OUTBOUND_ATTEMPT_FAILED: ['FAILED', 'FAILED'],
  OUTBUND_PREVIEW_DISCARDED: ['FAILED', 'FAILED'],
};

const CONNECTED_AT = '2025-05-06T10:00:07Z';

function expected(reason: string | undefined, amd: string | undefined, connected: boolean): AttemptOutcome {
  const verdict = amd === undefined ? null : (AMD_EXPECTED[amd as AmdStatus] ?? null);
  if (verdict !== null) {
    return verdict;
  }
  const answered = connected || (amd !== undefined && AMD_IMPLIES_ANSWERED.has(amd));
  const row = reason === undefined ? undefined : REASON_EXPECTED[reason as ConnectDisconnectReason];
  const outcome = row === undefined ? 'UNKNOWN' : row[answered ? 1 : 0];
  return outcome === 'UNKNOWN' && amd === 'AMD_NOT_APPLICABLE' && !answered ? 'FAILED' : outcome;
}

describe('classifyOutcome', () => {
  it('knows every documented code exactly once', () => {
    expect(new Set(CONNECT_DISCONNECT_REASONS).size).toBe(CONNECT_DISCONNECT_REASONS.length);
    expect(new Set(AMD_STATUSES).size).toBe(AMD_STATUSES.length);
    expect(Object.keys(REASON_EXPECTED).sort()).toEqual([...CONNECT_DISCONNECT_REASONS].sort());
    expect(Object.keys(AMD_EXPECTED).sort()).toEqual([...AMD_STATUSES].sort());
    for (const reason of [
      'CUSTOMER_DISCONNECT',
      'AGENT_DISCONNECT',
      'THIRD_PARTY_DISCONNECT',
      'TELECOM_PROBLEM',
      'BARGED',
      'CONTACT_FLOW_DISCONNECT',
      'OTHER',
      'EXPIRED',
      'OUTBOUND_DESTINATION_ENDPOINT_ERROR',
      'OUTBOUND_RESOURCE_ERROR',
      'OUTBOUND_ATTEMPT_FAILED',
    ]) {
      expect(CONNECT_DISCONNECT_REASONS).toContain(reason);
    }
  });

  const reasons = [...CONNECT_DISCONNECT_REASONS, undefined];
  const amdStatuses = [...AMD_STATUSES, undefined];
  const table = reasons.flatMap((reason) =>
    amdStatuses.flatMap((amd) =>
      [false, true].map((connected) => ({ reason, amd, connected, outcome: expected(reason, amd, connected) })),
    ),
  );

  it.each(table)('$reason × $amd × connected=$connected → $outcome', ({ reason, amd, connected, outcome }) => {
    const actual = classifyOutcome({
      disconnectReason: reason,
      answeringMachineDetectionStatus: amd,
      connectedToSystemTimestamp: connected ? CONNECTED_AT : undefined,
    });
    expect(actual).toBe(outcome);
  });

  it.each([
    // Plain-language examples of the rows above, so a reader sees the intent without the tables.
    [{ disconnectReason: 'TELECOM_UNANSWERED' }, 'NO_ANSWER'],
    [{ disconnectReason: 'CUSTOMER_DISCONNECT', answeringMachineDetectionStatus: 'AMD_UNANSWERED' }, 'NO_ANSWER'],
    [{ disconnectReason: 'CUSTOMER_DISCONNECT', connectedToSystemTimestamp: CONNECTED_AT }, 'PARTIAL'],
    [{ disconnectReason: 'CONTACT_FLOW_DISCONNECT', answeringMachineDetectionStatus: 'VOICEMAIL_BEEP' }, 'VOICEMAIL'],
    [
      { disconnectReason: 'TELECOM_PROBLEM', answeringMachineDetectionStatus: 'SIT_TONE_INVALID_NUMBER' },
      'INVALID_NUMBER',
    ],
    [{ disconnectReason: 'OTHER', answeringMachineDetectionStatus: 'SIT_TONE_BUSY' }, 'BUSY'],
    [{ answeringMachineDetectionStatus: 'FAX_MACHINE_DETECTED' }, 'INVALID_NUMBER'],
    [{ disconnectReason: 'OUTBOUND_ATTEMPT_FAILED' }, 'FAILED'],
    [{ answeringMachineDetectionStatus: 'AMD_NOT_APPLICABLE' }, 'FAILED'],
    [{ disconnectReason: 'CONTACT_FLOW_DISCONNECT', answeringMachineDetectionStatus: 'AMD_UNRESOLVED' }, 'UNKNOWN'],
    [{}, 'UNKNOWN'],
  ] as const)('%o → %s', (signals, outcome) => {
    expect(classifyOutcome(signals)).toBe(outcome);
  });

  it('lets the flow record win over every Connect signal', () => {
    const signals = fc.record(
      {
        disconnectReason: fc.constantFrom(...CONNECT_DISCONNECT_REASONS),
        answeringMachineDetectionStatus: fc.constantFrom(...AMD_STATUSES),
        connectedToSystemTimestamp: fc.constant(CONNECTED_AT),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(signals, fc.integer({ min: 1, max: 10 }), (connect, total) => {
        const flow = { questionsAnswered: 0, questionsTotal: total, completed: false, optedOut: false };
        expect(classifyOutcome({ ...connect, flow: { ...flow, optedOut: true, questionsAnswered: total } })).toBe(
          'OPTED_OUT',
        );
        expect(classifyOutcome({ ...connect, flow: { ...flow, completed: true } })).toBe('COMPLETED');
        expect(classifyOutcome({ ...connect, flow: { ...flow, questionsAnswered: total } })).toBe('COMPLETED');
        if (total > 1) {
          expect(classifyOutcome({ ...connect, flow: { ...flow, questionsAnswered: total - 1 } })).toBe('PARTIAL');
        }
      }),
    );
  });

  it('classifies a call the flow was told to transfer as TRANSFERRED unless the flow itself hung up (the transfer failed)', () => {
    const flow = { questionsAnswered: 1, questionsTotal: 3, completed: false, optedOut: false, transferred: true };
    fc.assert(
      fc.property(
        fc.constantFrom(...CONNECT_DISCONNECT_REASONS.filter((reason) => reason !== 'CONTACT_FLOW_DISCONNECT')),
        fc.option(fc.constantFrom(...AMD_STATUSES), { nil: undefined }),
        (disconnectReason, answeringMachineDetectionStatus) => {
          expect(classifyOutcome({ disconnectReason, answeringMachineDetectionStatus, flow })).toBe('TRANSFERRED');
        },
      ),
    );
    expect(classifyOutcome({ disconnectReason: ' contact_flow_disconnect ', flow })).toBe('PARTIAL');
    expect(classifyOutcome({ disconnectReason: 'AGENT_DISCONNECT', flow: { ...flow, optedOut: true } })).toBe(
      'OPTED_OUT',
    );
  });

  it('falls back to Connect signals when the flow recorded nothing', () => {
    const flow = { questionsAnswered: 0, questionsTotal: 3, completed: false, optedOut: false };
    expect(classifyOutcome({ answeringMachineDetectionStatus: 'VOICEMAIL_NO_BEEP', flow })).toBe('VOICEMAIL');
    expect(classifyOutcome({ answeringMachineDetectionStatus: 'HUMAN_ANSWERED', flow })).toBe('PARTIAL');
  });

  it('never throws on unknown or malformed input and answers with a known outcome', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        (disconnectReason, answeringMachineDetectionStatus, connectedToSystemTimestamp) => {
          const outcome = classifyOutcome({
            disconnectReason,
            answeringMachineDetectionStatus,
            connectedToSystemTimestamp,
          });
          expect(AttemptOutcomeSchema.options).toContain(outcome);
        },
      ),
    );
  });

  it('maps unknown codes to UNKNOWN, not FAILED', () => {
    expect(classifyOutcome({ disconnectReason: 'SOMETHING_NEW' })).toBe('UNKNOWN');
    expect(classifyOutcome({ answeringMachineDetectionStatus: 'AMD_SOMETHING_NEW' })).toBe('UNKNOWN');
    expect(classifyOutcome({ disconnectReason: 'SOMETHING_NEW', connectedToSystemTimestamp: CONNECTED_AT })).toBe(
      'UNKNOWN',
    );
  });

  it('reads codes case-insensitively and ignores blank or invalid timestamps', () => {
    expect(classifyOutcome({ disconnectReason: ' telecom_busy ' })).toBe('BUSY');
    expect(classifyOutcome({ answeringMachineDetectionStatus: 'voicemail_beep' })).toBe('VOICEMAIL');
    expect(classifyOutcome({ disconnectReason: 'CUSTOMER_DISCONNECT', connectedToSystemTimestamp: '' })).toBe(
      'NO_ANSWER',
    );
    expect(classifyOutcome({ disconnectReason: 'CUSTOMER_DISCONNECT', connectedToSystemTimestamp: 'soon' })).toBe(
      'NO_ANSWER',
    );
  });
});
