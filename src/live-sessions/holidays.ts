import { TZDate } from '@date-fns/tz';
import { getHolidaysForYear } from 'colombian-holidays';

export const SESSION_TIME_ZONE = 'America/Bogota';

/** The calendar day (YYYY-MM-DD) an instant falls on in Colombia. */
export function bogotaDayOf(instant: Date): string {
  const local = new TZDate(instant.getTime(), SESSION_TIME_ZONE);
  return `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
}

/**
 * The Colombian public holidays (as observed: "Ley Emiliani" moves many to Monday) on
 * the days a session spans, by their Spanish name. A holiday is a warning, not a refusal:
 * some programmes do meet on holidays.
 */
export function holidaysDuring(startsAt: Date, endsAt: Date): string[] {
  const days = new Set([bogotaDayOf(startsAt), bogotaDayOf(new Date(endsAt.getTime() - 1))]);
  const names: string[] = [];
  for (const year of new Set([...days].map((day) => Number(day.slice(0, 4))))) {
    for (const holiday of getHolidaysForYear(year)) {
      if (days.has(holiday.celebrationDate)) names.push(holiday.name.es);
    }
  }
  return names;
}
