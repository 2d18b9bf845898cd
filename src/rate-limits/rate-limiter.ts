import { Schema, type Connection } from 'mongoose';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

interface CounterDocument {
  _id: string;
  count: number;
  windowEndsAt: Date;
}

const counterSchema = new Schema<CounterDocument>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    windowEndsAt: { type: Date, required: true },
  },
  { collection: 'rate_limits', versionKey: false },
);
// A window's counter disappears once the window is over.
counterSchema.index({ windowEndsAt: 1 }, { expireAfterSeconds: 0 });

function defineCounter(connection: Connection) {
  return connection.model('RateLimitCounter', counterSchema);
}

export interface WindowState {
  count: number;
  resetsAt: Date;
}

export interface RateLimiter {
  /** The count in the current window (0 when there is none). */
  peek(key: string): Promise<WindowState>;
  /** Counts one event in the key's window (opening a new window if the last one is over). */
  hit(key: string, windowMs: number): Promise<WindowState>;
  reset(key: string): Promise<void>;
}


export function createRateLimiter(connection: Connection, clock: Clock = systemClock): RateLimiter {
  const Counter = (connection.models.RateLimitCounter as ReturnType<typeof defineCounter> | undefined) ?? defineCounter(connection);

  return {
    async peek(key) {
      const now = clock.now();
      const counter = await Counter.findOne({ _id: key, windowEndsAt: { $gt: now } }).lean();
      return counter ? { count: counter.count, resetsAt: counter.windowEndsAt } : { count: 0, resetsAt: now };
    },

    async hit(key, windowMs) {
      // Both steps are single atomic updates; two processes racing to open a window
      // meet at the unique _id, and the loser counts in the winner's window.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const now = clock.now();
        const current = await Counter.findOneAndUpdate(
          { _id: key, windowEndsAt: { $gt: now } },
          { $inc: { count: 1 } },
          { returnDocument: 'after', lean: true },
        );
        if (current) return { count: current.count, resetsAt: current.windowEndsAt };
        try {
          const opened = await Counter.findOneAndUpdate(
            { _id: key, windowEndsAt: { $lte: now } },
            { $set: { count: 1, windowEndsAt: new Date(now.getTime() + windowMs) } },
            { upsert: true, returnDocument: 'after', lean: true },
          );
          if (opened) return { count: opened.count, resetsAt: opened.windowEndsAt };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      throw new Error(`rate limiter: could not count ${key}`);
    },

    async reset(key) {
      await Counter.deleteOne({ _id: key });
    },
  };
}
