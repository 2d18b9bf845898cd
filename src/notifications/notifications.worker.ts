import type { Logger } from '../shared/logger.js';

/**
 * The background sender of one process: a round every poll interval, and one right away
 * when nudged (a mail was just queued), never two at once. The timer is unref'd so it
 * never keeps a process alive; stopping lets the send in progress finish.
 */
export interface DeliveryWorker {
  /** Asks for a round now (or right after the one running). */
  nudge(): void;
  /** Stops polling; resolves once the round in progress has recorded its current mail. */
  stop(): Promise<void>;
}

export interface DeliveryWorkerOptions {
  /** One round: delivers due mails until none is left or `shouldStop()`. */
  deliverRound(shouldStop: () => boolean): Promise<unknown>;
  pollIntervalMs: number;
  logger: Logger;
}

export function startDeliveryWorker({ deliverRound, pollIntervalMs, logger }: DeliveryWorkerOptions): DeliveryWorker {
  let isStopped = false;
  let isNudged = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;

  const schedule = (delayMs: number): void => {
    clearTimeout(timer);
    timer = setTimeout(runRound, delayMs);
    timer.unref();
  };

  function runRound(): void {
    timer = undefined;
    isNudged = false;
    round = deliverRound(() => isStopped)
      .then(
        () => undefined,
        // The database or the transport is unwell: say so, and try again next round.
        (error: unknown) => logger.warn({ err: error }, 'mail delivery round failed'),
      )
      .finally(() => {
        round = undefined;
        if (!isStopped) schedule(isNudged ? 0 : pollIntervalMs);
      });
  }

  schedule(0); // what was left from before the start goes out first
  return {
    nudge() {
      if (isStopped) return;
      if (round) isNudged = true;
      else schedule(0);
    },
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      timer = undefined;
      await round;
    },
  };
}
