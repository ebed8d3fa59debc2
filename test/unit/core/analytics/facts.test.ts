import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dimensionSlots, normaliseDimensionValue } from '../../../../functions/core/analytics/dimensions.ts';
import {
  answerFact,
  attemptFacts,
  type ContactImage,
  ContactImageSchema,
  contactFact,
  contactKeyNumber,
  type FactContact,
  followUpFact,
  newContactKey,
} from '../../../../functions/core/analytics/facts.ts';

const contact: FactContact = {
  contactKey: '1f00000000000abc',
  listId: '20260327-00000000000000aa',
  timeZone: 'Europe/Warsaw',
  slots: dimensionSlots(['clinic'], { clinic: 'Wola' }),
};
const recordedAt = new Date('2026-03-27T10:00:05Z');
const campaign = { callerId: '+48221234567' };

const image = (overrides: Partial<ContactImage>): ContactImage =>
  ContactImageSchema.parse({ status: 'PENDING', attemptLog: [], attributes: {}, ...overrides });

describe('attemptFacts', () => {
  it('adds one row per attempt whose outcome is new, with the local hour and weekday of the call', () => {
    // Prepare: attempt 1 ended before, attempt 2 ends now (Friday 27 March 2026, 09:58 UTC = 10:58 in Warsaw).
    const previous = image({
      status: 'DIALING',
      attemptLog: [
        { n: 1, at: '2026-03-27T08:00:00Z', outcome: 'NO_ANSWER', endedAt: '2026-03-27T08:00:30Z' },
        { n: 2, at: '2026-03-27T09:58:00Z' },
      ],
    });
    const next = image({
      status: 'COMPLETED',
      attemptLog: [
        { n: 1, at: '2026-03-27T08:00:00Z', outcome: 'NO_ANSWER', endedAt: '2026-03-27T08:00:30Z' },
        { n: 2, at: '2026-03-27T09:58:00Z', outcome: 'COMPLETED', endedAt: '2026-03-27T10:00:00Z', talkSeconds: 100 },
      ],
      flow: { attempt: 2, questionsAnswered: 2, completed: true, optedOut: false },
    });

    // Act
    const rows = attemptFacts(next, previous, contact, campaign, recordedAt);

    // Assess
    expect(rows).toEqual([
      expect.objectContaining({
        contact_key: 0x1f00000000000abcn,
        attempt: 2,
        local_hour: 10,
        local_weekday: 5,
        outcome: 'COMPLETED',
        reached: true,
        first_reach: true,
        ring_seconds: 20,
        talk_seconds: 100,
        caller_id: '+48221234567',
        questions_answered: 2,
        script_completed: true,
        opted_out: false,
        final_status: 'COMPLETED',
        dim1_name: 'clinic',
        dim1: 'Wola',
        recorded_at: recordedAt,
      }),
    ]);
  });

  it('adds nothing for a change that ends no attempt, nor for an attempt ended before', () => {
    const ended = image({ status: 'PENDING', attemptLog: [{ n: 1, at: '2026-03-27T08:00:00Z', outcome: 'BUSY' }] });
    expect(attemptFacts(ended, ended, contact, campaign, recordedAt)).toEqual([]);
    expect(
      attemptFacts(
        image({ status: 'DIALING', attemptLog: [{ n: 1, at: '2026-03-27T08:00:00Z' }] }),
        undefined,
        contact,
        campaign,
        recordedAt,
      ),
    ).toEqual([]);
  });

  it('counts only the first reach, and progress of this call only', () => {
    const next = image({
      status: 'PENDING',
      attemptLog: [
        { n: 1, at: '2026-03-27T08:00:00Z', outcome: 'PARTIAL' },
        { n: 2, at: '2026-03-27T09:00:00Z', outcome: 'PARTIAL' },
      ],
      flow: { attempt: 1, questionsAnswered: 1, completed: false, optedOut: false },
    });
    const [second] = attemptFacts(
      next,
      image({ attemptLog: next.attemptLog.slice(0, 1) }),
      contact,
      campaign,
      recordedAt,
    );
    expect(second).toMatchObject({
      attempt: 2,
      reached: true,
      first_reach: false,
      questions_answered: 0,
      final_status: null,
    });
  });
});

