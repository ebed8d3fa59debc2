/** Reading why DynamoDB cancelled a TransactWriteItems, item by item. */

/** The cancellation code of each item of a cancelled transaction, in item order (`None` when it was fine). */
export function cancellationReasons(error: unknown): string[] {
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  return Array.isArray(reasons) ? reasons.map((reason) => reason.Code ?? 'None') : [];
}
