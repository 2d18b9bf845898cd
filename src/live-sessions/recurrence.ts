import { TZDate } from '@date-fns/tz';
import rrulePackage from 'rrule';
import { SESSION_TIME_ZONE } from './holidays.js';

// rrule ships CommonJS whose named exports Node's ESM loader cannot see.
const { rrulestr } = rrulePackage;

/** A series is at most a year of weekly sessions; longer runs are scheduled in parts. */
export const MAX_OCCURRENCES = 52;
const FREQUENCIES = new Set(['DAILY', 'WEEKLY', 'MONTHLY']);

/** Why a recurrence rule was refused, as an i18n key under `validation.`. */
export class RecurrenceError extends Error {
  constructor(readonly key: 'recurrenceInvalid' | 'recurrenceUnbounded' | 'recurrenceTooLong' | 'recurrenceSingle') {
    super(key);
  }
}

/** The wall-clock time of an instant in Bogotá, written as if it were UTC (what rrule computes on). */
function wallClockOf(instant: Date): Date {
  const local = new TZDate(instant.getTime(), SESSION_TIME_ZONE);
  return new Date(Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds()));
}

/** The instant a Bogotá wall-clock time (written as UTC) stands for. */
function instantOf(wallClock: Date): Date {
  return new Date(
    new TZDate(
      wallClock.getUTCFullYear(),
      wallClock.getUTCMonth(),
      wallClock.getUTCDate(),
      wallClock.getUTCHours(),
      wallClock.getUTCMinutes(),
      wallClock.getUTCSeconds(),
      SESSION_TIME_ZONE,
    ).getTime(),
  );
}

/**
 * The start instants of a series: an RFC 5545 RRULE (`FREQ=WEEKLY;COUNT=6`, with or
 * without the `RRULE:` prefix, no DTSTART) applied from `firstStart`, which is the first
 * occurrence. The rule is evaluated on Bogotá wall-clock time, so "every Tuesday at
 * 19:00" stays on Tuesday in Colombia even where 19:00 there is already Wednesday in UTC.
 * The series must end (COUNT or UNTIL) and hold 2 to MAX_OCCURRENCES sessions.
 */
export function occurrencesOf(rule: string, firstStart: Date): Date[] {
  const text = rule.trim().replace(/^RRULE:/i, '');
  if (/DTSTART|\n/i.test(text)) throw new RecurrenceError('recurrenceInvalid');
  let parsed: ReturnType<typeof rrulestr>;
  try {
    parsed = rrulestr(`RRULE:${text}`, { dtstart: wallClockOf(firstStart) });
  } catch {
    throw new RecurrenceError('recurrenceInvalid');
  }
  const frequency = /FREQ=([A-Z]+)/i.exec(text)?.[1]?.toUpperCase();
  if (!frequency || !FREQUENCIES.has(frequency)) throw new RecurrenceError('recurrenceInvalid');
  if (!/(?:^|;)(COUNT|UNTIL)=/i.test(text)) throw new RecurrenceError('recurrenceUnbounded');
  // One more than allowed is enough to know the rule asks for too many.
  const starts = parsed.all((_date, index) => index <= MAX_OCCURRENCES).map(instantOf);
  if (starts.length > MAX_OCCURRENCES) throw new RecurrenceError('recurrenceTooLong');
  // The first start must itself be an occurrence: a rule "on Tuesdays" from a Monday would silently move it.
  if (starts.length < 2 || starts[0]!.getTime() !== firstStart.getTime()) throw new RecurrenceError(starts.length < 2 ? 'recurrenceSingle' : 'recurrenceInvalid');
  return starts;
}
