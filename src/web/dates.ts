import { TZDate, tz } from '@date-fns/tz';
import { format, type Locale } from 'date-fns';
import { enUS, es } from 'date-fns/locale';

/** Instants are stored in UTC and shown in Colombian time (SPEC: America/Bogota). */
export const TIME_ZONE = 'America/Bogota';

const LOCALES: Record<string, Locale> = { es, en: enUS };
const inBogota = tz(TIME_ZONE);

function localeOf(language: string): Locale {
  return LOCALES[language] ?? es;
}

/** `21 nov 2026, 9:30` (es) / `Nov 21, 2026, 9:30 AM` (en), in Bogotá time. */
export function formatDateTime(instant: Date | string, language: string): string {
  return format(new Date(instant), 'PPp', { in: inBogota, locale: localeOf(language) });
}

/** The day an instant falls on in Bogotá: `21 nov 2026`. */
export function formatDate(instant: Date | string, language: string): string {
  return format(new Date(instant), 'PP', { in: inBogota, locale: localeOf(language) });
}

/**
 * A calendar day with no time (a birth date, `YYYY-MM-DD`). It is not an instant, so no
 * time zone may move it: 1988-04-12 stays the 12th whatever the server's zone.
 */
export function formatCalendarDay(day: string, language: string): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return format(new TZDate(year, month - 1, date, TIME_ZONE), 'PP', { in: inBogota, locale: localeOf(language) });
}

/** The time of day in Bogotá on a 24-hour clock, `14:30`: how agendas and invitations print it. */
export function formatClockTime(instant: Date | string): string {
  return format(new Date(instant), 'HH:mm', { in: inBogota });
}

/** The day in full, `sábado, 21 de noviembre de 2026` (es), in Bogotá time. */
export function formatLongDate(instant: Date | string, language: string): string {
  return format(new Date(instant), 'PPPP', { in: inBogota, locale: localeOf(language) });
}
