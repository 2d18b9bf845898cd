import { z } from 'zod';
import { PROFILE_DIMENSIONS } from '../enrollments/index.js';

/** The query of `GET /api/v1/stats/participation` (API.md, "Statistics"), for the API and the dashboard alike. */

const MAX_DIMENSIONS = 3;

const isCalendarDay = (value: string): boolean => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

/** A calendar day (YYYY-MM-DD), as the instant it starts in Bogotá (UTC−5 all year); the service counts whole days. */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'validation.dateFormat')
  .refine(isCalendarDay, 'validation.dateInvalid')
  .transform((value) => new Date(`${value}T00:00:00-05:00`));

const dimensions = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()))
  .pipe(z.array(z.enum(PROFILE_DIMENSIONS)).min(1).max(MAX_DIMENSIONS, 'validation.invalid'))
  .refine((list) => new Set(list).size === list.length, 'validation.invalid');

// Not strict: a query string also carries what the shell reads (`lang`) and cache-busters.
export const participationQuerySchema = z
  .object({
    course: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'validation.invalid').optional(),
    cohort: z.string().regex(/^[0-9a-f]{24}$/, 'validation.invalid').optional(),
    from: day.optional(),
    to: day.optional(),
    department: z.string().regex(/^\d{2}$/, 'validation.invalid').optional(),
    by: dimensions.default(['sex']),
    k: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['to'], message: 'validation.invalid' });

export type ParticipationQueryInput = z.infer<typeof participationQuerySchema>;
