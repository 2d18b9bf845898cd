import { systemClock } from '../shared/clock.js';
import { createDelivery } from './notifications.delivery.js';
import { outboxMailModel } from './notifications.model.js';
import { createOutbox } from './notifications.outbox.js';
import { outgoingMailSchema, parseOrThrow } from './notifications.schemas.js';
import { createMailTransport } from './notifications.transport.js';
import type { Mailer, Notifications, NotificationsDependencies } from './notifications.types.js';
import { outboxRouter } from './notifications.web.js';
import { startDeliveryWorker, type DeliveryWorker } from './notifications.worker.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

const DEFAULT_POLL_INTERVAL_MS = 5_000;

/**
 * Builds the module from its dependencies; nothing touches the database until the first
 * call. Queuing writes the mail to the outbox and returns: delivery is the worker's job.
 */
export function createNotifications({ connection, config, logger: parentLogger, clock = systemClock }: NotificationsDependencies): Notifications {
  const logger = parentLogger.child({ module: 'notifications' });
  const model = outboxMailModel(connection);
  const transport = createMailTransport(config);
  const delivery = createDelivery({ model, transport, clock, logger, mailFrom: config.mailFrom, leaseMs: config.workLeaseMs });
  let worker: DeliveryWorker | undefined;
  let stopWorker: (() => Promise<void>) | undefined;

  // The unique idempotency index must exist before the first insert relies on it.
  let indexesReady: Promise<void> | undefined;
  const ensureIndexes = (): Promise<void> => {
    indexesReady ??= model.createIndexes().then(
      () => undefined,
      (error: unknown) => {
        indexesReady = undefined; // try again next time
        throw error;
      },
    );
    return indexesReady;
  };

  // One delivery round at a time in this process, whoever asks (the worker or deliverDue).
  let lastRound: Promise<unknown> = Promise.resolve();
  const deliverExclusively = (shouldStop: () => boolean): Promise<number> => {
    const round = lastRound.then(async () => {
      await ensureIndexes();
      return delivery.drain(shouldStop);
    });
    lastRound = round.catch(() => undefined);
    return round;
  };

  const mailer: Mailer = {
    async queue(mail) {
      const valid = parseOrThrow(outgoingMailSchema, mail, 'mail');
      await ensureIndexes();
      const now = clock.now();
      try {
        const created = await model.create({
          ...valid,
          attachments: (valid.attachments ?? []).map((attachment) => ({ ...attachment, size: attachment.content.length })),
          status: 'queued',
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        });
        const id = created._id.toString();
        logger.info({ mailId: id }, 'mail queued');
        worker?.nudge();
        return { id, isDuplicate: false };
      } catch (error) {
        // The unique index decides, so two processes queuing the same key at once still give one mail.
        if (!valid.idempotencyKey || !isDuplicateKey(error)) throw error;
        const existing = await model.findOne({ idempotencyKey: valid.idempotencyKey }, { _id: 1 }).lean();
        if (!existing) throw error;
        return { id: existing._id.toString(), isDuplicate: true };
      }
    },
  };

  const outbox = createOutbox({ model, clock, logger, onRequeued: () => worker?.nudge() });

  return {
    mailer,
    startDelivery({ pollIntervalMs = DEFAULT_POLL_INTERVAL_MS } = {}) {
      if (stopWorker) return stopWorker;
      const started = startDeliveryWorker({ deliverRound: deliverExclusively, pollIntervalMs, logger });
      worker = started;
      const stop = async (): Promise<void> => {
        if (worker === started) worker = undefined;
        if (stopWorker === stop) stopWorker = undefined;
        await started.stop();
      };
      stopWorker = stop;
      logger.info({ transport: transport.kind, pollIntervalMs }, 'mail delivery started');
      return stop;
    },
    deliverDue: () => deliverExclusively(() => false),
    outboxRouter: (guard) => outboxRouter(guard, { outbox, fileDirectory: transport.directory }),
  };
}
