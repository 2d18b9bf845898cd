import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import type { CoursesService } from '../courses/index.js';
import type { EnrollmentsService } from '../enrollments/index.js';
import type { RateLimiter } from '../rate-limits/index.js';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { calendarFeedModel } from './calendar-feed.model.js';
import { liveSessionModels } from './live-session.model.js';
import { view, type StoredSession } from './live-session.view.js';
import { feedCalendarOf } from './live-sessions.ics.js';
import { ownSessionsCondition } from './live-sessions.scope.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

/**
 * A person's calendar feed: a secret address that calendar programs poll without any
 * sign-in (API.md, "Live sessions"; README.md). The address carries its own proof: the
 * user id, the feed version and a MAC over both, keyed from the installation secret. So
 * nothing secret is stored, the same address comes back until it is revoked, and
 * revoking is raising the version.
 */

export interface CalendarFeedDependencies {
  connection: Connection;
  courses: Pick<CoursesService, 'facilitatedCourseSlugs'>;
  enrollments: Pick<EnrollmentsService, 'enrolledCoursesOf'>;
  /** The feed's owner while their account is usable; closed or anonymised: undefined. */
  actorFor(userId: string): Promise<Actor | undefined>;
  /** The installation secret (config.sessionSecret); the feed key is derived from it. */
  secret: string;
  /** The public address the feed URLs start with (config.baseUrl). */
  baseUrl: string;
  rateLimiter: RateLimiter;
  clock: Clock;
}

/** How far back the feed goes: last term's sessions stay visible, older ones drop off. */
const HISTORY_MS = 90 * 24 * 3_600_000;
/** The refresh the feed asks calendar programs for (some, Google Calendar among them, poll at their own pace). */
const REFRESH_SECONDS = 3_600;
/** HKDF's purpose label: this key signs feed addresses and nothing else. */
const KEY_PURPOSE = 'capacita/live-sessions/calendar-feed/v1';
/**
 * Feed requests per address and minute. Calendar programs poll every few minutes at
 * most, but a whole office or town hall may share one address; guessing a 128-bit MAC
 * is hopeless at any rate, so this only keeps one address from hogging the server.
 */
const FEED_REQUESTS_PER_ADDRESS = 120;
const FEED_WINDOW_MS = 60_000;

const USER_ID_BYTES = 12;
const VERSION_BYTES = 4;
/** 128 bits of the HMAC-SHA256: far beyond guessing at any request rate. */
const MAC_BYTES = 16;
const TOKEN_BYTES = USER_ID_BYTES + VERSION_BYTES + MAC_BYTES;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;


function noSuchFeed(): AppError {
  return new AppError('not_found', 'No such calendar feed.');
}

export function createCalendarFeedService(deps: CalendarFeedDependencies) {
  const CalendarFeed = calendarFeedModel(deps.connection);
  const { LiveSession } = liveSessionModels(deps.connection);
  const key = Buffer.from(hkdfSync('sha256', deps.secret, '', KEY_PURPOSE, 32));

  const macOf = (userId: string, version: number): Buffer => createHmac('sha256', key).update(`${userId}:${version}`).digest().subarray(0, MAC_BYTES);

  function tokenOf(userId: string, version: number): string {
    if (!OBJECT_ID_HEX.test(userId)) throw new Error(`calendar feed: not a user id: ${userId}`);
    const versionBytes = Buffer.alloc(VERSION_BYTES);
    versionBytes.writeUInt32BE(version);
    return Buffer.concat([Buffer.from(userId, 'hex'), versionBytes, macOf(userId, version)]).toString('base64url');
  }

  /** The user and version a genuine token names; anything else (malformed, forged) is undefined. */
  function verifiedToken(token: string): { userId: string; version: number } | undefined {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    // 43 characters hold 258 bits for 256: only the canonical spelling counts, so that
    // one address is one string and a changed last character is not the same address.
    if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== token) return undefined;
    const userId = bytes.subarray(0, USER_ID_BYTES).toString('hex');
    const version = bytes.readUInt32BE(USER_ID_BYTES);
    return timingSafeEqual(bytes.subarray(USER_ID_BYTES + VERSION_BYTES), macOf(userId, version)) ? { userId, version } : undefined;
  }

  const urlOf = (userId: string, version: number): string => `${deps.baseUrl}/api/v1/calendar-feeds/${tokenOf(userId, version)}.ics`;

  async function currentVersion(userId: string): Promise<number> {
    return (await CalendarFeed.findById(userId, { version: 1 }).lean<{ version: number }>())?.version ?? 0;
  }

  /**
   * The person's sessions from HISTORY_MS ago on, cancelled ones included: those of the
   * courses they are enrolled in (their cohort's and the cohort-less), of the courses
   * they are on the team of, and the ones they lead themselves.
   */
  async function sessionsOf(actor: Actor): Promise<StoredSession[]> {
    const since = new Date(deps.clock.now().getTime() - HISTORY_MS);
    return LiveSession.find({ startsAt: { $gte: since }, ...(await ownSessionsCondition(actor, deps)) }).sort({ startsAt: 1, _id: 1 }).lean<StoredSession[]>();
  }

  return {
    /** The person's feed address: the same on every call until they reset it. */
    async feedUrl(userId: string): Promise<string> {
      return urlOf(userId, await currentVersion(userId));
    },

    /** A new address; the old one answers 404 from now on. */
    async resetFeedUrl(userId: string): Promise<string> {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const feed = await CalendarFeed.findOneAndUpdate(
            { _id: userId },
            { $inc: { version: 1 }, $set: { resetAt: deps.clock.now() } },
            { upsert: true, returnDocument: 'after', lean: true },
          );
          if (!feed) throw new Error('calendar feed: the upsert returned nothing');
          return urlOf(userId, feed.version);
        } catch (error) {
          // Two first resets at once: the loser's insert meets the winner's document; raising it again is right.
          if (!isDuplicateKey(error) || attempt > 0) throw error;
        }
      }
    },

    /**
     * The feed behind a token, as RFC 5545 text; not_found for a forged or revoked token
     * or a closed account. Every request counts against its address, valid or not.
     */
    async feedCalendar(token: string, { address, calendarName }: { address: string; calendarName: string }): Promise<string> {
      const window = await deps.rateLimiter.hit(`calendar-feed:address:${address}`, FEED_WINDOW_MS);
      if (window.count > FEED_REQUESTS_PER_ADDRESS) {
        const retryAfterSeconds = Math.max(1, Math.ceil((window.resetsAt.getTime() - deps.clock.now().getTime()) / 1000));
        throw new AppError('rate_limited', 'Too many calendar requests from this address. Try again later.', { retryAfterSeconds });
      }
      const verified = verifiedToken(token);
      if (!verified) throw noSuchFeed();
      const [actor, version] = await Promise.all([deps.actorFor(verified.userId), currentVersion(verified.userId)]);
      if (!actor || version !== verified.version) throw noSuchFeed();
      const sessions = await sessionsOf(actor);
      return feedCalendarOf(sessions.map(view), deps.clock.now(), { name: calendarName, refreshSeconds: REFRESH_SECONDS });
    },
  };
}

export type CalendarFeedService = ReturnType<typeof createCalendarFeedService>;
