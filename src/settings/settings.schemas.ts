import { z } from 'zod';

/**
 * What enters the institution settings: the facts printed on every certificate. The
 * messages are i18n keys of the shared catalogue (web/locales), translated at the edge.
 */

export const institutionSchema = z.strictObject({
  name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
  city: z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong'),
});

export type InstitutionInput = z.infer<typeof institutionSchema>;

/**
 * Limits for the logo. It prints about 2 cm wide on the certificate and is embedded as
 * uploaded (JPEGs cannot be shrunk on the way), so its bytes land in every PDF: 200 KB
 * keeps a certificate near the 100 KB aim (a 1,500 px PNG logo alone made one
 * of 77 KB), and a tiny one prints blurred.
 */
export const LOGO_LIMITS = {
  maxBytes: 200 * 1024,
  minSide: 16,
  maxSide: 1200,
} as const;
