import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { SendMailOptions } from 'nodemailer';
import { isDatabaseUnreachable } from '../db/availability.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { hasExhaustedAttempts, retryDelayMs } from './notifications.backoff.js';
import type { OutboxMail, OutboxMailModel } from './notifications.model.js';
import type { MailTransport } from './notifications.transport.js';

/**
 * Sending the outbox, one mail at a time: claim it atomically (so that of several app
 * processes exactly one sends it), send it, record the outcome. A claim is a lease: a
 * process that dies mid-send leaves the mail `sending` until the lease runs out, then
 * another process takes it over. Attempts are counted at the claim, so a mail that
 * keeps killing its sender still ends up `failed` instead of being retried forever.
 */

/** How long a claim holds unless configured (WORK_LEASE_SECONDS). */
export const LEASE_MS = 5 * 60_000;
/** A send still running after this (or after half the lease, if shorter) is abandoned and counted as failed, so a live sender never loses its mail. */
const SEND_TIMEOUT_MS = 2 * 60_000;
const MAX_ERROR_LENGTH = 300;
/**
 * Mails in flight at once in one process. One at a time, a process busy serving learners
 * sent under one mail a second (each takes several database round trips, queued behind
 * the requests'); claims are atomic, so lanes never take the same mail.
 */
const DELIVERY_LANES = 4;
const OUTCOME_RETRY_MS = 500;
const MAX_OUTCOME_WAIT_MS = 60_000;

export interface DeliveryDependencies {
  model: OutboxMailModel;
  transport: MailTransport;
  clock: Clock;
  logger: Logger;
  mailFrom: string;
  /** How long a claim holds before a process that died is assumed to have died. */
  leaseMs?: number;
}

export interface Delivery {
  /** Delivers due mails, a few at a time, until none is due or `shouldStop()`; resolves with how many it attempted. */
  drain(shouldStop: () => boolean): Promise<number>;
}

type ClaimedMail = OutboxMail & { leaseOwner: string };

