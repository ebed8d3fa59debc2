/**
 * The local cloud as a developer gets it from `npm start`: every component healthy, and the real
 * campaign-run state machine executed by the local Step Functions endpoint against the offline
 * functions, on its happy path and its failure path (Catch → SNS alert → failed execution).
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { api, cloud, invokeFunction, sfn, snsMessages, testCampaign, today, waitForExecution } from './support.ts';

describe('local cloud', () => {
  it('reports every component healthy on GET /health', async () => {
    const response = await api('GET', '/health');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      components: {
        dynamodb: { status: 'ok' },
        s3Uploads: { status: 'ok' },
        s3Reports: { status: 'ok' },
        sns: { status: 'ok' },
        stepFunctions: { status: 'ok' },
        connect: { status: 'ok' },
      },
    });
  });

  it("answers CORS for its own dashboard's origin only: another page cannot read the API", async () => {
    const own = new URL(cloud.endpoints.api).port;
    const ask = (origin: string, method = 'GET') =>
      fetch(`${cloud.endpoints.api}/campaigns`, {
        method,
        headers: { origin, 'access-control-request-method': 'GET' },
      });

    const foreign = await ask('https://evil.example');
    const preflight = await ask('https://evil.example', 'OPTIONS');
    const dashboard = await ask(`http://localhost:${own}`);

    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(dashboard.headers.get('access-control-allow-origin')).toBe(`http://localhost:${own}`);
  });

  it('runs the campaign-run state machine to the end and announces the summary on SNS', async () => {
    await api('PUT', '/campaigns/empty-run', testCampaign('empty-run'));

    const started = await api('POST', '/campaigns/empty-run/runs', { date: today() });
    expect(started.status).toBe(202);
    const { executionArn } = started.body as { executionArn: string };
    const execution = await waitForExecution(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    const status = await api('GET', `/campaigns/empty-run/runs/${today()}`);
    expect(status.body).toMatchObject({ status: 'FINISHED', callsInFlight: 0 });
    expect(snsMessages()).toContainEqual(
      expect.objectContaining({
        topicArn: cloud.alertsTopicArn,
        subject: `Campaign empty-run run ${today()} finished`,
        message: expect.stringContaining('Still waiting when the run ended: none.'),
      }),
    );
  });

  it('catches a failing task, alerts on SNS and fails the execution visibly', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: cloud.runStateMachineArn,
        name: 'missing-campaign-run',
        input: JSON.stringify({ campaignId: 'no-such-campaign', date: today(), generation: 0 }),
      }),
    );
    const execution = await waitForExecution(String(executionArn));

    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toContain('campaign "no-such-campaign" does not exist');
    // Other test files fail runs on purpose too (alerts.test.ts): this execution's alert is the one naming its campaign.
    const alerts = snsMessages().filter(
      (message) =>
        message.subject === '[ALERT] campaign run failed' && message.message.includes('campaign no-such-campaign'),
    );
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert?.message).toContain('failed with CampaignNotFoundError');
    expect(alert?.message).toContain('Next step');
    // The execution failed before the run was opened: no phantom run is left behind.
    expect((await api('GET', `/campaigns/no-such-campaign/runs/${today()}`)).status).toBe(404);
  });

  it("closes a run as FAILED with its execution's error, which the status API shows until the run is restarted", async () => {
    await api('PUT', '/campaigns/failing-run', testCampaign('failing-run'));
    const first = await api('POST', '/campaigns/failing-run/runs', { date: today() });
    await waitForExecution((first.body as { executionArn: string }).executionArn);
    const failure = { Error: 'States.TaskFailed', Cause: 'dispatcher: the table is gone' };
    // A FINISHED run is not turned into a failed one (a summary that could not be published, say).
    expect(await invokeFunction('runFail', { campaignId: 'failing-run', date: today(), failure })).toEqual({
      status: 'NO_RUN',
    });
    // Opened again by Init, as an execution of the next generation would: now in progress.
    await invokeFunction('runInit', {
      campaignId: 'failing-run',
      date: today(),
      generation: 1,
      executionName: 'failing-run-g1',
    });

    // The state machine's MarkRunFailed step, invoked as the state machine does after the alert.
    expect(await invokeFunction('runFail', { campaignId: 'failing-run', date: today(), failure })).toEqual({
      status: 'FAILED',
    });
    const failed = await api('GET', `/campaigns/failing-run/runs/${today()}`);
    expect(failed.body).toMatchObject({
      status: 'FAILED',
      failure: { error: 'States.TaskFailed', cause: 'dispatcher: the table is gone', at: expect.any(String) },
    });

    const restarted = await api('POST', '/campaigns/failing-run/runs', { date: today() });
    expect(restarted.status).toBe(202);
    await waitForExecution((restarted.body as { executionArn: string }).executionArn);
    const after = await api('GET', `/campaigns/failing-run/runs/${today()}`);
    expect(after.body).toMatchObject({ status: 'FINISHED' });
    expect(after.body).not.toHaveProperty('failure');
  });

  it('rejects a run for an unknown campaign or a date in the past without starting anything', async () => {
    const unknown = await api('POST', '/campaigns/nobody/runs', { date: today() });
    const past = await api('POST', '/campaigns/empty-run/runs', { date: '2020-01-01' });

    expect(unknown.status).toBe(404);
    expect(past.status).toBe(400);
    expect(past.text).toContain('body.date');
  });
});
