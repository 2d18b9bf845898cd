import type { Logger } from './logger.js';

/**
 * Domain events between modules (ARCHITECTURE.md rule 4). Delivery is in-process and
 * at-least-once: what must not be lost is written to the database with its cause and
 * re-published at start-up by its owner, so handlers must be idempotent.
 */
export interface DomainEvents {
  'enrollment.completed': { enrollmentId: string; userId: string; courseSlug: string; completedAt: Date };
}

type Handler<Name extends keyof DomainEvents> = (payload: DomainEvents[Name]) => Promise<void>;

export interface EventBus {
  subscribe<Name extends keyof DomainEvents>(name: Name, handler: Handler<Name>): void;
  /** Runs every handler; resolves when all have finished (a failing one is logged, not thrown). */
  publish<Name extends keyof DomainEvents>(name: Name, payload: DomainEvents[Name]): Promise<{ failures: number }>;
}

export function createEventBus(logger: Logger): EventBus {
  const handlers = new Map<keyof DomainEvents, Array<Handler<keyof DomainEvents>>>();
  return {
    subscribe(name, handler) {
      handlers.set(name, [...(handlers.get(name) ?? []), handler as Handler<keyof DomainEvents>]);
    },
    async publish(name, payload) {
      let failures = 0;
      for (const handler of handlers.get(name) ?? []) {
        try {
          await handler(payload);
        } catch (error) {
          failures += 1;
          logger.error({ err: error, event: name }, 'event handler failed');
        }
      }
      return { failures };
    },
  };
}
