/**
 * The Connect simulator engine: quotas, idempotency, the callee model and the contact lifecycle,
 * independent of HTTP. `server.ts` puts the restJson1 wire format in front of it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseRequest,
  parseStartOutboundVoiceContact,
  type StartOutboundVoiceContactRequest,
  StopContactRequestSchema,
} from './api-schemas.ts';
import {
  type ConnectSimulatorOptions,
  consoleLogger,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_CALL_LOG_PATH,
  DEFAULT_DEAD_LETTER_PATH,
  DEFAULT_REGION,
  normalizeInstanceId,
  type Quotas,
  QuotasSchema,
} from './config.ts';
import {
  type CallRecord,
  type SimContact,
  type TrafficType,
  toCallRecord,
  toDescribedContact,
  toEventSnapshot,
  toFlowCall,
} from './contact.ts';
import { type DeliveryStats, EventDelivery, type SimulatorLogger } from './delivery.ts';
import { ConnectApiError } from './errors.ts';
import { buildContactEvent, instanceArnOf } from './events.ts';
import { planDelivery } from './faults.ts';
import { defaultRunFlow, type FlowResult, flowErrorDetails, type RunFlow } from './flow.ts';
import { JsonlWriter } from './jsonl-writer.ts';
import { PendingTracker } from './pending.ts';
import { randomStream } from './random.ts';
import { RateWindow } from './rate-window.ts';
import { parseScenario, planCall, type Scenario } from './scenario.ts';
import { TokenBucket } from './token-bucket.ts';
import type { ContactEventType, DisconnectReason } from './vocabulary.ts';

/** Connect's default dialing timeout when RingTimeoutInSeconds is not given. */
const DEFAULT_RING_TIMEOUT_SECONDS = 60;
/**
 * Wall-clock ms a flow may still take after the callee hung up: a Lambda function it was invoking
 * runs to the end (at most 8 s), and what the flow did until then belongs in the call log.
 */
const FLOW_SETTLE_MS = 10_000;
/** Ended contacts kept for DescribeContact before the oldest are forgotten. */
const MAX_RETAINED_CONTACTS = 100_000;

/** Counters exposed by `stats()` and `GET /_sim/stats`. */
export interface SimulatorStats {
  active: number;
  activeGeneral: number;
  activeCampaign: number;
  peakConcurrency: number;
  totalCalls: number;
  endedCalls: number;
  idempotentReplays: number;
  throttled: number;
  limitExceeded: number;
  destinationNotAllowed: number;
  invalidRequests: number;
  stoppedByApi: number;
  flowErrors: number;
  callsPerSecondWindow: { windowMs: number; current: number; peak: number };
  outcomes: Record<string, number>;
  disconnectReasons: Record<string, number>;
  apiCalls: Record<'StartOutboundVoiceContact' | 'StopContact' | 'DescribeContact' | 'GetContactAttributes', number>;
  events: DeliveryStats;
  quotas: Quotas;
}

