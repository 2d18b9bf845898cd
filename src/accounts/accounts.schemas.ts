import { z } from 'zod';
import { ROLES } from '../shared/authorization.js';
import { isDepartment, isMunicipalityOf } from '../territories/index.js';

/**
 * Everything about a person that enters the system, validated the same way whether it
 * comes from the API, the registration form or a CSV row. Objects are strict: an
 * unknown field is an error, never stored. Every field is typed, so `{"$gt": ""}` where
 * a string belongs is refused before it can reach a query. Messages are i18n keys
 * (web/locales), translated at the edge into the reader's language.
 */

export const SEXES = ['female', 'male', 'intersex', 'undisclosed'] as const;
export const DOCUMENT_TYPES = ['CC', 'TI', 'CE', 'PA', 'PPT', 'PEP'] as const;
export const ACTOR_TYPES = [
  'spouse_of_governor', 'spouse_of_mayor', 'public_servant', 'community_leader', 'youth_network',
  'community_media', 'academia', 'international_cooperation', 'civil_society', 'other',
] as const;
export const ETHNIC_GROUPS = ['none', 'indigenous', 'afrocolombian', 'raizal', 'palenquero', 'rrom', 'undisclosed'] as const;
export const DISABILITY_ANSWERS = ['yes', 'no', 'undisclosed'] as const;
export const MIGRATION_STATUSES = ['none', 'migrant', 'returnee', 'host_community'] as const;

/** The version of the privacy policy a consent refers to (views/accounts/privacy.ejs). */
export const PRIVACY_POLICY_VERSION = '2026-11-21';

const PERSON_NAME = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;

const trimmed = (max: number) => z.string().trim().max(max, 'validation.tooLong');
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .transform((value) => (value === '' ? undefined : value))
    .optional();

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'validation.tooLong')
  .pipe(z.email('validation.email'));

export const passwordSchema = z
  .string()
  .min(10, 'validation.passwordTooShort')
  .max(200, 'validation.tooLong');

const personName = trimmed(80).min(1, 'validation.required').regex(PERSON_NAME, 'validation.personName');

/** Dots and spaces people type in document numbers are dropped (1.023.456 → 1023456). */
const documentNumber = z
  .string()
  .transform((value) => value.replace(/[.\s]/g, '').toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9-]{3,20}$/, 'validation.documentNumber'));

/** A real calendar date, YYYY-MM-DD, for someone between 10 and 120 years old. */
export const birthDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'validation.dateFormat')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'validation.dateInvalid')
  .refine((value) => {
    const year = Number(value.slice(0, 4));
    const thisYear = new Date().getUTCFullYear();
    return year >= thisYear - 120 && year <= thisYear - 10;
  }, 'validation.birthDateRange');

const phone = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(z.string().regex(/^\+?[0-9 ()-]{7,20}$/, 'validation.phone').optional())
  .optional();

/** The profile fields, shared by registration, admin creation, profile edits and CSV rows. */
const profileShape = {
  givenName: personName,
  familyName: personName,
  documentType: z.enum(DOCUMENT_TYPES),
  documentNumber,
  sex: z.enum(SEXES),
  genderIdentity: optionalText(60),
  birthDate: birthDateSchema,
  phone,
  departmentCode: z.string().regex(/^\d{2}$/, 'validation.departmentCode').refine(isDepartment, 'validation.departmentUnknown'),
  municipalityCode: z.string().regex(/^\d{5}$/, 'validation.municipalityCode'),
  organization: optionalText(120),
  position: optionalText(120),
  actorType: z.enum(ACTOR_TYPES),
  ethnicGroup: z.enum(ETHNIC_GROUPS).optional(),
  disability: z.enum(DISABILITY_ANSWERS).optional(),
  migrationStatus: z.enum(MIGRATION_STATUSES).optional(),
};

/** The municipality must belong to the department (DIVIPOLA: its code starts with it). */
function municipalityInDepartment(value: { departmentCode?: string; municipalityCode?: string }, context: z.RefinementCtx): void {
  if (value.departmentCode === undefined || value.municipalityCode === undefined) return;
  if (!isMunicipalityOf(value.departmentCode, value.municipalityCode)) {
    context.addIssue({ code: 'custom', path: ['municipalityCode'], message: 'validation.municipalityNotInDepartment' });
  }
}

export const registrationSchema = z
  .strictObject({
    email: emailSchema,
    password: passwordSchema,
    ...profileShape,
    dataConsent: z.literal(true, { error: 'validation.consentRequired' }),
  })
  .superRefine(municipalityInDepartment);
export type RegistrationInput = z.infer<typeof registrationSchema>;

const rolesSchema = z
  .array(z.enum(ROLES))
  .min(1, 'validation.rolesRequired')
  .transform((roles) => [...new Set(roles)]);

export const adminUserSchema = z
  .strictObject({
    email: emailSchema,
    password: passwordSchema.optional(),
    ...profileShape,
    roles: rolesSchema,
  })
  .superRefine(municipalityInDepartment);
export type AdminUserInput = z.infer<typeof adminUserSchema>;

export const rolesUpdateSchema = z.strictObject({ roles: rolesSchema });

/** The optional profile fields: `null` in an update clears them. */
export const CLEARABLE_FIELDS = ['genderIdentity', 'phone', 'organization', 'position', 'ethnicGroup', 'disability', 'migrationStatus'] as const;
type ClearableField = (typeof CLEARABLE_FIELDS)[number];

/** What a person may change about themselves: not email, not roles. */
export const profileUpdateSchema = z
  .strictObject(
    Object.fromEntries(
      Object.entries(profileShape).map(([key, schema]) => [
        key,
        (CLEARABLE_FIELDS as readonly string[]).includes(key) ? schema.nullable().optional() : schema.optional(),
      ]),
    ) as {
      [K in keyof typeof profileShape]: K extends ClearableField
        ? z.ZodOptional<z.ZodNullable<(typeof profileShape)[K]>>
        : z.ZodOptional<(typeof profileShape)[K]>;
    },
  )
  .superRefine(municipalityInDepartment);
export type ProfileUpdateInput = z.infer<typeof profileUpdateSchema>;

export const credentialsSchema = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(200),
});

export const passwordResetRequestSchema = z.strictObject({ email: z.string().max(254) });
export const passwordResetSchema = z.strictObject({ token: z.string().min(10).max(200), password: passwordSchema });
export const emailVerificationSchema = z.strictObject({ token: z.string().min(10).max(200) });
export const accountDeletionSchema = z.strictObject({ password: z.string().max(200).optional() });

/**
 * A CSV row: the registration fields, everything as text. Empty cells are absent;
 * `dataConsent` says whether consent was collected (on paper, say) for this person.
 */
export const csvRowSchema = z
  .strictObject({
    email: emailSchema,
    password: passwordSchema.optional(),
    ...profileShape,
    dataConsent: z
      .enum(['true', 'false', 'sí', 'si', 'no', '1', '0'])
      .transform((value) => ['true', 'sí', 'si', '1'].includes(value))
      .optional(),
  })
  .superRefine(municipalityInDepartment);
export type CsvRowInput = z.infer<typeof csvRowSchema>;

export const CSV_COLUMNS = Object.keys(csvRowSchema.shape);
