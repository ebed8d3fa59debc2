/** Reading why DynamoDB cancelled a TransactWriteItems, item by item. */

/** The cancellation code of each item of a cancelled transaction, in item order (`None` when it was fine). */
export function cancellationReasons(error: unknown): string[] {
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  return Array.isArray(reasons) ? reasons.map((reason) => reason.Code ?? 'None') : [];
}

/** A conditional write (Put, Update, Delete) refused because its condition did not hold. */
export const isConditionFailure = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
