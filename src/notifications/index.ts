/**
 * Notifications: every mail is written to the outbox collection first and delivered
 * by a worker with retries and backoff, so a mail server that is down loses nothing.
 * This is the module's public face; the implementation lives beside it.
 *
 * CONTRACT (used by accounts, live sessions, certificates):
 *
 *   const notifications = createNotifications({ connection, config, logger, clock });
 *   await notifications.mailer.queue({ to, subject, text, html?, attachments?, idempotencyKey? });
 *   const stop = notifications.startDelivery();   // in server.ts; lease-based, one sender per mail across processes
 *   await notifications.deliverDue();             // deliver what is due now (tests, CLI)
 *   app.use('/admin/outbox', notifications.outboxRouter(guard));   // admin outbox page
 */
export type { OutgoingMail, Mailer, Notifications, NotificationsDependencies } from './notifications.types.js';
export { createNotifications } from './notifications.service.js';
