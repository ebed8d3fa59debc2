/**
 * Classification of one finished call attempt into the engine's outcome vocabulary.
 *
 * Connect describes an outbound call with three loosely related signals (who or what ended it,
 * what answering-machine detection heard, whether media was established) and none of them is
 * complete on its own: contact events are best effort, AMD only runs for `TrafficType=CAMPAIGN`,
 * and the disconnect reason cannot tell a hang-up from bad reception. The one function below
 * weighs them in a fixed order of trust, documented on {@link classifyOutcome}.
 *
 * Source of the code lists: Amazon Connect Administrator Guide, "Contact records data model"
 * (`ContactTraceRecord.DisconnectReason` and `AnsweringMachineDetectionStatus`),
 * https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html, checked 2025.
 */
import type { AttemptOutcome } from '../campaign.ts';

/**
 * Every documented voice `disconnectReason`, including the outbound-campaign ones. The TELECOM_*
 * codes and CUSTOMER_NEVER_ARRIVED were added to Connect after the original list; the typo in
 * `OUTBUND_PREVIEW_DISCARDED` is Connect's own spelling.
 */
export const CONNECT_DISCONNECT_REASONS = [
  'CUSTOMER_DISCONNECT',
  'AGENT_DISCONNECT',
  'THIRD_PARTY_DISCONNECT',
  'TELECOM_PROBLEM',
  'TELECOM_BUSY',
  'TELECOM_NUMBER_INVALID',
  'TELECOM_POTENTIAL_BLOCKING',
  'TELECOM_UNANSWERED',
  'TELECOM_TIMEOUT',
  'TELECOM_ORIGINATOR_CANCEL',
  'CUSTOMER_NEVER_ARRIVED',
  'BARGED',
  'CONTACT_FLOW_DISCONNECT',
  'OTHER',
  'EXPIRED',
  'OUTBOUND_DESTINATION_ENDPOINT_ERROR',
  'OUTBOUND_RESOURCE_ERROR',
  'OUTBOUND_ATTEMPT_FAILED',
  'OUTBUND_PREVIEW_DISCARDED',
] as const;
export type ConnectDisconnectReason = (typeof CONNECT_DISCONNECT_REASONS)[number];

/** Every documented `answeringMachineDetectionStatus`. */
export const AMD_STATUSES = [
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
] as const;
export type AmdStatus = (typeof AMD_STATUSES)[number];

/** What the contact flow recorded about this call (our own data, so the most trusted signal). */
export interface FlowProgress {
  questionsAnswered: number;
  questionsTotal: number;
  completed: boolean;
  optedOut: boolean;
  /** The callee asked for a person and the flow was told to queue the call (record-answer). */
  transferred?: boolean;
}

export interface AttemptSignals {
  disconnectReason?: string;
  answeringMachineDetectionStatus?: string;
  /** Present when the call established media (a person or a machine picked up). */
  connectedToSystemTimestamp?: string;
  flow?: FlowProgress;
}

/**
 * AMD statuses that settle the outcome on their own. `undefined` means "AMD could not tell"; the
 * disconnect reason decides then.
 * - HUMAN_ANSWERED → PARTIAL: a person answered but the flow did not record completion (completion
 *   and opt-out are checked before AMD, so this is "answered, did not finish").
 * - FAX_MACHINE_DETECTED → INVALID_NUMBER: a fax line will never take a voice survey; retrying only
 *   costs telephony minutes.
 * - SIT_TONE_DETECTED → FAILED: a generic special-information tone covers both permanent (vacant
 *   code) and transient (no circuit, reorder) conditions; the permanent "invalid number" case has
 *   its own status, so the generic one is retried within maxAttempts.
 */
export const AMD_VERDICTS: Readonly<Record<AmdStatus, AttemptOutcome | undefined>> = {
  HUMAN_ANSWERED: 'PARTIAL',
  VOICEMAIL_BEEP: 'VOICEMAIL',
  VOICEMAIL_NO_BEEP: 'VOICEMAIL',
  AMD_UNANSWERED: 'NO_ANSWER',
  AMD_UNRESOLVED: undefined,
  AMD_UNRESOLVED_SILENCE: undefined,
  AMD_NOT_APPLICABLE: undefined,
  SIT_TONE_BUSY: 'BUSY',
  SIT_TONE_INVALID_NUMBER: 'INVALID_NUMBER',
  SIT_TONE_DETECTED: 'FAILED',
  FAX_MACHINE_DETECTED: 'INVALID_NUMBER',
  AMD_ERROR: undefined,
};