/** In-process Connect: call the methods directly, or serve them over HTTP with `startConnectSimulator`. */
export class ConnectSimulator {
  readonly region: string;
  readonly accountId: string;
  readonly quotas: Quotas;
  #scenario: Scenario;
  readonly #instanceIds: ReadonlySet<string> | undefined;
  readonly #contactFlows: ReadonlyArray<{ id: string; name: string }>;
  readonly #notAllowedPrefixes: readonly string[];
  readonly #deliverEventTypes: ReadonlySet<ContactEventType> | undefined;
  readonly #emitCompleted: boolean;
  readonly #runFlow: RunFlow;
  readonly #logger: SimulatorLogger;
  readonly #bucket: TokenBucket;
  readonly #callLog: JsonlWriter | undefined;
  readonly #deadLetter: JsonlWriter | undefined;
  readonly #delivery: EventDelivery;
  readonly #shutdown = new AbortController();
  readonly #calls = new PendingTracker();
  readonly #contacts = new Map<string, SimContact>();
  readonly #clientTokens = new Map<string, string>();
  readonly #attempts = new Map<string, number>();
  readonly #active: Record<TrafficType, number> = { GENERAL: 0, CAMPAIGN: 0 };
  readonly #startWindow = new RateWindow(1_000);
  readonly #records: CallRecord[] = [];
  readonly #counters = {
    peakConcurrency: 0,
    totalCalls: 0,
    endedCalls: 0,
    idempotentReplays: 0,
    throttled: 0,
    limitExceeded: 0,
    destinationNotAllowed: 0,
    invalidRequests: 0,
    stoppedByApi: 0,
    flowErrors: 0,
  };
  readonly #outcomes: Record<string, number> = {};
  readonly #disconnectReasons: Record<string, number> = {};
  readonly #apiCalls = { StartOutboundVoiceContact: 0, StopContact: 0, DescribeContact: 0, GetContactAttributes: 0 };

  constructor(options: ConnectSimulatorOptions = {}) {
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.quotas = QuotasSchema.parse(options.quotas ?? {});
    this.#scenario = parseScenario(options.scenario ?? {});
    this.#instanceIds = options.instanceIds ? new Set(options.instanceIds.map(normalizeInstanceId)) : undefined;
    this.#contactFlows = options.contactFlows ?? [];
    this.#notAllowedPrefixes = options.destinationNotAllowedPrefixes ?? [];
    this.#deliverEventTypes = options.deliverEventTypes ? new Set(options.deliverEventTypes) : undefined;
    this.#emitCompleted = options.emitCompletedEvents ?? false;
    this.#runFlow = options.runFlow ?? defaultRunFlow;
    this.#logger = options.logger ?? consoleLogger;
    this.#bucket = new TokenBucket({ ratePerSecond: this.quotas.dialRatePerSecond, burst: this.quotas.dialBurst });
    const onWriteError = (error: unknown) => this.#logger.error('file write failed', { error: String(error) });
    const callLogPath = options.callLogPath === undefined ? DEFAULT_CALL_LOG_PATH : options.callLogPath;
    this.#callLog = callLogPath === null ? undefined : new JsonlWriter(callLogPath, onWriteError);
    const deadLetterPath = options.deadLetterPath === undefined ? DEFAULT_DEAD_LETTER_PATH : options.deadLetterPath;
    this.#deadLetter = deadLetterPath === null ? undefined : new JsonlWriter(deadLetterPath, onWriteError);
    this.#delivery = new EventDelivery({
      deliver: options.deliver,
      maxRetries: options.deliveryRetries ?? 2,
      retryBaseDelayMs: options.deliveryRetryBaseDelayMs ?? 1_000,
      deadLetter: this.#deadLetter,
      scale: (milliseconds) => milliseconds * this.#scenario.timeScale,
      logger: this.#logger,
      signal: this.#shutdown.signal,
    });
  }

  /** The scenario in force for new calls. */
  get scenario(): Scenario {
    return this.#scenario;
  }

  /** Replaces the scenario for calls started from now on. @throws InvalidScenarioError */
  setScenario(input: unknown): Scenario {
    this.#scenario = parseScenario(input);
    return this.#scenario;
  }

  /** StartOutboundVoiceContact. @throws ConnectApiError */
  startOutboundVoiceContact(body: unknown): { ContactId: string } {
    this.#apiCalls.StartOutboundVoiceContact += 1;
    const nowMs = Date.now();
    if (!this.#bucket.tryTake(nowMs)) {
      this.#counters.throttled += 1;
      throw new ConnectApiError(this.quotas.rateLimitErrorType, 'Rate exceeded');
    }
    const request = this.#validate(body);
    const instanceId = this.#checkInstance(request.InstanceId);
    const tokenKey = request.ClientToken === undefined ? undefined : `${instanceId}/${request.ClientToken}`;
    const existing = tokenKey === undefined ? undefined : this.#clientTokens.get(tokenKey);
    if (existing !== undefined) {
      this.#counters.idempotentReplays += 1;
      return { ContactId: existing };
    }
    if (this.#notAllowedPrefixes.some((prefix) => request.DestinationPhoneNumber.startsWith(prefix))) {
      this.#counters.destinationNotAllowed += 1;
      throw new ConnectApiError(
        'DestinationNotAllowedException',
        `Outbound calls to ${request.DestinationPhoneNumber.slice(0, 4)}… are not allowed for this instance`,
      );
    }
    const trafficType: TrafficType = request.TrafficType ?? 'GENERAL';
    const cap = trafficType === 'CAMPAIGN' ? this.quotas.maxConcurrentCampaignCalls : this.quotas.maxConcurrentCalls;
    if (this.#active[trafficType] >= cap) {
      this.#counters.limitExceeded += 1;
      throw new ConnectApiError(
        'LimitExceededException',
        `The concurrent ${trafficType === 'CAMPAIGN' ? 'campaign ' : ''}calls quota (${cap}) is reached`,
      );
    }

    const contact = this.#createContact(request, instanceId, trafficType, nowMs);
    if (tokenKey !== undefined) this.#clientTokens.set(tokenKey, contact.contactId);
    this.#calls.track(this.#runCall(contact)).catch((error: unknown) => {
      this.#logger.error('call lifecycle crashed', { contactId: contact.contactId, error: String(error) });
    });
    return { ContactId: contact.contactId };
  }

  /** StopContact: ends a ringing or connected call. @throws ConnectApiError */
  stopContact(body: unknown): Record<string, never> {
    this.#apiCalls.StopContact += 1;
    const request = parseRequest(StopContactRequestSchema, body);
    const instanceId = this.#checkInstance(request.InstanceId);
    const contact = this.#contacts.get(request.ContactId);
    if (contact === undefined || contact.instanceId !== instanceId || contact.state === 'ENDED') {
      throw new ConnectApiError('ContactNotFoundException', 'The contact does not exist or has already ended');
    }
    this.#counters.stoppedByApi += 1;
    contact.stoppedByApi = true;
    // Cancelling a ringing call is what the admin guide calls TELECOM_ORIGINATOR_CANCEL; hanging up
    // a connected one by API is OTHER ("disconnections that API calls initiate").
    contact.endReason =
      request.DisconnectReason?.Code ?? (contact.state === 'RINGING' ? 'TELECOM_ORIGINATOR_CANCEL' : 'OTHER');
    contact.interrupt.abort();
    return {};
  }

  /** DescribeInstance (the health probe's "is Connect there"): the instance as an active inbound/outbound one. */
  describeInstance(instanceIdOrArn: string): { Instance: Record<string, unknown> } {
    const instanceId = this.#checkInstance(instanceIdOrArn);
    return {
      Instance: {
        Id: instanceId,
        Arn: instanceArnOf(this.region, this.accountId, instanceId),
        IdentityManagementType: 'CONNECT_MANAGED',
        InstanceStatus: 'ACTIVE',
        InboundCallsEnabled: true,
        OutboundCallsEnabled: true,
      },
    };
  }

  /**
   * ListContactFlows (one page: the instance has few flows): the configured flows, published and active, as the
   * deploy's smoke test looks for them. @throws ConnectApiError
   */
  listContactFlows(instanceIdOrArn: string): { ContactFlowSummaryList: Array<Record<string, unknown>> } {
    const instanceId = this.#checkInstance(instanceIdOrArn);
    const instanceArn = instanceArnOf(this.region, this.accountId, instanceId);
    return {
      ContactFlowSummaryList: this.#contactFlows.map((flow) => ({
        Id: flow.id,
        Arn: `${instanceArn}/contact-flow/${flow.id}`,
        Name: flow.name,
        ContactFlowType: 'CONTACT_FLOW',
        ContactFlowState: 'ACTIVE',
        ContactFlowStatus: 'PUBLISHED',
      })),
    };
  }

  /** DescribeContact, with timestamps as epoch seconds (restJson1). @throws ConnectApiError */
  describeContact(instanceIdOrArn: string, contactId: string): { Contact: Record<string, unknown> } {
    this.#apiCalls.DescribeContact += 1;
    const instanceId = this.#checkInstance(instanceIdOrArn);
    const contact = this.#contacts.get(contactId);
    if (contact === undefined || contact.instanceId !== instanceId) {
      throw new ConnectApiError('ResourceNotFoundException', 'Contact not found');
    }
    return { Contact: toDescribedContact(contact) };
  }

  /**
   * GetContactAttributes: the contact's user-defined attributes as they are now (those it was started with, plus
   * what its flow set). @throws ConnectApiError
   */
  getContactAttributes(instanceIdOrArn: string, initialContactId: string): { Attributes: Record<string, string> } {
    this.#apiCalls.GetContactAttributes += 1;
    const instanceId = this.#checkInstance(instanceIdOrArn);
    const contact = this.#contacts.get(initialContactId);
    if (contact === undefined || contact.instanceId !== instanceId) {
      throw new ConnectApiError('ResourceNotFoundException', 'Contact not found');
    }
    return { Attributes: { ...contact.attributes } };
  }

  /** A snapshot of the counters. */
  stats(): SimulatorStats {
    const nowMs = Date.now();
    return {
      active: this.#active.GENERAL + this.#active.CAMPAIGN,
      activeGeneral: this.#active.GENERAL,
      activeCampaign: this.#active.CAMPAIGN,
      ...this.#counters,
      callsPerSecondWindow: {
        windowMs: this.#startWindow.windowMs,
        current: this.#startWindow.current(nowMs),
        peak: this.#startWindow.peak,
      },
      outcomes: { ...this.#outcomes },
      disconnectReasons: { ...this.#disconnectReasons },
      apiCalls: { ...this.#apiCalls },
      events: this.#delivery.stats(),
      quotas: { ...this.quotas },
    };
  }

  /** Ground-truth records of ended calls, oldest first. */
  callRecords(): CallRecord[] {
    return [...this.#records];
  }

  /** Resolves when no call is active, no event is waiting for delivery and files are written. */
  async idle(): Promise<void> {
    while (this.#calls.count > 0) await this.#calls.idle();
    await this.#delivery.idle();
    await this.#callLog?.flush();
    await this.#deadLetter?.flush();
  }

  /** Abandons active calls (no further events) and pending deliveries, then flushes files. */
  async close(): Promise<void> {
    this.#shutdown.abort();
    for (const contact of this.#contacts.values()) contact.interrupt.abort();
    await this.idle();
  }

  #validate(body: unknown): StartOutboundVoiceContactRequest {
    try {
      return parseStartOutboundVoiceContact(body);
    } catch (error) {
      this.#counters.invalidRequests += 1;
      throw error;
    }
  }

  #checkInstance(instanceIdOrArn: string): string {
    const instanceId = normalizeInstanceId(instanceIdOrArn);
    if (this.#instanceIds !== undefined && !this.#instanceIds.has(instanceId)) {
      throw new ConnectApiError('ResourceNotFoundException', `Instance ${instanceId} not found`);
    }
    return instanceId;
  }

  #createContact(
    request: StartOutboundVoiceContactRequest,
    instanceId: string,
    trafficType: TrafficType,
    nowMs: number,
  ): SimContact {
    const destination = request.DestinationPhoneNumber;
    const attempt = this.#attempts.get(destination) ?? 0;
    this.#attempts.set(destination, attempt + 1);
    const amdEnabled = request.AnswerMachineDetectionConfig?.EnableAnswerMachineDetection === true;
    const scenario = this.#scenario;
    const plan = planCall(scenario, {
      destination,
      attempt,
      amdEnabled,
      ringTimeoutMs: (request.RingTimeoutInSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS) * 1000,
    });
    const concurrentAtStart = this.#active.GENERAL + this.#active.CAMPAIGN;
    this.#active[trafficType] += 1;
    this.#counters.totalCalls += 1;
    this.#counters.peakConcurrency = Math.max(this.#counters.peakConcurrency, concurrentAtStart + 1);
    this.#startWindow.record(nowMs);
    const contactId = randomUUID();
    const contact: SimContact = {
      contactId,
      instanceId,
      instanceArn: instanceArnOf(this.region, this.accountId, instanceId),
      request,
      trafficType,
      amdEnabled,
      attributes: { ...request.Attributes },
      attempt,
      scenario,
      plan,
      concurrentAtStart,
      initiatedAtMs: nowMs,
      connectedAtMs: undefined,
      disconnectedAtMs: undefined,
      disconnectReason: undefined,
      state: 'RINGING',
      interrupt: new AbortController(),
      endReason: undefined,
      stoppedByApi: false,
      flowDetails: undefined,
    };
    this.#remember(contact);
    return contact;
  }

  #remember(contact: SimContact): void {
    this.#contacts.set(contact.contactId, contact);
    if (this.#contacts.size <= MAX_RETAINED_CONTACTS) return;
    for (const [contactId, old] of this.#contacts) {
      if (old.state === 'ENDED') {
        this.#contacts.delete(contactId);
        return;
      }
    }
  }

  async #runCall(contact: SimContact): Promise<void> {
    const { plan, scenario } = contact;
    this.#emit(contact, 'INITIATED');
    const rang = await wait(plan.ringMs * scenario.timeScale, contact.interrupt.signal);
    if (this.#shutdown.signal.aborted) return;
    if (!rang) {
      this.#finish(contact, contact.endReason ?? 'TELECOM_ORIGINATOR_CANCEL');
      return;
    }
    if (!plan.connects) {
      this.#finish(contact, plan.disconnectReason ?? 'TELECOM_PROBLEM');
      return;
    }
    contact.connectedAtMs = Date.now();
    contact.state = 'CONNECTED';
    this.#emit(contact, 'CONNECTED_TO_SYSTEM');
    if (!plan.runsFlow) {
      // A SIT tone reported through CONNECTED_TO_SYSTEM: the call still fails.
      this.#finish(contact, plan.disconnectReason ?? 'TELECOM_PROBLEM');
      return;
    }
    const { reason, atMs } = await this.#converse(contact);
    if (this.#shutdown.signal.aborted) return;
    this.#finish(contact, reason, atMs);
  }

  /**
   * Runs the flow until it disconnects, the callee hangs up, or StopContact; returns the reason and,
   * for an interruption, when it happened (the flow may take a moment longer to stop).
   */
  async #converse(contact: SimContact): Promise<{ reason: DisconnectReason; atMs?: number }> {
    const { plan, scenario } = contact;
    const onLine = new AbortController();
    const endCall = () => onLine.abort();
    contact.interrupt.signal.addEventListener('abort', endCall, { once: true });
    if (contact.interrupt.signal.aborted) endCall();
    if (plan.hangUpAfterMs !== undefined) {
      void wait(plan.hangUpAfterMs * scenario.timeScale, onLine.signal).then((elapsed) => {
        if (!elapsed) return;
        contact.endReason = 'CUSTOMER_DISCONNECT';
        endCall();
      });
    }
    const interrupted = new Promise<'interrupted'>((resolve) => {
      if (onLine.signal.aborted) resolve('interrupted');
      onLine.signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
    });
    const flow: Promise<FlowResult | Error> = this.#runFlow(toFlowCall(contact, onLine.signal)).catch(
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const first = await Promise.race([flow, interrupted]);
    endCall();
    contact.interrupt.signal.removeEventListener('abort', endCall);
    if (first === 'interrupted') {
      const atMs = Date.now();
      if (!this.#shutdown.signal.aborted) {
        const giveUp = new AbortController();
        const settled = await Promise.race([
          flow,
          sleep(FLOW_SETTLE_MS, 'timeout' as const, { signal: giveUp.signal }).catch(() => 'timeout' as const),
        ]);
        giveUp.abort();
        if (settled !== 'timeout') {
          contact.flowDetails = settled instanceof Error ? flowErrorDetails(settled) : settled.details;
        }
      }
      return { reason: contact.endReason ?? 'OTHER', atMs };
    }
    if (first instanceof Error) {
      this.#counters.flowErrors += 1;
      contact.flowDetails = flowErrorDetails(first);
      this.#logger.warn('contact flow failed; disconnecting', { contactId: contact.contactId, error: first.message });
      return { reason: 'CONTACT_FLOW_DISCONNECT' };
    }
    contact.flowDetails = first.details;
    return { reason: first.disconnectReason };
  }

  #finish(contact: SimContact, reason: DisconnectReason, atMs?: number): void {
    const nowMs = atMs ?? Date.now();
    contact.state = 'ENDED';
    contact.disconnectedAtMs = nowMs;
    contact.disconnectReason = reason;
    // The concurrency slot is free once the call is down, before anyone hears about it.
    this.#active[contact.trafficType] -= 1;
    this.#counters.endedCalls += 1;
    this.#outcomes[contact.plan.outcome] = (this.#outcomes[contact.plan.outcome] ?? 0) + 1;
    this.#disconnectReasons[reason] = (this.#disconnectReasons[reason] ?? 0) + 1;
    this.#emit(contact, 'DISCONNECTED');
    if (this.#emitCompleted) this.#emit(contact, 'COMPLETED');
    const record = toCallRecord(contact);
    this.#records.push(record);
    if (this.#records.length > MAX_RETAINED_CONTACTS) this.#records.shift();
    this.#callLog?.append(record);
  }

  #emit(contact: SimContact, eventType: ContactEventType): void {
    const event = buildContactEvent({
      eventType,
      eventId: randomUUID(),
      emittedAtMs: Date.now(),
      region: this.region,
      accountId: this.accountId,
      contact: toEventSnapshot(contact),
    });
    if (this.#deliverEventTypes !== undefined && !this.#deliverEventTypes.has(eventType)) return;
    const random = randomStream(
      contact.scenario.seed,
      'fault',
      contact.request.DestinationPhoneNumber,
      contact.attempt,
      eventType,
    );
    this.#delivery.send(event, planDelivery(contact.scenario.faults, random, contact.scenario.eventLatencyMs));
  }
}

/** Waits `milliseconds`; false when the signal aborts first. */
async function wait(milliseconds: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(Math.max(0, milliseconds), undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
