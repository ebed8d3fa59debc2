/**
 * Campaign definitions are bounded everywhere (issue 15, "One bad value stops everything", "Unbounded fields"):
 * each bad value of the issue is refused with the path of the field, nothing is accepted that the engine cannot
 * run. The property test feeds random, messy definitions: a definition is either refused with paths, or every pure
 * part that runs a campaign (dispatcher's window and pacing, retry policy, flow steps, follow-ups) runs it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyseBranching,
  CAMPAIGN_LIMITS,
  type Campaign,
  CampaignSchema,
  campaignSchemaFor,
  RetryableOutcomeSchema,
  retryDelaySeconds,
  toProblems,
} from '../../../functions/core/campaign.ts';
import { matchingFollowUps } from '../../../functions/core/follow-up-rules.ts';
import {
  CallingWindowClosedError,
  clampIntoWindow,
  isWithinWindow,
  nextWindowOpening,
} from '../../../functions/core/policy/calling-window.ts';
import { planTick } from '../../../functions/core/policy/pacing.ts';
import { addRetryDelay, decideNextAttempt } from '../../../functions/core/policy/retry-policy.ts';
import { firstStep, NO_INPUT, stepAfterInput, toStringMap } from '../../../functions/core/script/flow-steps.ts';

const valid = {
  id: 'spring',
  name: 'Spring survey',
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  callerId: '+48221234567',
  script: {
    greeting: 'Hello {name}.',
    questions: [
      { id: 'q1', prompt: 'Press 1 or 2.', keys: { '1': 'Yes', '2': 'No' }, next: { '2': 'q2' } },
      { id: 'q2', prompt: 'Press 1 or 2.', keys: { '1': 'Yes', '2': 'No' } },
    ],
    optOutKey: '9',
    closing: 'Goodbye.',
  },
  followUps: [{ id: 'info', when: { q2: ['1'] }, sms: 'Thanks.' }],
};

/** The problems of a definition as the API lists them (`body.` + path). */
function problems(input: unknown, schema: { safeParse(value: unknown): { success: boolean; error?: unknown } }) {
  const result = schema.safeParse(input) as ReturnType<typeof CampaignSchema.safeParse>;
  return result.success ? [] : toProblems(result.error);
}
const withRetry = (retryDelays: Record<string, string>) => ({
  ...valid,
  retryPolicy: { maxAttempts: 3, maxAttemptsPerDay: 3, retryDelays },
});
const withScript = (script: Record<string, unknown>) => ({ ...valid, script: { ...valid.script, ...script } });

