/** Age bands of the participation reports (API.md, "Statistics"). */
export const AGE_BANDS = ['<18', '18-28', '29-40', '41-59', '60+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Whole years between a birth date and a day, as people count birthdays. */
export function ageOn(birthDate: Date, on: Date): number {
  let age = on.getUTCFullYear() - birthDate.getUTCFullYear();
  const hadBirthday =
    on.getUTCMonth() > birthDate.getUTCMonth() ||
    (on.getUTCMonth() === birthDate.getUTCMonth() && on.getUTCDate() >= birthDate.getUTCDate());
  if (!hadBirthday) age -= 1;
  return age;
}

export function ageBandOf(birthDate: Date, on: Date): AgeBand {
  const age = ageOn(birthDate, on);
  if (age < 18) return '<18';
  if (age <= 28) return '18-28';
  if (age <= 40) return '29-40';
  if (age <= 59) return '41-59';
  return '60+';
}
