import { TZDate } from '@date-fns/tz';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { territoryPicker } from '../accounts/index.js';
import { isAppError } from '../shared/errors.js';
import { formatClockTime } from '../web/dates.js';
import { fieldBuilder, type Choice, type FieldView, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, type FieldMessages, type FormValues } from '../web/form-input.js';
import { fieldErrors } from '../web/validate.js';
import { bogotaDayOf, SESSION_TIME_ZONE } from './holidays.js';
import { createSessionSchema, type CreateSessionInput, type UpdateSessionInput } from './live-sessions.schemas.js';
import type { LiveSessionView } from './live-sessions.service.js';
import { MAX_OCCURRENCES } from './recurrence.js';

/**
 * The schedule/edit form of a live session. People write a day and clock times in
 * Colombia, not instants: this turns them into the API's input (UTC instants) and the
 * API's field errors back into the form's fields. The agenda is a table of rows
 * (`agenda-<n>-time|topic|responsible`); empty rows are ignored, so the page works
 * with a fixed number of rows and no script. A new session may repeat (a few common
 * rhythms and a number of sessions, turned into the API's RRULE); an edit changes one
 * session only.
 */

const AGENDA_PARTS = ['time', 'topic', 'responsible'] as const;
type AgendaPart = (typeof AGENDA_PARTS)[number];

/**
 * Rows shown at first, added by "Añadir filas", and at most: 3 fields a row, and the
 * web shell's form parser takes 200 fields, the rest of the form included.
 */
export const AGENDA_ROWS = { initial: 6, added: 3, max: 40 } as const;

/** The value of the submit button that sends the form back with more agenda rows (no script needed). */
export const ADD_AGENDA_ROWS = 'addAgendaRows';

const MODALITIES = ['virtual', 'in_person', 'hybrid'] as const;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** How a new session may repeat, as the RRULE of the series without its COUNT (`none`: a single session). */
const REPETITIONS = {
  none: undefined,
  weekly: 'FREQ=WEEKLY',
  biweekly: 'FREQ=WEEKLY;INTERVAL=2',
  // recurrence.ts refuses a first session that is not itself an occurrence: this series may not start on a weekend.
  weekdays: 'FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR',
} as const;
type Repetition = keyof typeof REPETITIONS;
const REPETITION_CHOICES = Object.keys(REPETITIONS) as Repetition[];

/** The repetition fields: the number of sessions counts only when the session repeats. */
const repetitionSchema = z.discriminatedUnion('recurrence', [
  z.object({ recurrence: z.literal('none') }),
  z.object({
    recurrence: z.enum(['weekly', 'biweekly', 'weekdays']),
    sessionCount: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(2).max(MAX_OCCURRENCES)),
  }),
]);

const agendaFieldName = (row: number, part: AgendaPart): string => `agenda-${row}-${part}`;

export const SESSION_FORM_FIELDS: readonly string[] = [
  'title', 'date', 'startTime', 'endTime', 'recurrence', 'sessionCount', 'modality', 'meetingUrl', 'venue', 'departmentCode', 'municipalityCode', 'capacity', 'cohortId', 'agendaRows',
  ...Array.from({ length: AGENDA_ROWS.max }, (_, row) => AGENDA_PARTS.map((part) => agendaFieldName(row, part))).flat(),
];

const textOf = (values: FormValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value.trim() : undefined;
};

const isRowFilled = (values: FormValues, row: number): boolean => AGENDA_PARTS.some((part) => textOf(values, agendaFieldName(row, part)));

/** How many agenda rows to show: as many as before (`agendaRows`), and always one empty row after the last filled one. */
export function agendaRowCount(values: FormValues, extra = 0): number {
  let lastFilled = -1;
  for (let row = 0; row < AGENDA_ROWS.max; row += 1) if (isRowFilled(values, row)) lastFilled = row;
  const shown = Number(textOf(values, 'agendaRows'));
  const before = Number.isInteger(shown) && shown > 0 ? shown : AGENDA_ROWS.initial;
  return Math.min(AGENDA_ROWS.max, Math.max(before, lastFilled + 2) + extra);
}

/** A day and a clock time in Colombia as an instant; undefined when the day does not exist (2026-02-30). */
function bogotaInstant(day: string, time: string): Date | undefined {
  const [, year, month, date] = DAY.exec(day)?.map(Number) ?? [];
  const [, hours, minutes] = CLOCK_TIME.exec(time)?.map(Number) ?? [];
  if (year === undefined || month === undefined || date === undefined || hours === undefined || minutes === undefined) return undefined;
  const local = new TZDate(year, month - 1, date, hours, minutes, SESSION_TIME_ZONE);
  if (local.getFullYear() !== year || local.getMonth() !== month - 1 || local.getDate() !== date) return undefined;
  return new Date(local.getTime());
}

