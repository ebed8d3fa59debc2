/**
 * The call itself, end to end through the local stack: the Connect simulator runs the shipped
 * contact flow (contact-flows/outbound-survey.json) against the offline next-step and record-answer
 * functions, simulated callees press keys from the scenario, and everything the engine stored is
 * judged against the simulator's ground-truth call log: answers and counters match the presses
 * exactly (Connect's retries included), opted-out numbers are never called again, a question edited
 * through the API reaches the next calls, and follow-up SMS reach exactly the people the rule selects.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnswerStore, type StoredAnswer } from '../../functions/adapters/answer-store.ts';
import { contactKey } from '../../functions/core/keys.ts';
import {
  api,
  cloud,
  type FlowCallRecord,
  flowCalls,
  invokeFunction,
  localDocumentClient,
  runItems,
  setScenario,
  simulatorStats,
  snsMessages,
  testCampaign,
  today,
  waitFor,
  waitForExecution,
  writeContacts,
} from './support.ts';

const documents = localDocumentClient();
const answerStore = new AnswerStore(cloud.tableName, 1, documents);
const RETRY_SOON = {
  NO_ANSWER: 'PT1S',
  BUSY: 'PT1S',
  VOICEMAIL: 'PT1S',
  FAILED: 'PT1S',
  UNKNOWN: 'PT1S',
  PARTIAL: 'PT1S',
};
const SURVEY = {
  greeting: 'Hello {name}, this is your health centre.',
  questions: [
    {
      id: 'q1',
      prompt: 'Have you been vaccinated? Press 1 for yes, 2 for no.',
      keys: { '1': 'Yes', '2': 'No' },
      next: { '2': 'q2' },
      maxRetries: 1,
    },
    {
      id: 'q2',
      prompt: 'Do you want booking instructions? Press 1 for yes, 2 for no.',
      keys: { '1': 'Yes', '2': 'No' },
      maxRetries: 1,
    },
  ],
  optOutKey: '9',
  closing: 'Thank you. Goodbye.',
};
const BOOKING_SMS = 'To book, call +48 22 123 45 67.';

const phonesFrom = (base: number, count: number) =>
  Array.from({ length: count }, (_, index) => `+4870${String(base + index).padStart(7, '0')}`);

async function runToEnd(campaignId: string): Promise<void> {
  const started = await api('POST', `/campaigns/${campaignId}/runs`, { date: today() });
  expect(started.status).toBe(202);
  const execution = await waitForExecution((started.body as { executionArn: string }).executionArn, 180_000);
  expect(execution.status).toBe('SUCCEEDED');
  await waitFor('simulator idle', async () => ((await simulatorStats()).active === 0 ? true : undefined));
}

async function contactOf(campaignId: string, phone: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: cloud.tableName, Key: contactKey(campaignId, today(), phone) }),
  );
  return Item;
}

/** Valid answers in the call log: `<phone>#<attempt>#<question>#<key>` for every press of a key the question takes. */
function pressedAnswers(calls: FlowCallRecord[]): string[] {
  const keysOf = new Map(SURVEY.questions.map((question) => [question.id, Object.keys(question.keys)]));
  return calls
    .flatMap((call) =>
      (call.flow?.presses ?? [])
        .filter((press) => press.kind === 'KEY' && keysOf.get(press.questionId ?? '')?.includes(press.input))
        .map((press) => `${call.destination}#${call.attributes.attempt}#${press.questionId}#${press.input}`),
    )
    .sort();
}

const storedAnswerKeys = (answers: StoredAnswer[]) =>
  answers.map((answer) => `${answer.phone}#${answer.attempt}#${answer.questionId}#${answer.key}`).sort();

