import { z } from 'zod';

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'validation.invalid');
/** ISO 8601; an offset (`-05:00`) is honoured. */
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const cohortSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(120),
    enrollmentOpensAt: instant,
    enrollmentClosesAt: instant,
    startsAt: instant,
    endsAt: instant,
    capacity: z.number().int().min(1).max(100_000).optional(),
    targetDepartments: z.array(z.string().regex(/^\d{2}$/)).max(33).optional(),
  })
  .superRefine((cohort, context) => {
    if (cohort.enrollmentClosesAt <= cohort.enrollmentOpensAt) {
      context.addIssue({ code: 'custom', path: ['enrollmentClosesAt'], message: 'validation.closesBeforeOpens' });
    }
    if (cohort.endsAt <= cohort.startsAt) context.addIssue({ code: 'custom', path: ['endsAt'], message: 'validation.endsBeforeStarts' });
  });

export const enrollSchema = z.strictObject({ cohortId: objectId.optional() });
export const bulkEnrollSchema = z.strictObject({ userIds: z.array(objectId).min(1).max(5_000), cohortId: objectId.optional() });
export const courseEnrollmentsQuerySchema = z.object({ cohort: objectId.optional() });