interface AgendaRowView {
  time: FieldView;
  topic: FieldView;
  responsible: FieldView;
}

interface SessionFormGroup {
  legend: string;
  hint?: string;
  fields: FieldView[];
  statusId?: string;
}

interface SessionFormView {
  groups: SessionFormGroup[];
  agenda: { rows: AgendaRowView[]; rowCount: number };
  /** Every field in page order, for the error summary. */
  fields: FieldView[];
}

/**
 * The form's fields with their labels; `cohorts` are the course's (the select is left out
 * when it has none). `canRepeat`: a new session, which may start a series ("No se repite"
 * chosen until another choice is made).
 */
export function sessionForm(t: TFunction, state: FormState, cohorts: readonly Choice[], rowCount: number, { canRepeat = false } = {}): SessionFormView {
  const field = fieldBuilder(canRepeat && state.values.recurrence === undefined ? { ...state, values: { ...state.values, recurrence: 'none' } } : state);
  const label = (name: string): string => t(`live-sessions:form.fields.${name}.label`);
  const hint = (name: string): string => t(`live-sessions:form.fields.${name}.hint`);
  const groups: SessionFormGroup[] = [
    {
      legend: t('live-sessions:form.groups.session'),
      fields: [field.input('title', { label: label('title'), hint: hint('title') })],
    },
    {
      legend: t('live-sessions:form.groups.when'),
      hint: t('live-sessions:form.groups.whenHint'),
      fields: [
        field.input('date', { label: label('date'), hint: hint('date'), type: 'date' }),
        field.input('startTime', { label: label('startTime'), hint: hint('startTime'), type: 'time' }),
        field.input('endTime', { label: label('endTime'), type: 'time' }),
      ],
    },
    ...(canRepeat
      ? [
          {
            legend: t('live-sessions:form.groups.repetition'),
            hint: t('live-sessions:form.groups.repetitionHint'),
            fields: [
              field.radios('recurrence', {
                label: label('recurrence'),
                choices: REPETITION_CHOICES.map((value) => ({ value, label: t(`live-sessions:form.repetition.${value}`) })),
              }),
              field.input('sessionCount', { label: label('sessionCount'), hint: t('live-sessions:form.fields.sessionCount.hint', { max: MAX_OCCURRENCES }), inputMode: 'numeric' }),
            ],
          },
        ]
      : []),
    {
      legend: t('live-sessions:form.groups.where'),
      fields: [
        field.radios('modality', { label: label('modality'), choices: MODALITIES.map((value) => ({ value, label: t(`live-sessions:modality.${value}`) })) }),
        field.input('meetingUrl', { label: label('meetingUrl'), hint: hint('meetingUrl'), type: 'url', spellcheck: false }),
        field.input('venue', { label: label('venue'), hint: hint('venue') }),
      ],
    },
    {
      legend: t('live-sessions:form.groups.place'),
      hint: t('live-sessions:form.groups.placeHint'),
      ...territoryPicker(t, state),
    },
    {
      legend: t('live-sessions:form.groups.who'),
      fields: [
        field.input('capacity', { label: label('capacity'), hint: hint('capacity'), inputMode: 'numeric', isOptional: true }),
        ...(cohorts.length > 0
          ? [field.select('cohortId', { label: label('cohortId'), hint: hint('cohortId'), choices: cohorts, placeholder: t('live-sessions:form.allEnrolled'), isOptional: true })]
          : []),
      ],
    },
  ];
  const rows = Array.from({ length: rowCount }, (_, row) => {
    const number = row + 1;
    const cell = (part: AgendaPart, type?: string): FieldView =>
      field.input(agendaFieldName(row, part), { label: t(`live-sessions:form.agenda.${part}Of`, { number }), ...(type ? { type } : {}) });
    return { time: cell('time', 'time'), topic: cell('topic'), responsible: cell('responsible') };
  });
  return {
    groups,
    agenda: { rows, rowCount },
    fields: [...groups.flatMap((group) => group.fields), ...rows.flatMap((row) => [row.time, row.topic, row.responsible])],
  };
}

/** What the form edits of a session. */
type EditableSession = Pick<LiveSessionView, 'title' | 'startsAt' | 'endsAt' | 'modality' | 'meetingUrl' | 'venue' | 'municipalityCode' | 'capacity' | 'cohortId' | 'agenda'>;

