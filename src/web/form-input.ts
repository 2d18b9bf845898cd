import type { TFunction } from 'i18next';
import { isAppError } from '../shared/errors.js';

/**
 * Reading HTML forms (urlencoded, flat). Only the named fields are taken — `_csrf`,
 * button values and anything a tampered form adds are left behind — and only as text
 * or lists of text. Empty text counts as not given: optional fields stay unset and
 * required ones get the "required" message from the shared zod schemas.
 */
export type FormValues = Record<string, string | string[] | undefined>;
export type FieldMessages = Record<string, string>;

export function readForm(body: unknown, names: readonly string[]): Record<string, string | string[]> {
  const source = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const values: Record<string, string | string[]> = {};
  for (const name of names) {
    const value = source[name];
    if (typeof value === 'string') {
      if (value.trim() !== '') values[name] = value;
    } else if (Array.isArray(value)) {
      values[name] = value.filter((item): item is string => typeof item === 'string' && item !== '');
    }
  }
  return values;
}

/** A form field that holds a list (checkboxes): always an array. */
export function listValue(values: FormValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** One text field of a form, as sent (hidden fields such as `next` or `token`); '' when absent. */
export function formText(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** Which submit button was pressed, when a form has more than one. */
export function pressedButton(body: unknown): string | undefined {
  return formText(body, 'action') || undefined;
}

/**
 * The per-field messages of a refused form (zod validation, or a service's conflict such
 * as "email taken"), in the reader's language. Any other error is not the form's
 * business and is thrown on to the error page.
 */
export function fieldMessagesOf(error: unknown, t: TFunction): FieldMessages {
  const fields = isAppError(error) && (error.code === 'validation_failed' || error.code === 'conflict') ? error.details?.fields : undefined;
  if (!fields || typeof fields !== 'object') throw error;
  return Object.fromEntries(
    Object.entries(fields as Record<string, unknown>).map(([field, message]) => [
      field,
      typeof message === 'string' && message.startsWith('validation.') ? t(message) : String(message),
    ]),
  );
}
