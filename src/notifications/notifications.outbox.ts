import { Types, type QueryFilter } from 'mongoose';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { MailStatus, OutboxMail, OutboxMailModel } from './notifications.model.js';
import type { OutboxListQuery } from './notifications.schemas.js';

/**
 * What the admin outbox page reads and does: the newest mails page by page, one mail
 * without its attachments' bytes, and a failed mail put back in the queue. Returns plain
 * objects; the page decides how to show them.
 */

export const OUTBOX_PAGE_SIZE = 50;

export interface OutboxMailSummary {
  id: string;
  to: string;
  subject: string;
  status: MailStatus;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date | undefined;
  sentAt: Date | undefined;
  lastError: string | undefined;
}

export interface OutboxMailDetail extends OutboxMailSummary {
  text: string;
  hasHtml: boolean;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
}

export interface OutboxPage {
  mails: OutboxMailSummary[];
  /** Opaque; given back as `?cursor=` for the next (older) page. */
  nextCursor: string | undefined;
}

export interface Outbox {
  listMails(query: OutboxListQuery): Promise<OutboxPage>;
  findMail(id: string): Promise<OutboxMailDetail>;
  /** Puts a failed mail back in the queue with a fresh set of attempts. */
  retryMail(id: string): Promise<void>;
}

const SUMMARY_FIELDS = { to: 1, subject: 1, status: 1, attempts: 1, createdAt: 1, nextAttemptAt: 1, sentAt: 1, lastError: 1 } as const;
const OBJECT_ID = /^[0-9a-f]{24}$/i;

export function createOutbox({ model, clock, logger, onRequeued }: {
  model: OutboxMailModel;
  clock: Clock;
  logger: Logger;
  /** Called after a mail is back in the queue (to wake the worker). */
  onRequeued: () => void;
}): Outbox {
  return {
    async listMails({ status, cursor }) {
      const filter: QueryFilter<OutboxMail> = status ? { status } : {};
      if (cursor) {
        const { createdAt, id } = decodeCursor(cursor);
        filter.$or = [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: id } }];
      }
      const found = await model
        .find(filter, SUMMARY_FIELDS)
        .sort({ createdAt: -1, _id: -1 })
        .limit(OUTBOX_PAGE_SIZE + 1)
        .lean<OutboxMail[]>();
      const mails = found.slice(0, OUTBOX_PAGE_SIZE).map(toSummary);
      const last = found.length > OUTBOX_PAGE_SIZE ? mails[mails.length - 1] : undefined;
      return { mails, nextCursor: last ? encodeCursor(last) : undefined };
    },

    async findMail(id) {
      const mail = await model.findOne({ _id: toObjectId(id) }, { 'attachments.content': 0 }).lean<OutboxMail>();
      if (!mail) throw new AppError('not_found', 'No such mail in the outbox.');
      return {
        ...toSummary(mail),
        text: mail.text,
        hasHtml: typeof mail.html === 'string',
        attachments: mail.attachments.map(({ filename, contentType, size }) => ({ filename, contentType, size })),
      };
    },

    async retryMail(id) {
      const _id = toObjectId(id);
      const result = await model.updateOne(
        { _id, status: 'failed' },
        { $set: { status: 'queued', attempts: 0, nextAttemptAt: clock.now() } },
      );
      if (result.matchedCount === 0) {
        if (await model.exists({ _id })) throw new AppError('conflict', 'Only a failed mail can be retried.', { reason: 'not_failed' });
        throw new AppError('not_found', 'No such mail in the outbox.');
      }
      logger.info({ mailId: id }, 'failed mail queued again from the outbox page');
      onRequeued();
    },
  };
}

function toObjectId(id: string): Types.ObjectId {
  if (!OBJECT_ID.test(id)) throw new AppError('not_found', 'No such mail in the outbox.');
  return new Types.ObjectId(id);
}

function toSummary(mail: OutboxMail): OutboxMailSummary {
  return {
    id: mail._id.toString(),
    to: mail.to,
    subject: mail.subject,
    status: mail.status,
    attempts: mail.attempts,
    createdAt: mail.createdAt,
    nextAttemptAt: mail.nextAttemptAt ?? undefined,
    sentAt: mail.sentAt ?? undefined,
    lastError: mail.lastError ?? undefined,
  };
}

/** `<createdAt in ms>.<id>` of the last mail shown: the next page starts strictly after it. */
function encodeCursor(mail: OutboxMailSummary): string {
  return `${mail.createdAt.getTime()}.${mail.id}`;
}

function decodeCursor(cursor: string): { createdAt: Date; id: Types.ObjectId } {
  const [time = '', id = ''] = cursor.split('.');
  return { createdAt: new Date(Number(time)), id: new Types.ObjectId(id) };
}