describe('a survey run: answers, counters and follow-ups against the call log', () => {
  const CAMPAIGN = 'flow-e2e';
  const phones = phonesFrom(1_000, 60);
  let calls: FlowCallRecord[];
  let answers: StoredAnswer[];

  beforeAll(async () => {
    await setScenario({
      seed: 21,
      timeScale: 0.02,
      outcomes: { ANSWERED: 80, NO_ANSWER: 10, VOICEMAIL: 10 },
      hangUpProbability: 0.15,
      keypad: {
        invalidKeyProbability: 0.1,
        silenceProbability: 0.1,
        questions: { q1: { keys: { '1': 40, '2': 55, '9': 5 } }, q2: { keys: { '1': 60, '2': 40 } } },
      },
      faults: { lambdaRetryProbability: 0.15, duplicateProbability: 0.05 },
    });
    const put = await api(
      'PUT',
      `/campaigns/${CAMPAIGN}`,
      testCampaign(CAMPAIGN, {
        retryPolicy: { maxAttempts: 2, maxAttemptsPerDay: 2, retryDelays: RETRY_SOON },
        script: SURVEY,
        followUps: [{ id: 'booking', when: { q2: ['1'] }, sms: BOOKING_SMS }],
      }),
    );
    expect(put.status).toBe(200);
    await writeContacts(CAMPAIGN, today(), phones, new Date(), { [phones[0] ?? '']: 'Tom & "Jerry" <3' });
    await runToEnd(CAMPAIGN);
    calls = flowCalls(CAMPAIGN);
    answers = await answerStore.answersOfRun(CAMPAIGN, today());
  }, 240_000);

  it('ran the real flow on every answered call, without flow errors', async () => {
    const answered = calls.filter((call) => call.answeredAt !== undefined);
    expect(answered.length).toBeGreaterThan(30);
    for (const call of answered) expect(call.flow, call.contactId).toBeDefined();
    expect(answered.some((call) => call.flow?.end === 'HUNG_UP')).toBe(true);
    expect((await simulatorStats()).flowErrors).toBe(0);
    const named = calls.find((call) => call.destination === phones[0] && call.flow !== undefined);
    expect(named?.flow?.said[0] ?? 'not called').toMatch(/^Hello Tom & "Jerry" <3, this is your health centre\./);
  });

  it('stored exactly one answer per valid key pressed, with the script version it was asked under', () => {
    expect(answers.length).toBeGreaterThan(20);
    expect(storedAnswerKeys(answers)).toEqual(pressedAnswers(calls));
    for (const answer of answers) expect(answer.scriptVersion).toBe(1);
    const retried = calls.flatMap((call) => call.flow?.lambda ?? []).filter((invocation) => invocation.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
  });

  it('counts per question and key equal the stored answers, whatever Connect retried', async () => {
    const counters = await answerStore.countersOfRun(CAMPAIGN, today());
    const expected: Record<string, Record<string, number>> = {};
    for (const answer of answers) {
      expected[answer.questionId] = {
        ...expected[answer.questionId],
        [answer.key]: (expected[answer.questionId]?.[answer.key] ?? 0) + 1,
      };
    }
    expect(counters).toEqual({ total: answers.length, byQuestion: expected });
  });

  it('classifies contacts from the flow: opted out, completed, partial', async () => {
    const contacts = await runItems(CAMPAIGN, today(), 'CONTACT#');
    const optedOut = new Set(
      calls.filter((call) => call.flow?.presses.some((press) => press.input === '9')).map((call) => call.destination),
    );
    const completed = new Set(
      calls
        .filter((call) => {
          const last = call.flow?.lambda.filter((invocation) => invocation.function.endsWith('recordAnswer')).at(-1);
          return last?.response?.action === 'CLOSE' && ['RECORDED', 'DUPLICATE'].includes(last.response.result ?? '');
        })
        .map((call) => call.destination),
    );
    expect(optedOut.size).toBeGreaterThan(0);
    expect(completed.size).toBeGreaterThan(0);
    for (const contact of contacts) {
      const phone = String(contact.phone);
      if (optedOut.has(phone)) expect(contact.status, phone).toBe('OPTED_OUT');
      else if (completed.has(phone)) expect(contact.status, phone).toBe('COMPLETED');
      else expect(contact.status, phone).not.toMatch(/^(OPTED_OUT|COMPLETED)$/);
    }
    for (const phone of optedOut) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: cloud.tableName, Key: { pk: 'DNC', sk: phone } }),
      );
      expect(Item).toMatchObject({ source: 'opt-out' });
    }
  });

  it('texted the booking instructions exactly once to exactly the people who answered q2 = 1', async () => {
    const contacts = await runItems(CAMPAIGN, today(), 'CONTACT#');
    const selected = contacts
      .filter((contact) => (contact.answers as Record<string, string>).q2 === '1' && contact.status !== 'OPTED_OUT')
      .map((contact) => String(contact.phone))
      .sort();
    const texts = await waitFor('follow-ups sent', async () => {
      const sent = snsMessages().filter(
        (message) => message.phoneNumber !== undefined && phones.includes(message.phoneNumber),
      );
      return sent.length >= selected.length ? sent : undefined;
    });
    expect(selected.length).toBeGreaterThan(0);
    expect(texts.map((message) => message.phoneNumber).sort()).toEqual(selected);
    for (const message of texts) expect(message.message).toBe(BOOKING_SMS);
    const records = await runItems(CAMPAIGN, today(), 'FOLLOWUP#');
    expect(records.map((record) => [record.phone, record.status]).sort()).toEqual(
      selected.map((phone) => [phone, 'SENT']),
    );
    // The report counts them from the run's counters, one per recorded result.
    const report = await api('GET', `/campaigns/${CAMPAIGN}/reports/${today()}`);
    expect((report.body as { followUps: unknown }).followUps).toEqual({ sent: selected.length, failed: 0 });
  });
});

