import { z } from 'zod';

/**
 * What enters the certificates API. Codes in the path are not validated here: the
 * service reads them forgivingly (normalizeCertificateCode) and answers not_found to
 * anything that cannot be one.
 */

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'validation.invalid');
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'validation.invalid').max(100);
/** Why, in the manager's words: printed on the public verification page (revocation) or kept as the audit record. */
const statement = z.string().trim().min(1).max(500);
// Empty query parameters (a filter form's "all") count as absent.
const emptyAsMissing = (value: unknown): unknown => (value === '' ? undefined : value);

/**
 * A completion date: an instant (ISO 8601 with offset) or a calendar day, which is
 * taken as noon in Colombia so that it prints as that day.
 */
const completionDate = z.union([
  z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  z.iso.date().transform((day) => new Date(`${day}T12:00:00-05:00`)),
]);

export const revokeSchema = z.strictObject({ reason: statement });
export const reissueSchema = z.strictObject({ note: statement });

export const manualIssueSchema = z.strictObject({
  userId: objectId,
  courseSlug: slug,
  completedAt: completionDate,
  note: statement,
});

export const listQuerySchema = z.object({
  q: z.preprocess(emptyAsMissing, z.string().trim().max(100).optional()),
  courseSlug: z.preprocess(emptyAsMissing, slug.optional()),
  cohortId: z.preprocess(emptyAsMissing, objectId.optional()),
  status: z.preprocess(emptyAsMissing, z.enum(['valid', 'revoked']).optional()),
  cursor: z.preprocess(emptyAsMissing, z.string().regex(/^\d{1,15}\.[0-9a-f]{24}$/, 'validation.invalid').optional()),
  limit: z.preprocess(emptyAsMissing, z.coerce.number().int().min(1).max(200).default(50)),
});

/** A bulk download: one course, or one cohort of it; valid ones, revoked ones, or both. */
export const exportQuerySchema = z.object({
  courseSlug: slug,
  cohortId: z.preprocess(emptyAsMissing, objectId.optional()),
  status: z.preprocess(emptyAsMissing, z.enum(['valid', 'revoked']).optional()),
});

export type ManualIssueInput = z.infer<typeof manualIssueSchema>;
export type CertificateExportQuery = z.infer<typeof exportQuerySchema>;
export type CertificateListQuery = z.infer<typeof listQuerySchema>;
