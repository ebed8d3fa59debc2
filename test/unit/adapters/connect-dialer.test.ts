import { ConnectClient, LimitExceededException } from '@aws-sdk/client-connect';
import { describe, expect, it, vi } from 'vitest';
import { ConnectContacts } from '../../../functions/adapters/connect-contacts.ts';
import { ConnectDialer, clientTokenFor } from '../../../functions/adapters/connect-dialer.ts';
import type { CallToStart } from '../../../functions/use-cases/dialing/ports.ts';

const call: CallToStart = {
  ref: { campaignId: 'demo', date: '2026-11-23', phone: '+48601000001', attempt: 1 },
  source: '+48221234567',
  ringTimeoutSeconds: 30,
  name: 'Anna',
};
const settings = { instanceId: 'instance', contactFlowId: 'flow', engineId: 'campaign-engine-test' };
const token = clientTokenFor('demo', '2026-11-23', '+48601000001', 1);

function clientAnswering(...answers: Array<Error | Record<string, unknown>>) {
  const client = new ConnectClient({ region: 'eu-west-1' });
  const send = vi.fn();
  for (const answer of answers) {
    if (answer instanceof Error) send.mockRejectedValueOnce(answer);
    else send.mockResolvedValueOnce(answer);
  }
  Object.assign(client, { send });
  return { client, send };
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe('clientTokenFor', () => {
  it('is the same for the same attempt and differs between attempts, contacts and runs', () => {
    const others = [
      clientTokenFor('demo', '2026-11-23', '+48601000001', 2),
      clientTokenFor('demo', '2026-11-23', '+48601000002', 1),
      clientTokenFor('demo', '2026-11-24', '+48601000001', 1),
      clientTokenFor('other', '2026-11-23', '+48601000001', 1),
    ];
    expect(clientTokenFor('demo', '2026-11-23', '+48601000001', 1)).toBe(token);
    expect(new Set([token, ...others]).size).toBe(5);
  });
});

describe('ConnectDialer.start', () => {
  it('returns the ContactId and sends the attempt in the ClientToken and the attributes, with the engine named', async () => {
    const { client, send } = clientAnswering({ ContactId: 'c-1' });

    await expect(new ConnectDialer(settings, client).start(call)).resolves.toEqual({
      kind: 'STARTED',
      connectContactId: 'c-1',
    });
    expect(send.mock.calls[0]?.[0].input).toMatchObject({
      ClientToken: token,
      TrafficType: 'GENERAL',
      Attributes: {
        engine: 'campaign-engine-test',
        campaignId: 'demo',
        runDate: '2026-11-23',
        attempt: '1',
        name: 'Anna',
      },
    });
  });

  it('asks for answering-machine detection as a CAMPAIGN call when configured', async () => {
    const { client, send } = clientAnswering({ ContactId: 'c-3' });

    await new ConnectDialer({ ...settings, answeringMachineDetection: { campaignId: 'camp-1' } }, client).start(call);
    expect(send.mock.calls[0]?.[0].input).toMatchObject({
      TrafficType: 'CAMPAIGN',
      CampaignId: 'camp-1',
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
    });
  });

  it('sends exactly the same request for the same attempt (what makes a resend find the first call)', () => {
    const dialer = new ConnectDialer(settings, new ConnectClient({ region: 'eu-west-1' }));
    expect(dialer.request(call)).toEqual(dialer.request({ ...call }));
  });

  it('reports throttling without retrying it', async () => {
    const limit = new LimitExceededException({ message: 'rate', $metadata: { httpStatusCode: 429 } });
    const { client, send } = clientAnswering(limit);

    await expect(new ConnectDialer(settings, client).start(call)).resolves.toMatchObject({ kind: 'THROTTLED' });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('ends numbers Connect will not call as invalid, with the number masked in the error', async () => {
    const { client } = clientAnswering(named('DestinationNotAllowedException', 'cannot call +48601000001'));

    const result = await new ConnectDialer(settings, client).start(call);
    expect(result).toMatchObject({ kind: 'INVALID_NUMBER' });
    expect(JSON.stringify(result)).not.toContain('601000001');
  });

  it('resends once after a network failure, with the same ClientToken', async () => {
    const { client, send } = clientAnswering(named('TimeoutError', 'socket hang up'), { ContactId: 'c-2' });

    await expect(new ConnectDialer(settings, client).start(call)).resolves.toEqual({
      kind: 'STARTED',
      connectContactId: 'c-2',
    });
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1]?.[0].input.ClientToken).toBe(token);
  });

  it('gives up after the second network failure and on other errors', async () => {
    const twice = clientAnswering(named('TimeoutError'), named('TimeoutError'));
    await expect(new ConnectDialer(settings, twice.client).start(call)).resolves.toMatchObject({ kind: 'ERROR' });
    const denied = clientAnswering(named('AccessDeniedException'));
    await expect(new ConnectDialer(settings, denied.client).start(call)).resolves.toMatchObject({ kind: 'ERROR' });
    expect(denied.send).toHaveBeenCalledTimes(1);
  });
});

describe('ConnectContacts.lookUp', () => {
  const ended = {
    CustomerEndpoint: { Address: '+48601000001', Type: 'TELEPHONE_NUMBER' },
    ConnectedToSystemTimestamp: new Date('2026-11-23T10:00:05Z'),
    DisconnectTimestamp: new Date('2026-11-23T10:01:05Z'),
    DisconnectReason: 'CUSTOMER_DISCONNECT',
  };

  it('reads back the attempt of a contact this engine placed, with how it ended', async () => {
    const { client } = clientAnswering(
      { Attributes: { engine: 'campaign-engine-test', campaignId: 'demo', runDate: '2026-11-23', attempt: '2' } },
      { Contact: ended },
    );

    await expect(new ConnectContacts(settings, client).lookUp('c-9')).resolves.toEqual({
      ref: { campaignId: 'demo', date: '2026-11-23', phone: '+48601000001', attempt: 2 },
      ended: {
        disconnectReason: 'CUSTOMER_DISCONNECT',
        answeringMachineDetectionStatus: undefined,
        connectedToSystemTimestamp: '2026-11-23T10:00:05.000Z',
        disconnectTimestamp: '2026-11-23T10:01:05.000Z',
      },
    });
  });

  it('does not claim contacts of other applications or other stages, or unknown ones', async () => {
    const foreign = clientAnswering({ Attributes: { customer: 'x' } });
    await expect(new ConnectContacts(settings, foreign.client).lookUp('c-1')).resolves.toBeUndefined();
    const otherStage = clientAnswering({
      Attributes: { engine: 'campaign-engine-prod', campaignId: 'demo', runDate: '2026-11-23', attempt: '1' },
    });
    await expect(new ConnectContacts(settings, otherStage.client).lookUp('c-2')).resolves.toBeUndefined();
    expect(otherStage.send).toHaveBeenCalledTimes(1);
    const unknown = clientAnswering(named('ResourceNotFoundException'));
    await expect(new ConnectContacts(settings, unknown.client).lookUp('c-3')).resolves.toBeUndefined();
  });

  it('says "try again later" when Connect throttles the look-up', async () => {
    const { client } = clientAnswering(
      new LimitExceededException({ message: 'rate', $metadata: { httpStatusCode: 429 } }),
    );
    await expect(new ConnectContacts(settings, client).lookUp('c-4')).rejects.toMatchObject({ name: 'TransientError' });
  });
});