describe('campaign definition bounds', () => {
  it('accepts the reference definition', () => {
    expect(problems(valid, CampaignSchema)).toEqual([]);
  });

  it.each([
    ['PT99999999999999999999S', 'at most 30 days (P30D)'],
    ['-PT1H', 'not a delay such as PT30M, PT2H or P1D (days, hours, minutes and seconds; no sign)'],
    ['PT0S', 'must be longer than zero: a zero delay redials at once'],
    ['PT-1H', 'not a delay such as PT30M, PT2H or P1D (days, hours, minutes and seconds; no sign)'],
    ['P1M', 'not a delay such as PT30M, PT2H or P1D (days, hours, minutes and seconds; no sign)'],
    ['P30DT1S', 'at most 30 days (P30D)'],
    ['P', 'not a delay such as PT30M, PT2H or P1D (days, hours, minutes and seconds; no sign)'],
  ])('refuses the retry delay %s with its path', (delay, message) => {
    expect(problems(withRetry({ NO_ANSWER: delay }), CampaignSchema)).toEqual([
      { path: 'retryPolicy.retryDelays.NO_ANSWER', message },
    ]);
  });

  it("refuses a delay below the stage's minimum, and only when it is stored", () => {
    const definition = withRetry({ BUSY: 'PT30S', NO_ANSWER: 'PT1M' });

    expect(problems(definition, campaignSchemaFor({ minRetryDelaySeconds: 60 }))).toEqual([
      { path: 'retryPolicy.retryDelays.BUSY', message: 'at least 60 seconds on this stage' },
    ]);
    expect(problems(definition, campaignSchemaFor({ minRetryDelaySeconds: 1 }))).toEqual([]);
    expect(problems(definition, CampaignSchema)).toEqual([]);
  });

  it('measures delays in seconds', () => {
    expect(retryDelaySeconds('PT1H30M')).toBe(5_400);
    expect(retryDelaySeconds('P1W')).toBe(604_800);
    expect(retryDelaySeconds('PT0.5S')).toBe(0.5);
    expect(retryDelaySeconds('1 hour')).toBeUndefined();
  });

  it('refuses a 1 MB name, a 40,000-character prompt and a weight of 1e308, each by path', () => {
    expect(problems({ ...valid, name: 'x'.repeat(1_000_000) }, CampaignSchema)).toContainEqual({
      path: 'name',
      message: 'at most 200 characters',
    });
    expect(problems(withScript({ greeting: 'x'.repeat(40_000) }), CampaignSchema)).toEqual([
      { path: 'script.greeting', message: 'at most 1000 characters' },
    ]);
    expect(problems({ ...valid, run: { weight: 1e308 } }, CampaignSchema)).toMatchObject([{ path: 'run.weight' }]);
    expect(problems({ ...valid, run: { weight: 0 } }, CampaignSchema)).toMatchObject([{ path: 'run.weight' }]);
  });

  it('refuses a 5,000-question chain with a 400, not a stack overflow', () => {
    const chain = Array.from({ length: 5_000 }, (_, index) => ({
      id: `q${index}`,
      prompt: 'Press 1.',
      keys: { '1': 'Yes' },
      next: index < 4_999 ? { '1': `q${index + 1}` } : {},
    }));

    expect(problems(withScript({ questions: chain }), CampaignSchema)).toEqual([
      { path: 'script.questions', message: 'Too big: expected array to have <=100 items' },
    ]);
  });

  it('finds cycles and the depth of 100,000-question scripts without recursion', () => {
    const chain = Array.from({ length: 100_000 }, (_, index) => ({ id: `q${index}`, next: { '1': `q${index + 1}` } }));
    const looped = chain.map((question, index) =>
      index === 99_999 ? { ...question, next: { '1': 'q50000' } } : question,
    );

    expect(analyseBranching(chain)).toEqual({ depth: 100_000 });
    expect(analyseBranching(looped).cycle?.at(0)).toBe('q50000');
    expect(analyseBranching(looped).cycle?.at(-1)).toBe('q50000');
  });

  it('refuses a script deeper than a call can take, and a cycle', () => {
    const chain = Array.from({ length: 31 }, (_, index) => ({
      id: `q${index}`,
      prompt: 'Press 1.',
      keys: { '1': 'Yes' },
      next: index < 30 ? { '1': `q${index + 1}` } : {},
    }));
    const cycle = [
      { id: 'q1', prompt: 'P', keys: { '1': 'Y' }, next: { '1': 'q2' } },
      { id: 'q2', prompt: 'P', keys: { '1': 'Y' }, next: { '1': 'q1' } },
    ];

    expect(problems(withScript({ questions: chain }), CampaignSchema)).toEqual([
      { path: 'script.questions', message: 'a call can be asked 31 questions; at most 30' },
    ]);
    expect(problems(withScript({ questions: cycle }), CampaignSchema)).toEqual([
      { path: 'script.questions', message: 'branching leads back to a question already asked: q1 → q2 → q1' },
    ]);
  });

  it('refuses holidays that are not real dates', () => {
    const definition = { ...valid, callingWindow: { holidays: ['2026-02-29', '2026-13-01', '2026-12-24'] } };

    expect(problems(definition, CampaignSchema).map((problem) => problem.path)).toEqual([
      'callingWindow.holidays.0',
      'callingWindow.holidays.1',
    ]);
  });

  it("takes voices and languages from Connect's text-to-speech list, voice matching language", () => {
    expect(problems(withScript({ language: 'pl-PL', voice: 'Ewa' }), CampaignSchema)).toEqual([]);
    expect(problems(withScript({ language: 'xx-XX' }), CampaignSchema)).toMatchObject([{ path: 'script.language' }]);
    expect(problems(withScript({ language: 'pl-PL', voice: 'Joanna' }), CampaignSchema)).toEqual([
      { path: 'script.voice', message: 'not a standard voice for pl-PL: one of Ewa, Maja, Jacek, Jan' },
    ]);
    expect(problems(withScript({ voice: 'constructor' }), CampaignSchema)).toMatchObject([{ path: 'script.voice' }]);
  });

  it('refuses countries that are not ISO codes with a numbering plan', () => {
    expect(problems({ ...valid, defaultCountry: 'XX' }, CampaignSchema)).toEqual([
      { path: 'defaultCountry', message: 'not a country with a numbering plan (ISO 3166 alpha-2, e.g. PL)' },
    ]);
    const lowerCase = problems({ ...valid, defaultCountry: 'pl' }, CampaignSchema);
    expect(lowerCase.length).toBeGreaterThan(0);
    expect(lowerCase.every((problem) => problem.path === 'defaultCountry')).toBe(true);
  });

  it('refuses follow-ups naming unknown questions or keys, and branches on keys the question lacks', () => {
    const definition = {
      ...valid,
      followUps: [
        { id: 'a', when: { q9: ['1'] }, sms: 'x' },
        { id: 'b', when: { q1: ['7'] }, sms: 'x' },
        { id: 'b', when: { q1: ['1'] }, sms: 'x' },
        { id: 'c', when: {}, sms: 'x' },
      ],
    };

    expect(problems(definition, CampaignSchema)).toEqual([
      { path: 'followUps.3.when', message: 'name at least one question' },
      { path: 'followUps.0.when.q9', message: 'unknown question "q9"' },
      { path: 'followUps.1.when.q1.0', message: '"7" is not a key of question q1' },
      { path: 'followUps.2.id', message: 'follow-up ids must be unique' },
    ]);
    const deadBranch = [
      { id: 'q1', prompt: 'P', keys: { '1': 'Y' }, next: { '5': 'q2' } },
      { id: 'q2', prompt: 'P', keys: { '1': 'Y' } },
    ];
    expect(problems({ ...withScript({ questions: deadBranch }), followUps: [] }, CampaignSchema)).toEqual([
      {
        path: 'script.questions.0.next.5',
        message: '"5" is not one of the question\'s keys, so this branch is never taken',
      },
    ]);
  });

  it('bounds the whole definition below what one DynamoDB item holds', () => {
    const questions = Array.from({ length: 100 }, (_, index) => ({
      id: `q${index}`,
      prompt: 'p'.repeat(1_000),
      invalidInputPrompt: 'i'.repeat(1_000),
      noInputPrompt: 'n'.repeat(1_000),
      keys: { '1': 'Yes' },
    }));

    expect(problems(withScript({ questions }), CampaignSchema)).toEqual([
      { path: '', message: expect.stringMatching(/^the definition takes \d+ bytes; at most 200000$/) },
    ]);
  });
});

