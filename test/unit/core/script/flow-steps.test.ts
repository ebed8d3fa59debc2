import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCampaign, type Script } from '../../../../functions/core/campaign.ts';
import {
  firstStep,
  INPUT_TIMEOUT_CHOICES,
  inputTimeoutFor,
  NO_INPUT,
  type StepContext,
  stepAfterInput,
  toStringMap,
} from '../../../../functions/core/script/flow-steps.ts';

function scriptOf(overrides: Record<string, unknown> = {}): Script {
  return parseCampaign({
    id: 'steps',
    name: 'Steps',
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    callerId: '+48221234567',
    script: {
      greeting: 'Hello {name}.',
      questions: [
        { id: 'q1', prompt: 'Q one?', keys: { '1': 'Yes', '2': 'No' }, next: { '2': 'q2' } },
        { id: 'q2', prompt: 'Q two?', keys: { '1': 'Yes', '2': 'No' }, maxRetries: 1, inputTimeoutSeconds: 20 },
      ],
      optOutKey: '9',
      closing: 'Bye.',
      voicemail: { action: 'LEAVE_MESSAGE', message: 'Call us.' },
      ...overrides,
    },
  }).script;
}

const context = (script = scriptOf()): StepContext => ({ script, scriptVersion: 4, attributes: { name: 'Ewa' } });

describe('firstStep', () => {
  it('greets a person and asks the first question', () => {
    expect(firstStep(context(), 'HUMAN')).toEqual({
      action: 'ASK',
      prompt: '<speak>Hello Ewa.<break time="300ms"/>Q one?</speak>',
      questionId: 'q1',
      retry: 0,
      answered: 0,
      validKeys: ['1', '2'],
      inputTimeout: 8,
      scriptVersion: 4,
      voice: 'Joanna',
      language: 'en-US',
    });
  });

  it('leaves the voicemail message on a machine, or hangs up silently when the campaign says so', () => {
    expect(firstStep(context(), 'VOICEMAIL')).toMatchObject({
      action: 'VOICEMAIL',
      prompt: '<speak>Call us.</speak>',
      reason: 'VOICEMAIL',
    });
    expect(firstStep(context(scriptOf({ voicemail: { action: 'HANG_UP' } })), 'VOICEMAIL')).toMatchObject({
      action: 'HANG_UP',
      prompt: '',
    });
  });
});

