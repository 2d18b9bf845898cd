import { departmentName, municipalityName } from '../territories/index.js';

/**
 * Where an in-person or hybrid session happens, as people write it: `Casa de la Cultura,
 * Pasto (Nariño)`. DIVIPOLA municipality codes start with their department's two digits.
 */
export function placeOf(session: { venue: string | null; municipalityCode: string | null }): string | null {
  const code = session.municipalityCode;
  const town = code ? municipalityName(code) : undefined;
  const department = code ? departmentName(code.slice(0, 2)) : undefined;
  const locality = town ? (department ? `${town} (${department})` : town) : null;
  const parts = [session.venue, locality].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(', ') : null;
}