// --- The property: refused with paths, or runnable by every pure part of the engine. ---

/** Mostly a good value, sometimes a messy one: enough definitions pass to exercise the engine with them. */
const mostly = <T, U>(good: fc.Arbitrary<T>, messy: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: good, weight: 40 }, { arbitrary: messy, weight: 1 });

const messyText = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 6 },
  {
    arbitrary: fc.constantFrom('', ' ', 'constructor', 'toString', '__proto__', '{name}', '{constructor} {toString}'),
    weight: 2,
  },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }), weight: 1 },
  { arbitrary: fc.integer({ min: 990, max: 1_010 }).map((length) => '&'.repeat(length)), weight: 1 },
);
const text = mostly(fc.constantFrom('Hello {name} & <co>.', 'Press 1.', 'Don\'t "hang" up', '{name}'), messyText);
const messyNumber = fc.oneof(
  fc.integer({ min: -5, max: 40 }),
  fc.double(),
  fc.constantFrom(1e308, -1e308, 0, 0.001, Number.NaN, Number.POSITIVE_INFINITY),
);
const delay = mostly(
  fc.oneof(
    fc.integer({ min: 60, max: 86_400 }).map((seconds) => `PT${seconds}S`),
    fc.integer({ min: 1, max: 720 }).map((hours) => `PT${hours}H`),
    fc.integer({ min: 1, max: 30 }).map((days) => `P${days}D`),
  ),
  fc.oneof(
    fc.constantFrom(
      'PT99999999999999999999S',
      '-PT1H',
      'PT0S',
      'PT-1H',
      'P1M',
      'P',
      'PT',
      'P30DT1S',
      'PT2H-119M',
      'PT5S',
    ),
    fc.string({ maxLength: 12 }),
  ),
);
const GOOD_KEYS = ['1', '2', '3', '0', '*'];
const key = mostly(fc.constantFrom(...GOOD_KEYS), fc.constantFrom('#', '9', 'default', 'constructor', '12', ''));
const questionId = mostly(
  fc.constantFrom('q1', 'q2', 'q3', 'q4'),
  fc.constantFrom('constructor', 'toString', 'Q1', ''),
);

