import { randomInt } from 'node:crypto';

/**
 * Verification codes: `CAP-XXXX-XXXX`, eight characters of Crockford's base 32 (digits
 * and letters without I, L, O, U), so 32^8 = 2^40 codes drawn at random with the
 * system's CSPRNG: at least 40 bits, as the issue asks, and nothing to derive them from.
 * People type them from paper, so reading forgives case, spaces, missing dashes and the
 * letters Crockford maps to digits (O → 0, I and L → 1).
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_PATTERN = /^CAP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

export function newCertificateCode(): string {
  const characters = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]!);
  return `CAP-${characters.slice(0, 4).join('')}-${characters.slice(4).join('')}`;
}

/** The code as stored, from what a person typed or a QR code carried; undefined when it cannot be one. */
export function normalizeCertificateCode(typed: string): string | undefined {
  const compact = typed
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/^CAP/, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (compact.length !== 8) return undefined;
  const code = `CAP-${compact.slice(0, 4)}-${compact.slice(4)}`;
  return CODE_PATTERN.test(code) ? code : undefined;
}
