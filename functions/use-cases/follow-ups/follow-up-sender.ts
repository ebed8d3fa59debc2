/**
 * Follow-up instructions after a call: the campaign's `followUps` rules are evaluated against the
 * contact's answers once an attempt has been settled, and each matching SMS is sent once per
 * contact (claimed in DynamoDB first, then published through SNS, then its result recorded). A
 * failed send is recorded and raises the `follow-up-failed` alert; it is not retried automatically
 * (the claim stays, so nobody is texted twice).
 *
 * People who opted out get nothing: they asked not to be contacted again.
 */
import type { AttemptOutcome, Campaign } from '../../core/campaign.ts';
import { matchingFollowUps } from '../../core/follow-up-rules.ts';
import { logger, maskPhone, maskPhonesIn } from '../../lib/logger.ts';

/** What the follow-ups need to know about a contact after an attempt. */
export interface SettledContact {
  campaignId: string;
  date: string;
  phone: string;
  answers: Record<string, string>;
  flow?: { optedOut: boolean };
}

/** One follow-up of one contact: at most one message per (run, contact, rule). */
export interface FollowUpRef {
  campaignId: string;
  date: string;
  phone: string;
  ruleId: string;
}

export interface FollowUpPorts {
  store: {
    /** Claims the follow-up before it is sent; false when it was claimed before. */
    claim(ref: FollowUpRef, at: Date): Promise<boolean>;
    /** Records how the send went and counts it, once. */
    recordResult(
      ref: FollowUpRef,
      result: { status: 'SENT'; messageId: string } | { status: 'FAILED'; error: string },
      at: Date,
    ): Promise<boolean>;
  };
  sms: { send(phone: string, message: string): Promise<string> };
  alerts: {
    publish(alert: { condition: string; subject: string; message: string; periodSeconds?: number }): Promise<unknown>;
  };
}

export type FollowUpResult = { ruleId: string; status: 'SENT' | 'FAILED' | 'ALREADY_SENT' };

export class FollowUpSender {
  private readonly ports: FollowUpPorts;

  constructor(ports: FollowUpPorts) {
    this.ports = ports;
  }

  /**
   * Sends the follow-ups the contact's answers select and has not had yet. Never throws: the
   * attempt is already settled, and a failure here must not make the event handler retry it.
   */
  async afterAttempt(
    campaign: Campaign,
    contact: SettledContact,
    outcome: AttemptOutcome,
    now = new Date(),
  ): Promise<FollowUpResult[]> {
    if (outcome === 'OPTED_OUT' || contact.flow?.optedOut === true) return [];
    const rules = matchingFollowUps(campaign.followUps, contact.answers);
    const results: FollowUpResult[] = [];
    for (const rule of rules) {
      const ref: FollowUpRef = {
        campaignId: contact.campaignId,
        date: contact.date,
        phone: contact.phone,
        ruleId: rule.id,
      };
      try {
        results.push({ ruleId: rule.id, status: await this.sendOnce(ref, rule.sms, now) });
      } catch (error) {
        logger.error('follow-up failed', { ruleId: rule.id, phone: maskPhone(contact.phone), error });
        results.push({ ruleId: rule.id, status: 'FAILED' });
      }
    }
    return results;
  }

  private async sendOnce(ref: FollowUpRef, message: string, now: Date): Promise<FollowUpResult['status']> {
    const { store, sms, alerts } = this.ports;
    if (!(await store.claim(ref, now))) return 'ALREADY_SENT';
    let messageId: string;
    try {
      messageId = await sms.send(ref.phone, message);
    } catch (error) {
      const reason = maskPhonesIn(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      await store.recordResult(ref, { status: 'FAILED', error: reason }, new Date());
      await alerts.publish({
        condition: `follow-up-failed#${ref.campaignId}#${ref.date}`,
        subject: '[ALERT] follow-up SMS failed',
        message:
          `FOLLOW-UP NOT DELIVERED: campaign ${ref.campaignId}, run ${ref.date}, rule "${ref.ruleId}", ` +
          `callee ${maskPhone(ref.phone)}, at ${now.toISOString()}: ${reason}. Further failures of this run within the ` +
          'hour are not alerted again; each is recorded on its FOLLOWUP item (status FAILED). Next step: check SNS SMS settings ' +
          '(spending limit, sandbox, origination number) and send the instructions by hand.',
      });
      return 'FAILED';
    }
    // The message went out: a failure to record that (DynamoDB busy beyond every retry) must not report it FAILED.
    await store.recordResult(ref, { status: 'SENT', messageId }, new Date()).catch((error: unknown) =>
      logger.error('follow-up sent but its result not recorded (the item stays SENDING)', {
        ruleId: ref.ruleId,
        phone: maskPhone(ref.phone),
        messageId,
        error,
      }),
    );
    logger.info('follow-up sent', { ruleId: ref.ruleId, phone: maskPhone(ref.phone), messageId });
    return 'SENT';
  }
}