/** Question `index` of `count`: branches mostly lead forward (a valid script), sometimes anywhere. */
const questionAt = (index: number, count: number) =>
  fc.subarray(GOOD_KEYS, { minLength: 1 }).chain((keys) =>
    fc.record(
      {
        id: mostly(fc.constant(`q${index + 1}`), questionId),
        prompt: text,
        keys: mostly(
          fc
            .tuple(...keys.map(() => mostly(fc.constantFrom('Yes', 'No', 'toString'), messyText)))
            .map((labels) => Object.fromEntries(keys.map((name, position) => [name, labels[position]]))),
          fc.dictionary(key, messyText, { maxKeys: 3 }),
        ),
        next: fc.dictionary(
          mostly(fc.constantFrom(...keys, 'default'), key),
          index + 1 < count
            ? mostly(
                fc.integer({ min: index + 2, max: count }).map((target) => `q${target}`),
                questionId,
              )
            : questionId,
          { maxKeys: index + 1 < count ? 2 : 0 },
        ),
        maxRetries: mostly(fc.integer({ min: 0, max: 5 }), messyNumber),
        inputTimeoutSeconds: mostly(fc.integer({ min: 1, max: 30 }), messyNumber),
      },
      { requiredKeys: ['id', 'prompt', 'keys'] },
    ),
  );
const questions = fc
  .integer({ min: 1, max: 5 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => questionAt(index, count))));

