import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { MAIL_STATUSES } from './notifications.model.js';

/**
 * What enters the module: mails other modules queue, and the admin outbox page's query
 * string. Caps keep a mail (with its attachments) well inside MongoDB's 16 MiB document.
 */
export const MAIL_LIMITS = {
  addressLength: 254,
  subjectLength: 300,
  textBytes: 1024 * 1024,
  htmlBytes: 2 * 1024 * 1024,
  attachmentCount: 10,
  attachmentsTotalBytes: 8 * 1024 * 1024,
  filenameLength: 200,
  idempotencyKeyLength: 200,
} as const;

const byteLength = (value: string): number => Buffer.byteLength(value, 'utf8');
/** A header value: CR or LF would let a value add headers of its own. */
const withoutLineBreaks = (value: string): boolean => !/[\r\n]/.test(value);

const attachmentSchema = z.strictObject({
  filename: z.string().trim().min(1).max(MAIL_LIMITS.filenameLength).refine(withoutLineBreaks, 'must be on one line'),
  content: z.instanceof(Buffer),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+(?:\s*;[^\r\n]*)?$/, 'must be a MIME type such as application/pdf'),
});

export const outgoingMailSchema = z.strictObject({
  to: z.email().max(MAIL_LIMITS.addressLength),
  subject: z.string().trim().min(1).max(MAIL_LIMITS.subjectLength).refine(withoutLineBreaks, 'must be on one line'),
  text: z.string().min(1).refine((text) => byteLength(text) <= MAIL_LIMITS.textBytes, 'is too long'),
  html: z
    .string()
    .min(1)
    .refine((html) => byteLength(html) <= MAIL_LIMITS.htmlBytes, 'is too long')
    .optional(),
  attachments: z
    .array(attachmentSchema)
    .max(MAIL_LIMITS.attachmentCount)
    .refine(
      (attachments) => attachments.reduce((total, { content }) => total + content.length, 0) <= MAIL_LIMITS.attachmentsTotalBytes,
      'are too large together',
    )
    .optional(),
  idempotencyKey: z.string().trim().min(1).max(MAIL_LIMITS.idempotencyKeyLength).optional(),
});

export type ValidMail = z.infer<typeof outgoingMailSchema>;

/** `?status=failed&cursor=…` on the outbox list. */
// The filter form sends `status=` for "all"; other parameters (`lang`) are ignored.
const emptyAsMissing = (value: unknown): unknown => (value === '' ? undefined : value);
export const outboxListQuerySchema = z.object({
  status: z.preprocess(emptyAsMissing, z.enum(MAIL_STATUSES).optional()),
  cursor: z.preprocess(emptyAsMissing, z.string().regex(/^\d{1,15}\.[0-9a-f]{24}$/, 'is not a valid page cursor').optional()),
});

export type OutboxListQuery = z.infer<typeof outboxListQuerySchema>;

/** Parses or throws `validation_failed` with `details.fields` (field path → message), as API.md asks. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown, what: string): z.infer<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    // An unknown field is reported under its own name, like any other field.
    const names = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => (path ? `${path}.${key}` : key)) : [path || '_'];
    for (const name of names) fields[name] ??= issue.code === 'unrecognized_keys' ? 'is not allowed' : issue.message;
  }
  throw new AppError('validation_failed', `The ${what} is not valid.`, { fields });
}
