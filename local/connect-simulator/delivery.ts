/**
 * Delivers contact events to the configured target the way an EventBridge rule does: each copy
 * independently, possibly late, retried with exponential backoff when the target fails, then
 * written to a dead-letter file.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContactEvent } from './events.ts';
import type { DeliveryPlan } from './faults.ts';
import type { JsonlWriter } from './jsonl-writer.ts';
import { PendingTracker } from './pending.ts';

/** Receives one contact event; a rejection counts as a failed delivery attempt. */
export type DeliverEvent = (event: ContactEvent) => Promise<void>;

/** Minimal logger the simulator writes to. */
export interface SimulatorLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface EventDeliveryOptions {
  deliver: DeliverEvent | undefined;
  /** Retries after the first failed attempt (Lambda asynchronous invocation retries twice). */
  maxRetries: number;
  /** First retry delay (unscaled ms); doubles on each retry. */
  retryBaseDelayMs: number;
  deadLetter: JsonlWriter | undefined;
  /** Converts simulated milliseconds to wall-clock milliseconds (the current timeScale). */
  scale: (milliseconds: number) => number;
  logger: SimulatorLogger;
  signal: AbortSignal;
}

/** Counters of what happened to contact events. */
export interface DeliveryStats {
  emitted: number;
  dropped: number;
  duplicated: number;
  delayed: number;
  attempts: number;
  delivered: number;
  retries: number;
  deadLettered: number;
}

export class EventDelivery {
  readonly #options: EventDeliveryOptions;
  readonly #pending = new PendingTracker();
  readonly #stats: DeliveryStats = {
    emitted: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    attempts: 0,
    delivered: 0,
    retries: 0,
    deadLettered: 0,
  };

  constructor(options: EventDeliveryOptions) {
    this.#options = options;
  }

  /** Schedules every copy the plan calls for; returns at once. */
  send(event: ContactEvent, plan: DeliveryPlan): void {
    this.#stats.emitted += 1;
    if (plan.dropped) this.#stats.dropped += 1;
    if (plan.delayed) this.#stats.delayed += 1;
    if (plan.duplicated) this.#stats.duplicated += 1;
    const deliver = this.#options.deliver;
    if (deliver === undefined) return;
    for (const delayMs of plan.delaysMs) {
      const waitMs = this.#options.scale(delayMs) + plan.latencyMs;
      this.#pending.track(this.#deliverCopy(deliver, event, waitMs)).catch((error: unknown) => {
        this.#options.logger.error('contact event delivery crashed', { error: String(error) });
      });
    }
  }

  stats(): DeliveryStats {
    return { ...this.#stats };
  }

  /** Resolves when no copy is waiting or being delivered. */
  idle(): Promise<void> {
    return this.#pending.idle();
  }

  /** Delivers one copy after `waitMs` wall-clock ms, retrying on failure. */
  async #deliverCopy(deliver: DeliverEvent, event: ContactEvent, waitMs: number): Promise<void> {
    const { signal, maxRetries, retryBaseDelayMs, scale } = this.#options;
    if (!(await this.#wait(waitMs, signal))) return;
    let lastError: unknown;
    for (let attempt = 0; attempt <= maxRetries; attempt += 1) {
      if (attempt > 0) {
        this.#stats.retries += 1;
        if (!(await this.#wait(scale(retryBaseDelayMs * 2 ** (attempt - 1)), signal))) return;
      }
      this.#stats.attempts += 1;
      try {
        await deliver(event);
        this.#stats.delivered += 1;
        return;
      } catch (error) {
        lastError = error;
      }
    }
    this.#stats.deadLettered += 1;
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    this.#options.logger.warn('contact event dead-lettered', {
      eventId: event.id,
      contactId: event.detail.contactId,
      eventType: event.detail.eventType,
      reason,
    });
    this.#options.deadLetter?.append({
      failedAt: new Date().toISOString(),
      attempts: maxRetries + 1,
      reason,
      event,
    });
  }

  /** Waits unless shutting down; returns false when the simulator is closing. */
  async #wait(milliseconds: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    if (milliseconds <= 0) return true;
    try {
      await sleep(milliseconds, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }
}
