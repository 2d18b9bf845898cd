import { Schema, type Connection } from 'mongoose';

/**
 * The version of a person's calendar-feed address (`_id` = user id). The address itself
 * is never stored: it is a MAC over (user id, version), recomputed to verify it, so
 * raising the version is what revokes the old one. No document means version 0; the
 * first reset creates it with an upsert (never check-then-insert).
 */
const calendarFeedSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    resetAt: { type: Date, required: true },
  },
  { collection: 'calendar_feeds', versionKey: false },
);

const compileFeed = (connection: Connection) => connection.model('CalendarFeed', calendarFeedSchema);

export type CalendarFeedModel = ReturnType<typeof compileFeed>;

export function calendarFeedModel(connection: Connection): CalendarFeedModel {
  return (connection.models.CalendarFeed as CalendarFeedModel | undefined) ?? compileFeed(connection);
}