export function createDelivery({ model, transport, clock, logger, mailFrom, leaseMs = LEASE_MS }: DeliveryDependencies): Delivery {
  const messageIdDomain = domainOf(mailFrom);
  const sendTimeoutMs = Math.min(SEND_TIMEOUT_MS, leaseMs / 2);

  async function claimNext(): Promise<ClaimedMail | null> {
    const now = clock.now();
    const leaseOwner = randomUUID();
    const claim = {
      $set: { status: 'sending', leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner },
      $inc: { attempts: 1 },
    };
    const options = { returnDocument: 'after', lean: true } as const;
    // Abandoned sends first: they have waited longest.
    const mail =
      (await model.findOneAndUpdate({ status: 'sending', leaseUntil: { $lte: now } }, claim, { ...options, sort: { leaseUntil: 1 } })) ??
      (await model.findOneAndUpdate({ status: 'queued', nextAttemptAt: { $lte: now } }, claim, { ...options, sort: { nextAttemptAt: 1 } }));
    return mail ? { ...(mail as OutboxMail), leaseOwner } : null;
  }

  /** The outcome is recorded only by the lease holder: a sender that lost its lease changes nothing. */
  async function settle(mail: ClaimedMail, update: Record<string, unknown>): Promise<boolean> {
    const result = await model.updateOne(
      { _id: mail._id, status: 'sending', leaseOwner: mail.leaseOwner },
      { $set: update, $unset: { leaseUntil: 1, leaseOwner: 1 } },
    );
    if (result.modifiedCount === 0) {
      logger.warn({ mailId: mail._id.toString() }, 'mail lease lost before its outcome was recorded');
    }
    return result.modifiedCount === 1;
  }

  /**
   * A mail that went out must be recorded as sent, or it is sent again once its lease runs
   * out: while the database is unreachable the outcome is kept here and written again
   * every half second, for up to half the lease (a minute at most).
   */
  async function settleThroughOutage(mail: ClaimedMail, update: Record<string, unknown>): Promise<boolean> {
    const deadline = Date.now() + Math.min(leaseMs / 2, MAX_OUTCOME_WAIT_MS);
    for (;;) {
      try {
        return await settle(mail, update);
      } catch (error) {
        if (!isDatabaseUnreachable(error) || Date.now() > deadline) throw error;
        await delay(OUTCOME_RETRY_MS);
      }
    }
  }

  async function recordFailure(mail: ClaimedMail, lastError: string): Promise<void> {
    const mailId = mail._id.toString();
    if (hasExhaustedAttempts(mail.attempts)) {
      await settle(mail, { status: 'failed', lastError });
      logger.error({ mailId, attempts: mail.attempts, lastError }, 'mail failed after its last attempt');
      return;
    }
    const nextAttemptAt = new Date(clock.now().getTime() + retryDelayMs(mail.attempts));
    await settle(mail, { status: 'queued', nextAttemptAt, lastError });
    logger.warn({ mailId, attempts: mail.attempts, nextAttemptAt, lastError }, 'mail not delivered; will retry');
  }

  async function deliver(mail: ClaimedMail): Promise<void> {
    const mailId = mail._id.toString();
    if (hasExhaustedAttempts(mail.attempts - 1)) {
      // Its last attempt was cut short by a sender that died: it may even have gone out.
      await recordFailure(mail, 'delivery interrupted during the last attempt');
      return;
    }
    try {
      await transport.send(toMessage(mail, messageIdDomain, mailFrom, sendTimeoutMs), mailId);
    } catch (error) {
      await recordFailure(mail, describeFailure(error));
      return;
    }
    if (await settleThroughOutage(mail, { status: 'sent', sentAt: clock.now() })) {
      logger.info({ mailId, attempts: mail.attempts, transport: transport.kind }, 'mail sent');
    }
  }

  return {
    async drain(shouldStop) {
      let attempted = 0;
      const lane = async (): Promise<void> => {
        while (!shouldStop()) {
          const mail = await claimNext();
          if (!mail) return;
          await deliver(mail);
          attempted += 1;
        }
      };
      await Promise.all(Array.from({ length: DELIVERY_LANES }, lane));
      return attempted;
    },
  };
}

function toMessage(mail: OutboxMail, messageIdDomain: string, from: string, sendTimeoutMs: number): SendMailOptions {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    attachments: mail.attachments.map(({ filename, contentType, content }) => ({
      filename,
      contentType,
      content: toBuffer(content),
    })),
    // The same Message-ID on every attempt lets receiving servers drop a repeat.
    messageId: `<${mail._id.toString()}@${messageIdDomain}>`,
    // RFC 3834: keeps vacation responders from answering a robot.
    headers: { 'Auto-Submitted': 'auto-generated' },
    signal: AbortSignal.timeout(sendTimeoutMs),
  };
}

/** Lean reads give the driver's Binary, not a Buffer. */
function toBuffer(content: unknown): Buffer {
  if (Buffer.isBuffer(content)) return content;
  const binary = content as { buffer?: Uint8Array };
  if (binary.buffer instanceof Uint8Array) return Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, binary.buffer.byteLength);
  throw new Error('attachment content is not binary');
}

function domainOf(address: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(address)?.[1] ?? 'capacita.invalid';
}

/** The code and first line of the error, without credentials that a URL in it might carry. */
export function describeFailure(error: unknown): string {
  const details = error as { code?: unknown; responseCode?: unknown; message?: unknown } | undefined;
  const parts = [details?.code, details?.responseCode].filter((part) => typeof part === 'string' || typeof part === 'number');
  const message = typeof details?.message === 'string' ? (details.message.split('\n')[0] ?? '') : String(error);
  const text = [...parts, message].join(' ').replace(/\/\/[^/@\s]*@/g, '//');
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