describe('record-answer invoked twice with the same event (a Connect retry)', () => {
  const CAMPAIGN = 'flow-dup';
  const phone = '+48709000001';

  it('records the answer once and answers both invocations with the same next step', async () => {
    await api('PUT', `/campaigns/${CAMPAIGN}`, testCampaign(CAMPAIGN, { script: SURVEY }));
    await writeContacts(CAMPAIGN, today(), [phone], new Date(Date.now() + 3_600_000));
    // As the dispatcher leaves a call it placed (the flow functions believe nothing else): the contact dialling
    // attempt 1, and the CALL# item of its ContactId.
    await documents.send(
      new UpdateCommand({
        TableName: cloud.tableName,
        Key: contactKey(CAMPAIGN, today(), phone),
        UpdateExpression: 'SET #status = :dialing, attempts = :one, attemptLog = :log',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':dialing': 'DIALING',
          ':one': 1,
          ':log': [{ n: 1, at: new Date().toISOString() }],
        },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: cloud.tableName,
        Item: { pk: 'CALL#dup-contact', sk: 'CALL', campaignId: CAMPAIGN, date: today(), phone, attempt: 1 },
      }),
    );
    const event = {
      Name: 'ContactFlowEvent',
      Details: {
        ContactData: {
          Attributes: { campaignId: CAMPAIGN, runDate: today(), attempt: '1' },
          Channel: 'VOICE',
          ContactId: 'dup-contact',
          CustomerEndpoint: { Address: phone, Type: 'TELEPHONE_NUMBER' },
          InitialContactId: 'dup-contact',
          InitiationMethod: 'API',
          InstanceARN: `arn:aws:connect:eu-west-1:000000000000:instance/${cloud.connectInstanceId}`,
          PreviousContactId: 'dup-contact',
          Queue: null,
          SystemEndpoint: { Address: '+48221234567', Type: 'TELEPHONE_NUMBER' },
          MediaStreams: {},
        },
        Parameters: { questionId: 'q1', retry: '0', answered: '0', scriptVersion: '1', input: '2' },
      },
    };
    const first = (await invokeFunction('recordAnswer', event)) as Record<string, string>;
    const countersAfterFirst = await answerStore.countersOfRun(CAMPAIGN, today());
    const second = (await invokeFunction('recordAnswer', event)) as Record<string, string>;

    expect(first).toMatchObject({ result: 'RECORDED', action: 'ASK', questionId: 'q2', answered: '1' });
    expect(second).toEqual({ ...first, result: 'DUPLICATE' });
    expect(await answerStore.countersOfRun(CAMPAIGN, today())).toEqual(countersAfterFirst);
    expect(countersAfterFirst).toEqual({ total: 1, byQuestion: { q1: { '2': 1 } } });
    expect(await answerStore.answersOfRun(CAMPAIGN, today())).toHaveLength(1);
    expect(await contactOf(CAMPAIGN, phone)).toMatchObject({
      answers: { q1: '2' },
      flow: { attempt: 1, questionsAnswered: 1, completed: false, optedOut: false },
    });
  });
});