describe('stepAfterInput', () => {
  const asked = { questionId: 'q1', retry: 0, answered: 0 };

  it('records a valid key and follows its branch, or closes when the branch ends', () => {
    const toQ2 = stepAfterInput(context(), asked, '2');
    expect(toQ2).toMatchObject({ kind: 'ANSWER', key: '2', label: 'No', completed: false });
    expect(toQ2.step).toMatchObject({ action: 'ASK', questionId: 'q2', answered: 1, retry: 0, inputTimeout: 30 });

    const done = stepAfterInput(context(), asked, '1');
    expect(done).toMatchObject({ kind: 'ANSWER', key: '1', completed: true });
    expect(done.step).toMatchObject({
      action: 'CLOSE',
      prompt: '<speak>Bye.</speak>',
      reason: 'COMPLETED',
      answered: 1,
    });
  });

  it('asks again after an invalid key or silence, with the matching re-prompt, then gives up politely', () => {
    const invalid = stepAfterInput(context(), asked, '5');
    expect(invalid.kind).toBe('INVALID');
    expect(invalid.step).toMatchObject({ action: 'ASK', questionId: 'q1', retry: 1 });
    expect(invalid.step.prompt).toContain('Sorry, that key is not valid.');

    for (const input of [NO_INPUT, '', undefined]) {
      const silent = stepAfterInput(context(), asked, input);
      expect(silent.kind).toBe('NO_INPUT');
      expect(silent.step.prompt).toContain('Sorry, I did not hear a key.');
    }

    const exhausted = stepAfterInput(context(), { questionId: 'q2', retry: 1, answered: 1 }, '7');
    expect(exhausted.step).toMatchObject({ action: 'CLOSE', reason: 'NO_VALID_INPUT', answered: 1 });
  });

  it('ends the call with the opt-out message on the opt-out key, at any question', () => {
    const outcome = stepAfterInput(context(), { questionId: 'q2', retry: 1, answered: 1 }, '9');
    expect(outcome.kind).toBe('OPT_OUT');
    expect(outcome.step).toMatchObject({
      action: 'CLOSE',
      reason: 'OPTED_OUT',
      prompt: '<speak>You will not be called again. Goodbye.</speak>',
    });
  });

  it('hands the call to a person on the transfer key, at any question and retry, with the queue for the flow', () => {
    const queue =
      'arn:aws:connect:eu-west-1:123456789012:instance/11111111-2222-3333-4444-555555555555/queue/66666666-7777-8888-9999-000000000000';
    const script = scriptOf({ transfer: { key: '0', queue, prompt: 'Connecting you to {name}’s nurse.' } });

    const outcome = stepAfterInput(context(script), { questionId: 'q2', retry: 1, answered: 1 }, '0');

    expect(outcome.kind).toBe('TRANSFER');
    expect(outcome.step).toMatchObject({
      action: 'TRANSFER',
      reason: 'TRANSFERRED',
      queue,
      answered: 1,
      prompt: '<speak>Connecting you to Ewa’s nurse.</speak>',
    });
    expect(toStringMap(outcome.step)).toMatchObject({ action: 'TRANSFER', queue });
    // Without `script.transfer`, 0 is just an invalid key.
    expect(stepAfterInput(context(), { questionId: 'q2', retry: 0, answered: 1 }, '0').kind).toBe('INVALID');
  });

  it('rejects a transfer key that is also an answer or the opt-out key, and a queue that is neither id nor ARN', () => {
    expect(() => scriptOf({ transfer: { key: '1', queue: '66666666-7777-8888-9999-000000000000' } })).toThrow(
      /transfer key cannot also be an answer/,
    );
    expect(() => scriptOf({ transfer: { key: '9', queue: '66666666-7777-8888-9999-000000000000' } })).toThrow(
      /transfer key cannot be the opt-out key/,
    );
    expect(() => scriptOf({ transfer: { key: '0', queue: 'BasicQueue' } })).toThrow(/a queue id or queue ARN/);
  });

  it('closes a call whose question the current script no longer has', () => {
    expect(stepAfterInput(context(), { questionId: 'gone', retry: 0, answered: 2 }, '1')).toMatchObject({
      kind: 'UNKNOWN_QUESTION',
      step: { action: 'CLOSE', reason: 'SCRIPT_CHANGED', answered: 2 },
    });
  });

  it('flattens every step into a STRING_MAP', () => {
    const map = toStringMap(stepAfterInput(context(), asked, '2').step, { result: 'RECORDED' });
    expect(Object.values(map).every((value) => typeof value === 'string')).toBe(true);
    expect(map).toMatchObject({ action: 'ASK', questionId: 'q2', validKeys: '1,2', answered: '1', result: 'RECORDED' });
  });

  it('ends every call within (questions × (maxRetries + 1)) inputs, answering each question at most once', () => {
    const key = fc.constantFrom('1', '2', '3', '9', '*', NO_INPUT);
    fc.assert(
      fc.property(fc.array(key, { minLength: 40, maxLength: 40 }), (inputs) => {
        const script = scriptOf();
        let step = firstStep(context(script), 'HUMAN');
        const answeredQuestions: string[] = [];
        let used = 0;
        while (step.action === 'ASK') {
          const outcome = stepAfterInput(context(script), step, inputs[used++]);
          if (outcome.kind === 'ANSWER') answeredQuestions.push(outcome.questionId);
          step = outcome.step;
        }
        expect(used).toBeLessThanOrEqual(script.questions.reduce((sum, question) => sum + question.maxRetries + 1, 0));
        expect(new Set(answeredQuestions).size).toBe(answeredQuestions.length);
        expect(step.answered).toBe(answeredQuestions.length);
      }),
    );
  });
});

describe('inputTimeoutFor', () => {
  it('rounds up to the timeouts the flow offers, never shortening one', () => {
    for (let seconds = 1; seconds <= 30; seconds++) {
      const chosen = inputTimeoutFor(seconds);
      expect(INPUT_TIMEOUT_CHOICES).toContain(chosen);
      expect(chosen).toBeGreaterThanOrEqual(seconds);
    }
    expect(inputTimeoutFor(8)).toBe(8);
    expect(inputTimeoutFor(9)).toBe(15);
  });
});

describe('script validation', () => {
  it('refuses branching that leads back to a question already asked', () => {
    expect(() =>
      scriptOf({
        questions: [
          { id: 'q1', prompt: 'A?', keys: { '1': 'Yes' }, next: { '1': 'q2' } },
          { id: 'q2', prompt: 'B?', keys: { '1': 'Yes' }, next: { default: 'q1' } },
        ],
      }),
    ).toThrow(/leads back to a question already asked: q1 → q2 → q1/);
  });
});

describe('keys and placeholders from the caller (issue 15: "constructor" was stored as an answer key)', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'treats the input %s as an invalid key, never as an answer',
    (input) => {
      const outcome = stepAfterInput(context(), { questionId: 'q1', retry: 0, answered: 0 }, input);

      expect(outcome.kind).toBe('INVALID');
    },
  );

  it('fills only own attributes and cuts long values, so no list value can overflow a prompt', () => {
    const step = firstStep(
      {
        script: scriptOf({ greeting: 'Hi {constructor}{toString} {name}.' }),
        scriptVersion: 1,
        attributes: { name: 'x'.repeat(50_000) },
      },
      'HUMAN',
    );

    expect(step.prompt).toBe(`<speak>Hi ${'x'.repeat(100)}.<break time="300ms"/>Q one?</speak>`);
  });
});
