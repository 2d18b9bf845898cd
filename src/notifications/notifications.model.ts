import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose';

/**
 * The outbox: every mail is a document here before anything tries to send it, so a mail
 * server that is down, or a process that dies mid-send, loses nothing. Private to the
 * notifications module.
 */

export const MAIL_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

const attachmentSchema = new Schema(
  {
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    /** Kept beside the bytes so pages can show it without loading them. */
    size: { type: Number, required: true },
    content: { type: Buffer, required: true },
  },
  { _id: false },
);

const outboxMailSchema = new Schema(
  {
    to: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String },
    attachments: { type: [attachmentSchema], default: [] },
    /** Unique but sparse: mails queued without a key never collide. */
    idempotencyKey: { type: String },
    status: { type: String, enum: MAIL_STATUSES, required: true, default: 'queued' },
    /** Delivery attempts started (counted when a sender claims the mail). */
    attempts: { type: Number, required: true, default: 0 },
    /** When a queued mail is next due. */
    nextAttemptAt: { type: Date, required: true },
    /** While `sending`: until when the claiming sender owns the mail; after it, another may take over. */
    leaseUntil: { type: Date },
    /** The claim's random token: only its holder may record the outcome. */
    leaseOwner: { type: String },
    /** Short description of the last failure, without credentials or message content. */
    lastError: { type: String },
    sentAt: { type: Date },
    /** Set from the service's clock, not by mongoose, so tests control it. */
    createdAt: { type: Date, required: true },
  },
  { collection: 'outbox_mails', versionKey: false, autoIndex: false, autoCreate: false },
);

outboxMailSchema.index({ idempotencyKey: 1 }, { unique: true, sparse: true });
// The worker's two claim queries: queued mails that are due, and sends whose lease ran out.
outboxMailSchema.index({ status: 1, nextAttemptAt: 1 });
outboxMailSchema.index({ status: 1, leaseUntil: 1 });
// The admin list, newest first, paged by (createdAt, _id).
outboxMailSchema.index({ createdAt: -1, _id: -1 });
// Sent mail (attachments included) is personal data kept for the admin's audit only:
// it goes after 90 days. Queued and failed mail has no sentAt and stays.
outboxMailSchema.index({ sentAt: 1 }, { expireAfterSeconds: 90 * 24 * 60 * 60 });

export type OutboxMail = InferSchemaType<typeof outboxMailSchema> & { _id: Types.ObjectId };
export type OutboxMailModel = Model<OutboxMail>;

const MODEL_NAME = 'OutboxMail';

/** The model on the given connection (one per connection, shared by every service built on it). */
export function outboxMailModel(connection: Connection): OutboxMailModel {
  const existing = connection.models[MODEL_NAME] as OutboxMailModel | undefined;
  return existing ?? connection.model<OutboxMail>(MODEL_NAME, outboxMailSchema);
}
