/**
 * The ideal dispatcher: the reference the engine's pacing is measured against (docs/benchmarks.md). It works in
 * continuous time and starts the earliest due contact the moment a line, a dial-rate token and a due contact are
 * all there: no ticks, no polling, no latency. It applies the same retry policy and calling windows as the engine
 * (functions/core/policy/), to the same callee draws, so the only difference left is how the engine paces.
 */
import type { AttemptOutcome, Campaign } from '../campaign.ts';
import { clampIntoWindow, isWithinWindow } from '../policy/calling-window.ts';
import { decideNextAttempt } from '../policy/retry-policy.ts';
import { MinHeap } from './min-heap.ts';
import type { AttemptDraw } from './outcome-mix.ts';

/** One attempt from the moment it fell due to the end of its call (epoch ms). */
export interface AttemptTimeline {
  contact: string;
  attempt: number;
  dueAt: number;
  startAt: number;
  endAt: number;
  outcome: AttemptOutcome;
  talkMs: number;
}

export interface DispatcherCaps {
  maxConcurrentCalls: number;
  dialsPerSecond: number;
  dialBurst: number;
}

export interface IdealInput {
  contacts: ReadonlyArray<{ id: string; timeZone: string; dueAt: number }>;
  draw(contact: string, attempt: number): AttemptDraw;
  campaign: Pick<Campaign, 'retryPolicy' | 'callingWindow'>;
  caps: DispatcherCaps;
  startAt: number;
  /** No call starts at or after this instant (the run's end). */
  endAt: number;
}

export interface IdealResult {
  attempts: AttemptTimeline[];
  /** When the last call ended (or `startAt` when none was placed). */
  finishAt: number;
  /** Contacts still waiting for an attempt when the run ended. */
  waitingAtEnd: number;
}

interface Waiting {
  contact: string;
  zone: string;
  dueAt: number;
  order: number;
  history: Array<{ at: Date; outcome: AttemptOutcome }>;
}

interface Live {
  endAt: number;
  waiting: Waiting;
  timeline: AttemptTimeline;
}

/** Runs the ideal dispatcher over the whole list. */
export function runIdealDispatcher(input: IdealInput): IdealResult {
  const { caps, campaign } = input;
  const rate = caps.dialsPerSecond / 1000;
  let order = 0;
  const due = new MinHeap<Waiting>((a, b) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.order < b.order));
  const live = new MinHeap<Live>((a, b) => a.endAt < b.endAt);
  for (const contact of input.contacts) {
    due.push({ contact: contact.id, zone: contact.timeZone, dueAt: contact.dueAt, order: order++, history: [] });
  }
  const attempts: AttemptTimeline[] = [];
  let free = caps.maxConcurrentCalls;
  let tokens = caps.dialBurst;
  let tokensAt = input.startAt;
  let now = input.startAt;
  let finishAt = input.startAt;
  let waitingAtEnd = 0;
  const runEnd = new Date(input.endAt);

  for (;;) {
    // Calls that end now free their lines first, and their retries may fall due at once.
    for (let ended = live.peek(); ended !== undefined && ended.endAt <= now; ended = live.peek()) {
      live.pop();
      free++;
      finishAt = Math.max(finishAt, ended.endAt);
      const decision = decideNextAttempt({
        policy: campaign.retryPolicy,
        window: campaign.callingWindow,
        zone: ended.waiting.zone,
        outcome: ended.timeline.outcome,
        attempts: ended.waiting.history,
        now: new Date(ended.endAt),
        runEndsAt: runEnd,
      });
      if (decision.kind === 'RETRY') {
        if (decision.at.getTime() >= input.endAt) waitingAtEnd++;
        else due.push({ ...ended.waiting, dueAt: decision.at.getTime(), order: order++ });
      }
    }
    tokens = Math.min(caps.dialBurst, tokens + (now - tokensAt) * rate);
    tokensAt = now;
    for (let next = due.peek(); next !== undefined && next.dueAt <= now && free > 0 && now < input.endAt; ) {
      if (tokens < 1 - 1e-6) break;
      due.pop();
      if (!isWithinWindow(campaign.callingWindow, next.zone, new Date(now))) {
        due.push({ ...next, dueAt: clampIntoWindow(campaign.callingWindow, next.zone, new Date(now)).getTime() });
      } else {
        tokens -= 1;
        free--;
        const attempt = next.history.length + 1;
        const draw = input.draw(next.contact, attempt);
        const timeline: AttemptTimeline = {
          contact: next.contact,
          attempt,
          dueAt: next.dueAt,
          startAt: now,
          endAt: now + draw.lineMs,
          outcome: draw.outcome,
          talkMs: draw.talkMs,
        };
        attempts.push(timeline);
        live.push({
          endAt: timeline.endAt,
          waiting: { ...next, history: [...next.history, { at: new Date(now), outcome: draw.outcome }] },
          timeline,
        });
      }
      next = due.peek();
    }
    const candidates: number[] = [];
    const nextEnd = live.peek();
    if (nextEnd !== undefined) candidates.push(nextEnd.endAt);
    const nextDue = due.peek();
    if (nextDue !== undefined && now < input.endAt) {
      if (nextDue.dueAt > now) candidates.push(Math.min(nextDue.dueAt, input.endAt));
      // The next token's arrival, in whole milliseconds as every clock here counts.
      else if (free > 0) candidates.push(Math.max(now + 1, Math.ceil(now + (1 - tokens) / rate)));
    }
    if (candidates.length === 0) break;
    now = Math.max(now, Math.min(...candidates));
  }
  return { attempts, finishAt, waitingAtEnd: waitingAtEnd + due.size };
}
