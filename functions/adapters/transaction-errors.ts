/**
 * Reading DynamoDB's refusals: which are final (a condition did not hold), which mean "busy, try again"
 * (transaction conflicts, throttling), and which leave it unknown whether the write landed.
 *
 * DynamoDB's rules (developer guide, "Transaction conflict handling in DynamoDB" and "Error handling with
 * DynamoDB"): a TransactWriteItems that touches an item held by another ongoing transaction is cancelled with
 * `TransactionCanceledException`, reason `TransactionConflict` for that item; a plain write to such an item fails
 * with `TransactionConflictException`; throttling inside a transaction comes back as a cancellation with reason
 * `ThrottlingError` (or `ProvisionedThroughputExceeded`). The SDK retries none of these.
 */

/** The cancellation code of each item of a cancelled transaction, in item order (`None` when it was fine). */
export function cancellationReasons(error: unknown): string[] {
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> } | undefined)?.CancellationReasons;
  return Array.isArray(reasons) ? reasons.map((reason) => reason.Code ?? 'None') : [];
}

/** A conditional write (Put, Update, Delete) refused because its condition did not hold. */
export const isConditionFailure = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

const errorName = (error: unknown): string => (error as Error | undefined)?.name ?? '';

/** Cancellation reasons that say "busy": the transaction changed nothing and may simply be sent again. */
const BUSY_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/** Plain-request errors that say "busy" (and that the SDK's own retries may have given up on). */
const BUSY_ERRORS = new Set([
  'TransactionConflictException',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
]);

/**
 * A refusal that changed nothing and means only that the items were busy (another transaction held them) or
 * that DynamoDB throttled: send the same request again after a pause. A transaction cancelled for any other
 * reason too (a failed condition, a validation error) is not busy: its answer is final.
 */
export function isBusy(error: unknown): boolean {
  const name = errorName(error);
  if (BUSY_ERRORS.has(name)) return true;
  if (name !== 'TransactionCanceledException') return false;
  const reasons = cancellationReasons(error);
  return (
    reasons.some((code) => BUSY_REASONS.has(code)) && reasons.every((code) => code === 'None' || BUSY_REASONS.has(code))
  );
}

/**
 * A failure after which nobody knows whether the write was applied: the connection broke or timed out, or
 * DynamoDB answered 500. A transaction sent again after such a failure must carry the same ClientRequestToken,
 * so that DynamoDB applies it at most once.
 */
export function isAmbiguous(error: unknown): boolean {
  const failure = error as (Error & { code?: string; $metadata?: { httpStatusCode?: number } }) | undefined;
  if (failure === undefined) return false;
  const status = failure.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return (
    ['TimeoutError', 'RequestTimeout', 'AbortError', 'InternalServerError', 'ServiceUnavailable'].some(
      (name) => failure.name === name || failure.code === name,
    ) || ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN'].includes(failure.code ?? '')
  );
}