/** A stored session as the form's values (the edit form). */
export function sessionValues(session: EditableSession): FormValues {
  const values: FormValues = {
    title: session.title,
    date: bogotaDayOf(new Date(session.startsAt)),
    startTime: formatClockTime(session.startsAt),
    endTime: formatClockTime(session.endsAt),
    modality: session.modality,
  };
  if (session.meetingUrl) values.meetingUrl = session.meetingUrl;
  if (session.venue) values.venue = session.venue;
  if (session.municipalityCode) {
    values.municipalityCode = session.municipalityCode;
    // DIVIPOLA municipality codes start with their department's two digits.
    values.departmentCode = session.municipalityCode.slice(0, 2);
  }
  if (session.capacity !== null) values.capacity = String(session.capacity);
  if (session.cohortId) values.cohortId = session.cohortId;
  session.agenda.forEach((item, row) => {
    values[agendaFieldName(row, 'time')] = formatClockTime(item.startsAt);
    values[agendaFieldName(row, 'topic')] = item.topic;
    values[agendaFieldName(row, 'responsible')] = item.responsible;
  });
  return values;
}

/** The agenda rows that were filled in, by their position among the items sent (the API's `agenda.<n>`). */
type AgendaRowsSent = readonly number[];

type SessionFormResult = { input: CreateSessionInput; rowsSent: AgendaRowsSent } | { errors: FieldMessages; rowsSent: AgendaRowsSent };

/** The form's field for a field path of the API (`endsAt`, `agenda.2.startsAt`). */
function formFieldOf(path: string, rowsSent: AgendaRowsSent): string {
  const agenda = /^agenda\.(\d+)\.(startsAt|topic|responsible)$/.exec(path);
  if (agenda) {
    const row = rowsSent[Number(agenda[1])] ?? Number(agenda[1]);
    return agendaFieldName(row, agenda[2] === 'startsAt' ? 'time' : (agenda[2] as AgendaPart));
  }
  if (path === 'startsAt') return 'date';
  if (path === 'endsAt') return 'endTime';
  return path;
}

/**
 * The form's text as the API's input, checked with the API's own schema; the rules
 * between fields (end after start, what each modality needs) are the service's. What
 * a modality does not use is dropped, so that a venue typed before switching to
 * "virtual" is not kept out of sight. With `canRepeat` (a new session), the repetition
 * chosen becomes the input's `recurrence` (`FREQ=WEEKLY;COUNT=6`); without a choice, or
 * with "No se repite", the number of sessions is ignored and one session is scheduled.
 */
export function sessionInputOf(t: TFunction, values: FormValues, { canRepeat = false } = {}): SessionFormResult {
  const errors: FieldMessages = {};
  const text = (name: string): string | undefined => textOf(values, name) || undefined;
  const required = t('validation.required');

  const day = text('date');
  if (!day) errors.date = required;
  else if (!bogotaInstant(day, '00:00')) errors.date = t('live-sessions:form.errors.date');
  const instantAt = (name: string): string | undefined => {
    const time = text(name);
    if (!time) errors[name] = required;
    else if (!CLOCK_TIME.test(time)) errors[name] = t('live-sessions:form.errors.time');
    else if (day && !errors.date) return bogotaInstant(day, time)?.toISOString();
    return undefined;
  };
  const startsAt = instantAt('startTime');
  const endsAt = instantAt('endTime');

  const capacityText = text('capacity');
  if (capacityText !== undefined && !/^\d+$/.test(capacityText)) errors.capacity = t('live-sessions:form.errors.capacity');

  const rowsSent: number[] = [];
  const agenda: Array<{ startsAt: string | undefined; topic: string | undefined; responsible: string | undefined }> = [];
  for (let row = 0; row < AGENDA_ROWS.max; row += 1) {
    if (!isRowFilled(values, row)) continue;
    const name = (part: AgendaPart): string => agendaFieldName(row, part);
    const topic = text(name('topic'));
    const responsible = text(name('responsible'));
    if (!topic) errors[name('topic')] = required;
    if (!responsible) errors[name('responsible')] = required;
    rowsSent.push(row);
    agenda.push({ startsAt: instantAt(name('time')), topic, responsible });
  }

  let recurrence: string | undefined;
  if (canRepeat) {
    const repetition = repetitionSchema.safeParse({ recurrence: text('recurrence') ?? 'none', sessionCount: text('sessionCount') });
    if (repetition.success) {
      const rule = REPETITIONS[repetition.data.recurrence];
      if (rule && 'sessionCount' in repetition.data) recurrence = `${rule};COUNT=${repetition.data.sessionCount}`;
    } else {
      for (const path of Object.keys(fieldErrors(repetition.error, t))) {
        if (path === 'sessionCount') {
          // zod words a number's bounds as text lengths; a missing number is simply required.
          errors.sessionCount = text('sessionCount') ? t('live-sessions:form.errors.sessionCount', { max: MAX_OCCURRENCES }) : required;
        } else {
          errors.recurrence = t('validation.invalidChoice');
        }
      }
    }
  }

  const modality = text('modality');
  const candidate = {
    title: text('title'),
    startsAt,
    endsAt,
    modality,
    meetingUrl: modality === 'in_person' ? undefined : text('meetingUrl'),
    venue: modality === 'virtual' ? undefined : text('venue'),
    municipalityCode: modality === 'virtual' ? undefined : text('municipalityCode'),
    capacity: capacityText !== undefined && !errors.capacity ? Number(capacityText) : undefined,
    cohortId: text('cohortId'),
    agenda,
    recurrence,
  };
  const parsed = createSessionSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const [path, message] of Object.entries(fieldErrors(parsed.error, t))) {
      // Instants are built only from valid days and times; a missing one is already explained above.
      if (/(^|\.)(startsAt|endsAt)$/.test(path)) continue;
      // zod words a number's bounds as text lengths ("at least 1 character").
      errors[formFieldOf(path, rowsSent)] ??= path === 'capacity' ? t('live-sessions:form.errors.capacity') : message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { errors, rowsSent };
  return { input: parsed.data, rowsSent };
}

