import type { RequestHandler, Router } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface OutgoingMail {
  /** One recipient address. */
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /** The same key queued twice gives one mail (e.g. `password-reset:<tokenId>`). */
  idempotencyKey?: string;
}

export interface Mailer {
  /** Writes the mail to the outbox; resolves once it is stored (delivery follows). */
  queue(mail: OutgoingMail): Promise<{ id: string; isDuplicate: boolean }>;
}

export interface NotificationsDependencies {
  connection: Connection;
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'> & Partial<Pick<Config, 'workLeaseMs'>>;
  logger: Logger;
  clock?: Clock;
}

export interface Notifications {
  mailer: Mailer;
  /** Starts background delivery; returns a function that stops it (awaiting a send in progress). */
  startDelivery(options?: { pollIntervalMs?: number }): () => Promise<void>;
  /** Delivers every mail due now; resolves with how many were attempted. */
  deliverDue(): Promise<number>;
  /** The admin outbox page (list with status filter, one mail's detail, retry a failed one). */
  outboxRouter(guard: RequestHandler): Router;
}