describe('contactFact', () => {
  it('adds a row when the status becomes final, with the first reach and the last outcome', () => {
    const log = [
      { n: 1, at: '2026-03-27T08:00:00Z', outcome: 'VOICEMAIL' },
      { n: 2, at: '2026-03-27T09:00:00Z', outcome: 'PARTIAL' },
    ];
    const row = contactFact(
      image({ status: 'EXPIRED', attemptLog: log }),
      image({ status: 'PENDING', attemptLog: log }),
      contact,
      recordedAt,
    );
    expect(row).toMatchObject({
      final_status: 'EXPIRED',
      attempts: 2,
      last_outcome: 'PARTIAL',
      reached: true,
      first_reach_attempt: 2,
    });
  });

  it('adds nothing while the contact is open or when it was final already', () => {
    expect(contactFact(image({ status: 'PENDING' }), undefined, contact, recordedAt)).toBeUndefined();
    expect(
      contactFact(image({ status: 'COMPLETED' }), image({ status: 'COMPLETED' }), contact, recordedAt),
    ).toBeUndefined();
    expect(contactFact(image({ status: 'SUPPRESSED' }), undefined, contact, recordedAt)).toMatchObject({
      attempts: 0,
      reached: false,
    });
  });
});

describe('answers and follow-ups', () => {
  it('keeps the question, key, label and script version', () => {
    const answer = {
      phone: '+48601000001',
      attempt: 2,
      questionId: 'q1',
      key: '1',
      label: 'Yes',
      scriptVersion: 4,
      answeredAt: '2026-03-27T10:00:00Z',
    };
    expect(answerFact(answer, contact, recordedAt)).toMatchObject({
      attempt: 2,
      question_id: 'q1',
      answer_key: '1',
      label: 'Yes',
      script_version: 4,
    });
  });

  it('adds a follow-up row when it is sent or fails, once', () => {
    const sending = { phone: '+48601000001', ruleId: 'booking', status: 'SENDING' };
    const sent = { ...sending, status: 'SENT', sentAt: '2026-03-27T10:00:01Z' };
    expect(followUpFact(sent, sending, contact, recordedAt)).toMatchObject({ rule_id: 'booking', status: 'SENT' });
    expect(followUpFact(sending, undefined, contact, recordedAt)).toBeUndefined();
    expect(followUpFact(sent, sent, contact, recordedAt)).toBeUndefined();
  });
});

describe('privacy', () => {
  it('never puts a phone number or a name in a row, whatever the contact holds', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\+48[5-8]\d{8}$/),
        fc.stringMatching(/^Person [A-Z][a-z]{3,10}$/),
        (phone, name) => {
          const next = image({
            status: 'NO_ANSWER',
            attemptLog: [{ n: 1, at: '2026-03-27T08:00:00Z', outcome: 'NO_ANSWER' }],
            attributes: { clinic: 'Wola' },
          });
          const withPersonal = { ...next, phone, name, externalId: name };
          const rows = [
            ...attemptFacts(withPersonal, undefined, contact, campaign, recordedAt),
            contactFact(withPersonal, undefined, contact, recordedAt),
          ];
          const text = JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
          return !text.includes(phone) && !text.includes(phone.slice(3)) && !text.includes(name);
        },
      ),
    );
  });

  it('makes keys of 63 random bits', () => {
    const keys = new Set(Array.from({ length: 1_000 }, () => newContactKey()));
    expect(keys.size).toBe(1_000);
    for (const key of keys) {
      expect(key).toMatch(/^[0-7][0-9a-f]{15}$/);
      expect(contactKeyNumber(key)).toBeGreaterThanOrEqual(0n);
    }
  });
});

describe('dimension values', () => {
  it('trims, collapses white space and cuts long values on a character boundary', () => {
    expect(normaliseDimensionValue('  Ursynów   Północ ')).toBe('Ursynów Północ');
    expect(normaliseDimensionValue('   ')).toBeUndefined();
    expect(normaliseDimensionValue(undefined)).toBeUndefined();
    expect([...(normaliseDimensionValue('ż'.repeat(100)) ?? '')]).toHaveLength(64);
  });

  it('fills unused slots with nulls', () => {
    expect(dimensionSlots(['clinic', 'region'], { clinic: 'Wola' })).toEqual({
      dim1_name: 'clinic',
      dim1: 'Wola',
      dim2_name: 'region',
      dim2: null,
      dim3_name: null,
      dim3: null,
      dim4_name: null,
      dim4: null,
    });
  });
});
