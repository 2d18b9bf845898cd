import { z } from 'zod';

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'validation.invalid');
/** ISO 8601; an offset (`-05:00`) is honoured. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const httpsUrl = z.url({ protocol: /^https$/, message: 'validation.httpsOnly' }).max(2_000);

const agendaItemSchema = z.strictObject({
  startsAt: instant,
  topic: z.string().trim().min(1).max(300),
  responsible: z.string().trim().min(1).max(200),
});

const sessionFields = {
  title: z.string().trim().min(1).max(200),
  startsAt: instant,
  endsAt: instant,
  modality: z.enum(['virtual', 'in_person', 'hybrid']),
  meetingUrl: httpsUrl.nullable().optional(),
  venue: z.string().trim().min(1).max(300).nullable().optional(),
  municipalityCode: z.string().regex(/^\d{5}$/, 'validation.municipalityCode').nullable().optional(),
  capacity: z.number().int().min(1).max(100_000).nullable().optional(),
  cohortId: objectId.nullable().optional(),
  agenda: z.array(agendaItemSchema).max(100).optional(),
};

/**
 * Field by field only: the rules between fields (end after start, in the future, what
 * each modality needs) are checked by the service on the whole session, so that a
 * PATCH is held to them on the merged result.
 */
export const createSessionSchema = z.strictObject({
  ...sessionFields,
  /** An RFC 5545 RRULE (`FREQ=WEEKLY;COUNT=6`): schedules a series of sessions, the first at `startsAt`. */
  recurrence: z.string().trim().min(1).max(300).optional(),
});
export const updateSessionSchema = z.strictObject(sessionFields).partial();
export const rsvpSchema = z.strictObject({ response: z.enum(['yes', 'no']) });
export const attendanceSchema = z.strictObject({ present: z.array(objectId).max(10_000) });

export type CreateSessionInput = z.infer<typeof createSessionSchema>;
export type UpdateSessionInput = z.infer<typeof updateSessionSchema>;