/** AMD statuses that Connect documents as "the number dialed was connected". */
const AMD_CONNECTED_WITHOUT_VERDICT: ReadonlySet<string> = new Set<AmdStatus>([
  'AMD_UNRESOLVED',
  'AMD_UNRESOLVED_SILENCE',
  'AMD_ERROR',
]);

/**
 * Outcome per disconnect reason when AMD gave no verdict, split by whether the call was answered
 * (media established). The reasoning per row:
 * - CUSTOMER_/THIRD_PARTY_DISCONNECT: the callee's side hung up. Before answer that is a declined
 *   or abandoned ring (NO_ANSWER); after answer it is the architecture's PARTIAL ("answered, hung
 *   up mid-script"); answers and completion were already ruled out by the flow check.
 * - TELECOM_BUSY / TELECOM_NUMBER_INVALID: the network's verdict on the callee, answered or not.
 * - TELECOM_UNANSWERED / TELECOM_TIMEOUT / TELECOM_ORIGINATOR_CANCEL (ring timeout or our cancel
 *   before answer) / CUSTOMER_NEVER_ARRIVED: nobody picked up.
 * - TELECOM_PROBLEM, TELECOM_POTENTIAL_BLOCKING, EXPIRED (no telecom capacity), OUTBOUND_*: the call
 *   could not be carried; not the callee's doing, so FAILED (retryable). OUTBOUND_DESTINATION_
 *   ENDPOINT_ERROR is our configuration refusing the destination, not proof the number is invalid;
 *   reporting INVALID_NUMBER would blame the list for an instance setting.
 * - OUTBUND_PREVIEW_DISCARDED: preview dialling is not used by this engine; if it appears, nothing
 *   was dialled, so FAILED.
 * - AGENT_DISCONNECT, BARGED, CONTACT_FLOW_DISCONNECT, OTHER: our side (flow, API, supervisor)
 *   ended the call. With no AMD verdict and no keypad input we cannot tell a silent person from a
 *   machine, so UNKNOWN rather than a guess.
 */
export const DISCONNECT_REASON_OUTCOMES: Readonly<
  Record<ConnectDisconnectReason, { readonly unanswered: AttemptOutcome; readonly answered: AttemptOutcome }>
> = {
  CUSTOMER_DISCONNECT: { unanswered: 'NO_ANSWER', answered: 'PARTIAL' },
  THIRD_PARTY_DISCONNECT: { unanswered: 'NO_ANSWER', answered: 'PARTIAL' },
  AGENT_DISCONNECT: { unanswered: 'UNKNOWN', answered: 'UNKNOWN' },
  BARGED: { unanswered: 'UNKNOWN', answered: 'UNKNOWN' },
  CONTACT_FLOW_DISCONNECT: { unanswered: 'UNKNOWN', answered: 'UNKNOWN' },
  OTHER: { unanswered: 'UNKNOWN', answered: 'UNKNOWN' },
  TELECOM_BUSY: { unanswered: 'BUSY', answered: 'BUSY' },
  TELECOM_NUMBER_INVALID: { unanswered: 'INVALID_NUMBER', answered: 'INVALID_NUMBER' },
  TELECOM_UNANSWERED: { unanswered: 'NO_ANSWER', answered: 'NO_ANSWER' },
  TELECOM_TIMEOUT: { unanswered: 'NO_ANSWER', answered: 'NO_ANSWER' },
  TELECOM_ORIGINATOR_CANCEL: { unanswered: 'NO_ANSWER', answered: 'NO_ANSWER' },
  CUSTOMER_NEVER_ARRIVED: { unanswered: 'NO_ANSWER', answered: 'NO_ANSWER' },
  TELECOM_PROBLEM: { unanswered: 'FAILED', answered: 'FAILED' },
  TELECOM_POTENTIAL_BLOCKING: { unanswered: 'FAILED', answered: 'FAILED' },
  EXPIRED: { unanswered: 'FAILED', answered: 'FAILED' },
  OUTBOUND_DESTINATION_ENDPOINT_ERROR: { unanswered: 'FAILED', answered: 'FAILED' },
  OUTBOUND_RESOURCE_ERROR: { unanswered: 'FAILED', answered: 'FAILED' },
  OUTBOUND_ATTEMPT_FAILED: { unanswered: 'FAILED', answered: 'FAILED' },
  OUTBUND_PREVIEW_DISCARDED: { unanswered: 'FAILED', answered: 'FAILED' },
};

