/**
 * Least trust for the contact-flow functions. Any flow on the Connect instance, and any principal allowed
 * `lambda:InvokeFunction`, can send them an event with any attributes, so an event's own word on which attempt it
 * belongs to is never taken: the call is the one the dispatcher placed (docs/contact-flow.md, "Least trust").
 *
 * - The event's `InstanceARN` must be the engine's Connect instance.
 * - The ContactId must be a call the dispatcher placed: its `CALL#<ContactId>` item names the campaign, run date,
 *   number and attempt, and the event's attributes and customer endpoint must agree with it. The flow functions
 *   then act for that number only (an opt-out lists the called number, never another one).
 * - The dispatcher writes `CALL#` right after StartOutboundVoiceContact returns, so a flow function can (rarely) be
 *   invoked first. When the item is missing after a short wait, the call is accepted only if its attributes name
 *   the contact's current attempt, which is being dialled (`DIALING`, `attempts` equal, started within the longest
 *   call), for the customer endpoint's number.
 */

/** The attempt a placed call belongs to (the `CALL#` item). */
export interface PlacedCall {
  campaignId: string;
  date: string;
  phone: string;
  attempt: number;
}

/** What the event claims: the attributes the dispatcher set, the number Connect called, the contact and instance. */
export interface ClaimedCall extends PlacedCall {
  connectContactId: string;
  instanceArn: string;
}

/** The stored records a claim is checked against (`FlowCallStore`). */
export interface CallRecords {
  findCall(connectContactId: string): Promise<PlacedCall | undefined>;
  currentAttempt(
    campaignId: string,
    date: string,
    phone: string,
  ): Promise<{ status: string; attempts: number; startedAt?: string } | undefined>;
}

export interface CallResolverOptions {
  /** The engine's Connect instance (`CONNECT_INSTANCE_ARN`). */
  instanceArn: string;
  /** Longest a call can last (`MAX_CALL_SECONDS`): an attempt dialled longer ago is not in progress. */
  maxCallSeconds: number;
  /** Wait before the second look for a `CALL#` item not written yet; default 250 ms (the flow allows 8 s). */
  raceWaitMs?: number;
  now?: () => Date;
  sleep?: (milliseconds: number) => Promise<void>;
}

/** A flow event that is not one of the engine's calls: the function refuses it (the flow ends the call politely). */
export class ForgedCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForgedCallError';
  }
}

/** Resolved calls kept per function instance: a call asks a few times, its `CALL#` item never changes. */
const CACHE_LIMIT = 1_000;

export class CallResolver {
  private readonly records: CallRecords;
  private readonly options: CallResolverOptions;
  private readonly resolved = new Map<string, PlacedCall>();

  constructor(records: CallRecords, options: CallResolverOptions) {
    this.records = records;
    this.options = options;
  }

  /**
   * The attempt the event's call belongs to, as the engine recorded it.
   * @throws ForgedCallError when the event comes from another instance, names a call the dispatcher did not place,
   *   or claims attributes or a number that are not the call's.
   */
  async resolve(claim: ClaimedCall): Promise<PlacedCall & { connectContactId: string }> {
    if (claim.instanceArn !== this.options.instanceArn) {
      throw new ForgedCallError(`contact ${claim.connectContactId} is on another Connect instance`);
    }
    const placed = this.resolved.get(claim.connectContactId) ?? (await this.findPlaced(claim.connectContactId));
    if (placed !== undefined) {
      if (
        placed.phone !== claim.phone ||
        placed.campaignId !== claim.campaignId ||
        placed.date !== claim.date ||
        placed.attempt !== claim.attempt
      ) {
        throw new ForgedCallError(`contact ${claim.connectContactId} claims attributes or a number of another call`);
      }
      if (this.resolved.size >= CACHE_LIMIT) this.resolved.clear();
      this.resolved.set(claim.connectContactId, placed);
      return { ...placed, connectContactId: claim.connectContactId };
    }
    // The dispatcher may not have recorded the call yet: accept only the attempt being dialled right now.
    const current = await this.records.currentAttempt(claim.campaignId, claim.date, claim.phone);
    const now = (this.options.now ?? (() => new Date()))().getTime();
    const startedAt = current?.startedAt === undefined ? Number.NaN : Date.parse(current.startedAt);
    if (
      current?.status === 'DIALING' &&
      current.attempts === claim.attempt &&
      now - startedAt <= this.options.maxCallSeconds * 1000
    ) {
      return {
        campaignId: claim.campaignId,
        date: claim.date,
        phone: claim.phone,
        attempt: claim.attempt,
        connectContactId: claim.connectContactId,
      };
    }
    throw new ForgedCallError(`contact ${claim.connectContactId} is not a call the engine placed`);
  }

  private async findPlaced(connectContactId: string): Promise<PlacedCall | undefined> {
    const first = await this.records.findCall(connectContactId);
    if (first !== undefined) return first;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    await sleep(this.options.raceWaitMs ?? 250);
    return this.records.findCall(connectContactId);
  }
}
