/**
 * Text messages to callees through Amazon SNS (Publish with `PhoneNumber`), marked transactional
 * (instructions a person asked for, not marketing). SNS SMS attributes:
 * https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { snsClient } from './aws-clients.ts';

export class SmsSender {
  private readonly client: SNSClient;

  constructor(client: SNSClient = snsClient) {
    this.client = client;
  }

  /** Sends one SMS; resolves with the SNS MessageId, rejects with SNS's error. */
  async send(phone: string, message: string): Promise<string> {
    const { MessageId } = await this.client.send(
      new PublishCommand({
        PhoneNumber: phone,
        Message: message,
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        },
      }),
    );
    if (MessageId === undefined) throw new Error('SNS returned no MessageId');
    return MessageId;
  }
}