describe('a question edited through the API while a run is going', () => {
  const CAMPAIGN = 'flow-edit';
  const before = phonesFrom(2_000, 6);
  const after = phonesFrom(2_100, 6);

  it('is asked on the next calls, and their answers record the new script version', async () => {
    await setScenario({
      seed: 4,
      timeScale: 0.02,
      outcomes: { ANSWERED: 1 },
      hangUpProbability: 0,
      keypad: { invalidKeyProbability: 0, silenceProbability: 0 },
    });
    const definition = testCampaign(CAMPAIGN, {
      script: SURVEY,
      retryPolicy: { maxAttempts: 1, maxAttemptsPerDay: 1 },
    });
    expect((await api('PUT', `/campaigns/${CAMPAIGN}`, definition)).status).toBe(200);
    await writeContacts(CAMPAIGN, today(), before, new Date());
    await writeContacts(CAMPAIGN, today(), after, new Date(Date.now() + 15_000));
    const started = await api('POST', `/campaigns/${CAMPAIGN}/runs`, { date: today() });
    await waitFor(
      'the first calls to end',
      async () => (flowCalls(CAMPAIGN).length >= before.length ? true : undefined),
      60_000,
    );
    const edited = structuredClone(SURVEY);
    const [firstQuestion] = edited.questions;
    if (firstQuestion === undefined) throw new Error('no question');
    firstQuestion.prompt = 'NEW: did you get the vaccine? Press 1 for yes, 2 for no.';
    const put = await api('PUT', `/campaigns/${CAMPAIGN}`, { ...definition, script: edited });
    expect(put.body).toMatchObject({ version: 2 });
    const editedAt = Date.now();

    const execution = await waitForExecution((started.body as { executionArn: string }).executionArn, 120_000);
    expect(execution.status).toBe('SUCCEEDED');
    const calls = flowCalls(CAMPAIGN);
    const late = calls.filter((call) => Date.parse(call.startedAt) > editedAt + 1_500);
    const early = calls.filter((call) => Date.parse(call.endedAt) < editedAt);

    expect(early.map((call) => call.destination).sort()).toEqual([...before].sort());
    expect(late.map((call) => call.destination).sort()).toEqual([...after].sort());
    for (const call of early) expect(call.flow?.said[0]).toContain('Have you been vaccinated?');
    for (const call of late) expect(call.flow?.said[0]).toContain('NEW: did you get the vaccine?');
    const answers = await answerStore.answersOfRun(CAMPAIGN, today());
    for (const answer of answers) expect(answer.scriptVersion).toBe(after.includes(answer.phone) ? 2 : 1);
    expect(answers.filter((answer) => after.includes(answer.phone)).length).toBeGreaterThanOrEqual(after.length);
  }, 180_000);
});