/** What an edit changes, field by field: the service holds a PATCH that does not move the session to fewer rules. */
export function changesOf(current: EditableSession, input: CreateSessionInput): UpdateSessionInput {
  const changes: UpdateSessionInput = {};
  if (input.title !== current.title) changes.title = input.title;
  if (input.startsAt.getTime() !== Date.parse(current.startsAt)) changes.startsAt = input.startsAt;
  if (input.endsAt.getTime() !== Date.parse(current.endsAt)) changes.endsAt = input.endsAt;
  if (input.modality !== current.modality) changes.modality = input.modality;
  if ((input.meetingUrl ?? null) !== current.meetingUrl) changes.meetingUrl = input.meetingUrl ?? null;
  if ((input.venue ?? null) !== current.venue) changes.venue = input.venue ?? null;
  if ((input.municipalityCode ?? null) !== current.municipalityCode) changes.municipalityCode = input.municipalityCode ?? null;
  if ((input.capacity ?? null) !== current.capacity) changes.capacity = input.capacity ?? null;
  if ((input.cohortId ?? null) !== current.cohortId) changes.cohortId = input.cohortId ?? null;
  const agendaKey = (items: ReadonlyArray<{ startsAt: Date | string; topic: string; responsible: string }>): string =>
    JSON.stringify(items.map((item) => [new Date(item.startsAt).getTime(), item.topic, item.responsible]).sort());
  if (agendaKey(input.agenda ?? []) !== agendaKey(current.agenda)) changes.agenda = input.agenda ?? [];
  return changes;
}

/** Conflicts of scheduling that the form explains, by `details.reason`, with the field they concern (if any). */
const CONFLICTS: Record<string, string | undefined> = { overlap: 'startTime', busy: undefined, changed: undefined };

/**
 * A refusal from the service as messages on the form's fields: its field errors, or a
 * scheduling conflict (double booking, a busy calendar, an edit that crossed another).
 * Anything else is not the form's business and is thrown on. `isSeries`: a series was
 * asked for, so an overlap may be any of its sessions'.
 */
export function refusalMessagesOf(error: unknown, t: TFunction, rowsSent: AgendaRowsSent, { isSeries = false } = {}): FieldMessages {
  const reason = isAppError(error) && error.code === 'conflict' ? error.details?.reason : undefined;
  if (typeof reason === 'string' && reason in CONFLICTS) {
    return { [CONFLICTS[reason] ?? '_']: t(`live-sessions:form.conflict.${reason === 'overlap' && isSeries ? 'overlapSeries' : reason}`) };
  }
  const messages = Object.fromEntries(Object.entries(fieldMessagesOf(error, t)).map(([path, message]) => [formFieldOf(path, rowsSent), message]));
  // The API's wording speaks of RRULEs; from the form, a rule is "invalid" only when the first day is not one of its days (weekdays from a Saturday).
  const fields = isAppError(error) ? (error.details?.fields as Record<string, unknown> | undefined) : undefined;
  if (fields?.recurrence === 'validation.recurrenceInvalid') messages.recurrence = t('live-sessions:form.errors.recurrenceStart');
  return messages;
}
