import { ConnectClient, LimitExceededException } from '@aws-sdk/client-connect';
import { describe, expect, it, vi } from 'vitest';
import { type CallRequest, clientTokenFor, startCall } from '../../../functions/adapters/connect-dialer.ts';

const request: CallRequest = {
  instanceId: 'instance',
  contactFlowId: 'flow',
  destination: '+48601000001',
  source: '+48221234567',
  attributes: { campaignId: 'demo' },
  clientToken: clientTokenFor('demo', '2026-11-23', '+48601000001', 1),
  ringTimeoutSeconds: 30,
};

function clientAnswering(...answers: Array<Error | { ContactId?: string }>) {
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
    expect(clientTokenFor('demo', '2026-11-23', '+48601000001', 1)).toBe(request.clientToken);
    const others = [
      clientTokenFor('demo', '2026-11-23', '+48601000001', 2),
      clientTokenFor('demo', '2026-11-23', '+48601000002', 1),
      clientTokenFor('demo', '2026-11-24', '+48601000001', 1),
      clientTokenFor('other', '2026-11-23', '+48601000001', 1),
    ];
    expect(new Set([request.clientToken, ...others]).size).toBe(5);
  });
});

describe('startCall', () => {
  it('returns the ContactId and sends the attempt ClientToken', async () => {
    const { client, send } = clientAnswering({ ContactId: 'c-1' });

    await expect(startCall(request, client)).resolves.toEqual({ kind: 'STARTED', connectContactId: 'c-1' });
    expect(send.mock.calls[0]?.[0].input).toMatchObject({ ClientToken: request.clientToken, TrafficType: 'GENERAL' });
  });

  it('asks for answering-machine detection as a CAMPAIGN call when configured', async () => {
    const { client, send } = clientAnswering({ ContactId: 'c-3' });

    await startCall({ ...request, answeringMachineDetection: { campaignId: 'camp-1' } }, client);
    expect(send.mock.calls[0]?.[0].input).toMatchObject({
      TrafficType: 'CAMPAIGN',
      CampaignId: 'camp-1',
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
    });
  });

  it('reports throttling without retrying it', async () => {
    const limit = new LimitExceededException({ message: 'rate', $metadata: { httpStatusCode: 429 } });
    const { client, send } = clientAnswering(limit);

    await expect(startCall(request, client)).resolves.toMatchObject({ kind: 'THROTTLED' });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('ends numbers Connect will not call as invalid', async () => {
    const { client } = clientAnswering(named('DestinationNotAllowedException'));

    await expect(startCall(request, client)).resolves.toMatchObject({ kind: 'INVALID_NUMBER' });
  });

  it('resends once after a network failure, with the same ClientToken', async () => {
    const { client, send } = clientAnswering(named('TimeoutError', 'socket hang up'), { ContactId: 'c-2' });

    await expect(startCall(request, client)).resolves.toEqual({ kind: 'STARTED', connectContactId: 'c-2' });
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1]?.[0].input.ClientToken).toBe(request.clientToken);
  });

  it('gives up after the second network failure and on other errors', async () => {
    const twice = clientAnswering(named('TimeoutError'), named('TimeoutError'));
    await expect(startCall(request, twice.client)).resolves.toMatchObject({ kind: 'ERROR' });
    const denied = clientAnswering(named('AccessDeniedException'));
    await expect(startCall(request, denied.client)).resolves.toMatchObject({ kind: 'ERROR' });
    expect(denied.send).toHaveBeenCalledTimes(1);
  });
});