describe('an opt-out', () => {
  const phone = '+48709500001';
  const [A, B, C] = ['flow-optout-a', 'flow-optout-b', 'flow-optout-c'];

  it('lists the number and suppresses it in every campaign: waiting now, and at dial time later', async () => {
    await setScenario({
      seed: 8,
      timeScale: 0.02,
      outcomes: { ANSWERED: 1 },
      hangUpProbability: 0,
      numbers: { [phone]: { outcome: 'ANSWERED', ringMs: 1_000, hangUpAfterMs: null, presses: ['9'] } },
    });
    for (const campaign of [A, B, C])
      await api('PUT', `/campaigns/${campaign}`, testCampaign(campaign, { script: SURVEY }));
    await writeContacts(A, today(), [phone], new Date());
    await writeContacts(B, today(), [phone], new Date(Date.now() + 20_000));
    await writeContacts(C, today(), [phone], new Date());
    const runB = await api('POST', `/campaigns/${B}/runs`, { date: today() });
    await waitFor('run B to be active', async () => {
      const status = await api('GET', `/campaigns/${B}/runs/${today()}`);
      return (status.body as { status?: string }).status === 'RUNNING' ? true : undefined;
    });

    await runToEnd(A);
    expect(await contactOf(A, phone)).toMatchObject({ status: 'OPTED_OUT', outcome: 'OPTED_OUT' });
    expect(await contactOf(B, phone)).toMatchObject({ status: 'SUPPRESSED' });
    const { Item } = await documents.send(
      new GetCommand({ TableName: cloud.tableName, Key: { pk: 'DNC', sk: phone } }),
    );
    expect(Item).toMatchObject({ source: 'opt-out' });

    await runToEnd(C);
    expect(await contactOf(C, phone)).toMatchObject({ status: 'SUPPRESSED' });
    await waitForExecution((runB.body as { executionArn: string }).executionArn, 60_000);

    const calls = flowCalls(A)
      .concat(flowCalls(B), flowCalls(C))
      .filter((call) => call.destination === phone);
    expect(calls.map((call) => call.attributes.campaignId)).toEqual([A]);
    expect(calls[0]?.flow?.said.at(-1)).toBe('You will not be called again. Goodbye.');
  }, 180_000);
});

describe('"press 0 for a person" (script.transfer)', () => {
  const CAMPAIGN = 'flow-transfer';
  const QUEUE = '6b5f8a3e-2c1d-4e7f-9a0b-1c2d3e4f5a6b';
  const [transferred, answered] = ['+48709600001', '+48709600002'];

  it('queues the call of a callee who presses 0 and reports the contact TRANSFERRED, never to be called again', async () => {
    await setScenario({
      seed: 9,
      timeScale: 0.02,
      outcomes: { ANSWERED: 1 },
      hangUpProbability: 0,
      talkMs: 5_000,
      numbers: {
        [transferred]: { outcome: 'ANSWERED', ringMs: 1_000, hangUpAfterMs: null, presses: ['2', '0'] },
        [answered]: { outcome: 'ANSWERED', ringMs: 1_000, hangUpAfterMs: null, presses: ['1'] },
      },
    });
    const put = await api(
      'PUT',
      `/campaigns/${CAMPAIGN}`,
      testCampaign(CAMPAIGN, {
        retryPolicy: { maxAttempts: 2, maxAttemptsPerDay: 2, retryDelays: RETRY_SOON },
        script: { ...SURVEY, transfer: { key: '0', queue: QUEUE, prompt: 'Please hold for a nurse.' } },
      }),
    );
    expect(put.status).toBeLessThan(300);
    await writeContacts(CAMPAIGN, today(), [transferred, answered], new Date());

    await runToEnd(CAMPAIGN);

    expect(await contactOf(CAMPAIGN, transferred)).toMatchObject({ status: 'TRANSFERRED', outcome: 'TRANSFERRED' });
    expect(await contactOf(CAMPAIGN, answered)).toMatchObject({ status: 'COMPLETED' });
    const calls = flowCalls(CAMPAIGN).filter((call) => call.destination === transferred);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.flow).toMatchObject({ end: 'TRANSFERRED', transferredTo: QUEUE });
    expect(calls[0]?.flow?.said.at(-1)).toBe('Please hold for a nurse.');
    const report = await api('GET', `/campaigns/${CAMPAIGN}/reports/${today()}`);
    expect(report.body).toMatchObject({
      contacts: { byStatus: { TRANSFERRED: 1, COMPLETED: 1 } },
      outcomes: { TRANSFERRED: 1, COMPLETED: 1 },
      transfers: 1,
      reachRate: 1,
    });
  }, 180_000);
});