/**
 * Maps Connect's signals for one attempt to an {@link AttemptOutcome}.
 *
 * Order of trust, first match wins:
 * 1. **Flow progress** (our own records): opted out → OPTED_OUT; transfer asked for and the call
 *    not ended by the flow → TRANSFERRED; completed, or every question
 *    answered → COMPLETED; at least one answer → PARTIAL. Keypad input proves a person was there,
 *    whatever AMD or the network said afterwards.
 * 2. **AMD verdict** ({@link AMD_VERDICTS}): measured on this call's audio, so it beats the
 *    disconnect reason, which only says who ended the call.
 * 3. **Disconnect reason** ({@link DISCONNECT_REASON_OUTCOMES}), read in the "answered" column
 *    when `connectedToSystemTimestamp` is set or AMD reported a connected-but-unresolved status.
 * 4. Nothing conclusive: FAILED when AMD says AMD_NOT_APPLICABLE (the call dropped before it even
 *    rang) and the call was not answered, otherwise UNKNOWN.
 *
 * Unrecognised codes (new Connect values, typos) never throw: they are treated as absent, so an
 * attempt with no other evidence is UNKNOWN. UNKNOWN rather than FAILED because an unknown code is
 * not evidence of failure, and UNKNOWN stays visible in reports so the table can be extended.
 * Codes are compared case-insensitively after trimming.
 */
export function classifyOutcome(input: AttemptSignals): AttemptOutcome {
  const { flow } = input;
  if (flow?.optedOut) {
    return 'OPTED_OUT';
  }
  // The flow's own record says a transfer was asked for; the disconnect reason says whether it
  // happened: a transfer that failed (queue at capacity, no such queue) goes to the flow's apology
  // and hang-up (CONTACT_FLOW_DISCONNECT), a queued call ends with the person or the agent.
  if (flow?.transferred && normalise(input.disconnectReason) !== 'CONTACT_FLOW_DISCONNECT') {
    return 'TRANSFERRED';
  }
  if (flow && (flow.completed || (flow.questionsTotal > 0 && flow.questionsAnswered >= flow.questionsTotal))) {
    return 'COMPLETED';
  }
  if (flow && flow.questionsAnswered > 0) {
    return 'PARTIAL';
  }

  const amd = normalise(input.answeringMachineDetectionStatus);
  const amdStatus = isAmdStatus(amd) ? amd : undefined;
  const amdVerdict = amdStatus === undefined ? undefined : AMD_VERDICTS[amdStatus];
  if (amdVerdict !== undefined) {
    return amdVerdict;
  }

  const answered = hasTimestamp(input.connectedToSystemTimestamp) || AMD_CONNECTED_WITHOUT_VERDICT.has(amd);
  const reason = normalise(input.disconnectReason);
  const byReason = isDisconnectReason(reason) ? DISCONNECT_REASON_OUTCOMES[reason] : undefined;
  const outcome = byReason === undefined ? 'UNKNOWN' : answered ? byReason.answered : byReason.unanswered;
  if (outcome === 'UNKNOWN' && amdStatus === 'AMD_NOT_APPLICABLE' && !answered) {
    return 'FAILED';
  }
  return outcome;
}

function normalise(code: string | undefined): string {
  return (code ?? '').trim().toUpperCase();
}

function isAmdStatus(value: string): value is AmdStatus {
  return (AMD_STATUSES as readonly string[]).includes(value);
}

function isDisconnectReason(value: string): value is ConnectDisconnectReason {
  return (CONNECT_DISCONNECT_REASONS as readonly string[]).includes(value);
}

function hasTimestamp(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '' && !Number.isNaN(Date.parse(value));
}