const definition = fc.record(
  {
    id: mostly(fc.constant('spring'), fc.constantFrom('Spring!', '')),
    name: text,
    defaultCountry: mostly(fc.constantFrom('PL', 'US', 'GB', 'IN'), fc.constantFrom('XX', 'pl', 'ZZ')),
    timeZone: mostly(fc.constantFrom('Europe/Warsaw', 'America/New_York', 'Pacific/Chatham'), fc.constant('Mars/Base')),
    callerId: mostly(fc.constant('+48221234567'), fc.constant('123')),
    callingWindow: fc.record(
      {
        days: mostly(
          fc.subarray(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], { minLength: 1 }),
          fc.array(fc.constantFrom('MON', 'XYZ'), { maxLength: 9 }),
        ),
        start: mostly(fc.constantFrom('00:00', '09:00', '02:30'), fc.constantFrom('25:00', '24:00')),
        end: mostly(fc.constantFrom('20:00', '24:00', '23:59'), fc.constantFrom('00:00', '9pm')),
        holidays: fc.array(
          mostly(fc.constantFrom('2026-12-24', '2024-02-29', '2026-03-29'), fc.constantFrom('2026-02-29', 'tomorrow')),
          { maxLength: 4 },
        ),
      },
      { requiredKeys: [] },
    ),
    retryPolicy: fc.record(
      {
        maxAttempts: mostly(fc.integer({ min: 1, max: 20 }), messyNumber),
        maxAttemptsPerDay: mostly(fc.integer({ min: 1, max: 20 }), messyNumber),
        retryDelays: fc.dictionary(
          mostly(
            fc.constantFrom('NO_ANSWER', 'BUSY', 'VOICEMAIL', 'FAILED', 'UNKNOWN', 'PARTIAL'),
            fc.constantFrom('COMPLETED', 'constructor'),
          ),
          delay,
          { maxKeys: 4 },
        ),
      },
      { requiredKeys: [] },
    ),
    run: fc.record(
      {
        weight: mostly(fc.double({ min: 0.01, max: 100, noNaN: true }), messyNumber),
        ringTimeoutSeconds: mostly(fc.integer({ min: 15, max: 60 }), messyNumber),
      },
      { requiredKeys: [] },
    ),
    script: fc.record(
      {
        language: mostly(fc.constantFrom('en-US'), fc.constantFrom('pl-PL', 'hi-IN', 'xx', 'constructor')),
        voice: mostly(fc.constantFrom('Joanna', 'Matthew'), fc.constantFrom('Ewa', 'Aditi', 'Danielle', 'toString')),
        greeting: text,
        questions,
        optOutKey: mostly(fc.constant('9'), key),
        closing: text,
        voicemail: fc.record(
          { action: mostly(fc.constantFrom('LEAVE_MESSAGE', 'HANG_UP'), fc.constant('SING')), message: text },
          { requiredKeys: ['action'] },
        ),
      },
      { requiredKeys: ['greeting', 'questions', 'closing'] },
    ),
    followUps: mostly(
      fc.constant([]),
      fc.array(
        fc.record({
          id: mostly(fc.constantFrom('a', 'b'), fc.constant('B!')),
          when: fc.dictionary(questionId, fc.array(key, { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 2 }),
          sms: text,
        }),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: ['id', 'name', 'defaultCountry', 'timeZone', 'callerId', 'script'] },
);

const SIZE_OF_A_FLOW_ANSWER = 32 * 1024;
const INSTANTS = [Date.UTC(2026, 2, 29, 0, 30), Date.UTC(2026, 9, 25, 1, 30), Date.UTC(2026, 11, 4, 12)];

/** Everything the engine does with a stored campaign that is pure: none of it may throw. */
function runEveryPurePart(campaign: Campaign): void {
  const zones = [campaign.timeZone, 'Asia/Kolkata'];
  for (const instant of INSTANTS.map((at) => new Date(at))) {
    for (const zone of zones) {
      isWithinWindow(campaign.callingWindow, zone, instant);
      nextWindowOpening(campaign.callingWindow, zone, instant);
      try {
        clampIntoWindow(campaign.callingWindow, zone, instant);
      } catch (error) {
        // The documented answer for a window that never opens (a typed error the dispatcher handles).
        expect(error).toBeInstanceOf(CallingWindowClosedError);
      }
      for (const outcome of [...RetryableOutcomeSchema.options, 'COMPLETED', 'OPTED_OUT'] as const) {
        const decision = decideNextAttempt({
          policy: campaign.retryPolicy,
          window: campaign.callingWindow,
          zone,
          outcome,
          attempts: [{ at: instant, outcome }],
          now: instant,
          runEndsAt: new Date(instant.getTime() + 86_400_000),
        });
        if (decision.kind === 'RETRY') expect(Number.isFinite(decision.at.getTime())).toBe(true);
      }
      for (const delay of Object.values(campaign.retryPolicy.retryDelays)) {
        if (delay !== undefined)
          expect(addRetryDelay(instant, delay, zone).getTime()).toBeGreaterThan(instant.getTime());
      }
    }
  }
  const plan = planTick({
    capacity: 10,
    inFlight: 0,
    campaigns: [
      { id: 'this', weight: campaign.run.weight, inFlight: 3, due: 50 },
      { id: 'other', weight: 1, inFlight: 2, due: 50 },
    ],
    tokensAvailable: 10,
    tickSeconds: 5,
  });
  expect(plan.total).toBeLessThanOrEqual(10);

  const context = { script: campaign.script, scriptVersion: 3, attributes: { name: 'x'.repeat(30_000) } };
  const steps = [firstStep(context, 'HUMAN'), firstStep(context, 'VOICEMAIL')];
  for (const question of campaign.script.questions) {
    const inputs = [
      ...Object.keys(question.keys),
      'constructor',
      'toString',
      NO_INPUT,
      '',
      '7',
      campaign.script.optOutKey,
    ];
    for (const input of inputs) {
      for (const retry of [0, question.maxRetries]) {
        const outcome = stepAfterInput(context, { questionId: question.id, retry, answered: 1 }, input);
        if (outcome.kind === 'ANSWER') expect(Object.hasOwn(question.keys, outcome.key)).toBe(true);
        steps.push(outcome.step);
      }
    }
  }
  for (const step of steps) {
    const answer = toStringMap(step, { result: 'RECORDED' });
    expect(new TextEncoder().encode(JSON.stringify(answer)).length).toBeLessThan(SIZE_OF_A_FLOW_ANSWER);
  }
  matchingFollowUps(campaign.followUps, { q1: '1', q2: '2', constructor: '1' });
}

describe('random definitions', () => {
  it('are refused with a path for every problem, or run through every pure part of the engine', () => {
    const schema = campaignSchemaFor({ minRetryDelaySeconds: 60 });
    let accepted = 0;
    fc.assert(
      fc.property(definition, (input) => {
        const result = schema.safeParse(input);
        if (!result.success) {
          const found = toProblems(result.error);
          expect(found.length).toBeGreaterThan(0);
          for (const problem of found) {
            expect(typeof problem.path).toBe('string');
            expect(problem.message.length).toBeGreaterThan(0);
          }
          return;
        }
        accepted++;
        runEveryPurePart(result.data);
      }),
      { numRuns: 400 },
    );
    // The generator is messy, not hopeless: some definitions must get through, or nothing was run.
    expect(accepted).toBeGreaterThan(0);
  });

  it('accepted definitions never exceed the limits', () => {
    expect(CAMPAIGN_LIMITS.definitionBytes).toBeLessThan(400 * 1024);
  });
});
