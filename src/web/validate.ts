import type { TFunction } from 'i18next';
import type { z } from 'zod';
import { AppError } from '../shared/errors.js';

/**
 * Validation at the edge: a zod schema either gives typed input or an AppError
 * `validation_failed` whose `details.fields` maps each field to a message in the
 * reader's language. Schemas carry i18n keys as messages; zod's own issues are
 * translated by their code.
 */

type Issue = z.core.$ZodIssue;

function messageOf(issue: Issue, t: TFunction): string {
  if (issue.message.startsWith('validation.')) {
    return t(issue.message, { max: (issue as { maximum?: unknown }).maximum, min: (issue as { minimum?: unknown }).minimum });
  }
  switch (issue.code) {
    case 'invalid_type':
      // zod does not keep the input in issues; its message says what it received.
      return /received undefined/.test(issue.message) ? t('validation.required') : t('validation.invalidType');
    case 'invalid_value':
      return t('validation.invalidChoice');
    case 'unrecognized_keys':
      return t('validation.unknownField');
    case 'too_big':
      return t('validation.tooLong', { max: issue.maximum });
    case 'too_small':
      return issue.input === '' ? t('validation.required') : t('validation.tooShort', { min: issue.minimum });
    case 'invalid_format':
      return t('validation.invalidFormat');
    default:
      return t('validation.invalid');
  }
}

/** Field path → message (the first issue of each field); unknown keys are listed one by one. */
export function fieldErrors(error: z.ZodError, t: TFunction): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[[...issue.path, key].join('.')] ??= messageOf(issue, t);
      continue;
    }
    const path = issue.path.length > 0 ? issue.path.join('.') : '_';
    fields[path] ??= messageOf(issue, t);
  }
  return fields;
}

export function validationError(error: z.ZodError, t: TFunction): AppError {
  return new AppError('validation_failed', t('validation.failed'), { fields: fieldErrors(error, t) });
}

/** Parses `input` with `schema` or throws validation_failed. A body that is not an object fails too. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, t: TFunction): z.infer<Schema> {
  const result = schema.safeParse(input === undefined ? {} : input);
  if (!result.success) throw validationError(result.error, t);
  return result.data;
}
