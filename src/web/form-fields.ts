import type { FieldMessages, FormValues } from './form-input.js';

/**
 * View models for form fields, built by the route with translated labels, so that the
 * templates only lay them out (views/partials/form/field.ejs). Each field knows the ids
 * that tie its label, hint and error message together (aria-describedby), and the error
 * summary links to the control that needs fixing (the GOV.UK pattern).
 */

export interface OptionView {
  value: string;
  label: string;
  isSelected: boolean;
}

interface FieldCommon {
  name: string;
  /** The control's id (the first option's, for radios and checkboxes): the error summary links here. */
  id: string;
  label: string;
  hint?: string;
  hintId: string;
  error?: string;
  errorId: string;
  /** hint and error ids, space-separated, for aria-describedby. */
  describedBy: string;
  isOptional: boolean;
  /** data-* attributes for the page's script (without the `data-` prefix). */
  data: Record<string, string>;
}

export type FieldView = FieldCommon &
  (
    | { kind: 'input'; type: string; value: string; autocomplete?: string; inputMode?: string; spellcheck?: boolean; accept?: string }
    | { kind: 'textarea'; value: string; rows: number }
    | { kind: 'select'; options: OptionView[]; placeholder?: string; autocomplete?: string; button?: { name: string; value: string; label: string; id: string } }
    | { kind: 'radios'; options: OptionView[] }
    | { kind: 'checkboxes'; options: OptionView[] }
    | { kind: 'checkbox'; value: string; isChecked: boolean; link?: { href: string; text: string } }
  );

export interface Choice {
  value: string;
  label: string;
}

interface FieldSpec {
  label: string;
  hint?: string;
  isOptional?: boolean;
  data?: Record<string, string>;
}

export interface FormState {
  values: FormValues;
  errors: FieldMessages;
}

export function emptyForm(values: FormValues = {}): FormState {
  return { values, errors: {} };
}

export function fieldBuilder({ values, errors }: FormState) {
  const text = (name: string): string => {
    const value = values[name];
    return typeof value === 'string' ? value : '';
  };
  const selected = (name: string): string[] => {
    const value = values[name];
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
  };
  const common = (name: string, spec: FieldSpec): FieldCommon => {
    const id = `field-${name}`;
    const hintId = `${id}-hint`;
    const errorId = `${id}-error`;
    const error = errors[name];
    return {
      name,
      id,
      label: spec.label,
      ...(spec.hint ? { hint: spec.hint } : {}),
      hintId,
      ...(error ? { error } : {}),
      errorId,
      describedBy: [spec.hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' '),
      isOptional: spec.isOptional ?? false,
      data: spec.data ?? {},
    };
  };
  const options = (name: string, choices: readonly Choice[]): OptionView[] => {
    const chosen = selected(name);
    return choices.map((choice) => ({ ...choice, isSelected: chosen.includes(choice.value) }));
  };

  return {
    input(name: string, spec: FieldSpec & { type?: string; autocomplete?: string; inputMode?: string; spellcheck?: boolean; accept?: string }): FieldView {
      const type = spec.type ?? 'text';
      return {
        ...common(name, spec),
        kind: 'input',
        type,
        // Passwords are never sent back to the browser; a file cannot be.
        value: type === 'password' || type === 'file' ? '' : text(name),
        ...(spec.accept ? { accept: spec.accept } : {}),
        ...(spec.autocomplete ? { autocomplete: spec.autocomplete } : {}),
        ...(spec.inputMode ? { inputMode: spec.inputMode } : {}),
        ...(spec.spellcheck === false ? { spellcheck: false } : {}),
      };
    },
    textarea(name: string, spec: FieldSpec & { rows?: number }): FieldView {
      return { ...common(name, spec), kind: 'textarea', value: text(name), rows: spec.rows ?? 6 };
    },
    select(
      name: string,
      spec: FieldSpec & { choices: readonly Choice[]; placeholder?: string; autocomplete?: string; button?: { value: string; label: string } },
    ): FieldView {
      const field = common(name, spec);
      return {
        ...field,
        kind: 'select',
        options: options(name, spec.choices),
        ...(spec.placeholder ? { placeholder: spec.placeholder } : {}),
        ...(spec.autocomplete ? { autocomplete: spec.autocomplete } : {}),
        ...(spec.button ? { button: { name: 'action', ...spec.button, id: `${field.id}-button` } } : {}),
      };
    },
    radios(name: string, spec: FieldSpec & { choices: readonly Choice[] }): FieldView {
      return { ...common(name, spec), kind: 'radios', options: options(name, spec.choices) };
    },
    checkboxes(name: string, spec: FieldSpec & { choices: readonly Choice[] }): FieldView {
      return { ...common(name, spec), kind: 'checkboxes', options: options(name, spec.choices) };
    },
    checkbox(name: string, spec: FieldSpec & { value?: string; link?: { href: string; text: string } }): FieldView {
      const value = spec.value ?? 'yes';
      return {
        ...common(name, spec),
        kind: 'checkbox',
        value,
        isChecked: selected(name).includes(value),
        ...(spec.link ? { link: spec.link } : {}),
      };
    },
  };
}

export interface ErrorSummaryItem {
  text: string;
  href?: string;
}

/**
 * The messages for the box at the top of a refused form, in the order of the fields on
 * the page; a message about something that is not a field comes first, without a link.
 */
export function errorSummary(errors: FieldMessages, fields: readonly FieldView[]): ErrorSummaryItem[] {
  const byName = new Map(fields.map((field) => [field.name, field]));
  const loose = Object.entries(errors)
    .filter(([name]) => !byName.has(name))
    .map(([, text]) => ({ text }));
  // "Email address: This field is required." — the summary is read out of context.
  const tied = fields.filter((field) => field.error).map((field) => ({ text: `${field.label}: ${field.error!}`, href: `#${field.id}` }));
  return [...loose, ...tied];
}
