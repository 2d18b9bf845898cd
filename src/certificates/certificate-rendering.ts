import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import { es } from 'date-fns/locale';
import type { i18n } from 'i18next';
import type { Logger } from '../shared/logger.js';
import { TIME_ZONE } from '../web/dates.js';
import type { StoredCertificate } from './certificate.model.js';
import { renderCertificatePdf } from './certificate.pdf.js';
import type { Institution } from './certificates.service.js';

/**
 * From a stored certificate to its PDF: the one path every PDF takes (download, mail,
 * ZIP export), so that they all print the same.
 */

export interface RenderingDependencies {
  institution(): Promise<Institution>;
  i18n: i18n;
  /** The public address: verification URLs start with it. */
  baseUrl: string;
  /** Where the course folders are: signature images are read from them. */
  coursesDir: string;
  logger: Logger;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

/** The completion date as printed: `21 de noviembre de 2026`, the day in Colombia. */
const printedDay = (instant: Date): string => format(instant, "d 'de' MMMM 'de' yyyy", { in: tz(TIME_ZONE), locale: es });

/** What the QR code on a certificate opens. */
export const verificationUrl = (baseUrl: string, code: string): string => `${baseUrl}/verify/${code}`;

export function certificateRenderer(deps: RenderingDependencies): (certificate: StoredCertificate) => Promise<Buffer> {
  const inSpanish = deps.i18n.getFixedT('es');

  /** A signature image from the course folder, if it is there and really a PNG or JPEG (pdfkit reads nothing else). */
  async function signatureImage(courseSlug: string, signature: string | undefined): Promise<Buffer | null> {
    if (!signature) return null;
    const folder = resolve(deps.coursesDir, courseSlug);
    const file = resolve(folder, signature);
    if (!file.startsWith(`${folder}${sep}`)) return null;
    try {
      const bytes = await readFile(file);
      const isImage = bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) || bytes.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE);
      return isImage ? bytes : null;
    } catch (error) {
      // A missing file prints an unsigned line rather than no certificate at all.
      deps.logger.warn({ err: error, courseSlug, signature }, 'signature image not readable');
      return null;
    }
  }

  /** The PDF, rendered from the stored snapshot; only the logo and signature images are read anew. */
  return async function renderPdf(certificate: StoredCertificate): Promise<Buffer> {
    const [institution, signatureImages] = await Promise.all([
      deps.institution(),
      Promise.all(certificate.signatories.map((signatory) => signatureImage(certificate.courseSlug, signatory.signature))),
    ]);
    const { documentType } = certificate.holder;
    return renderCertificatePdf({
      code: certificate.code,
      verificationUrl: verificationUrl(deps.baseUrl, certificate.code),
      holder: {
        fullName: certificate.holder.fullName,
        documentTypeLabel: documentType ? inSpanish(`accounts:enums.documentType.${documentType}`) : '',
        documentNumber: certificate.holder.documentNumber,
      },
      course: certificate.course,
      completedOn: printedDay(certificate.completedAt),
      city: certificate.city,
      institution: { name: certificate.institutionName, logo: institution.logo },
      signatories: certificate.signatories.map((signatory, index) => ({ name: signatory.name, role: signatory.role, signatureImage: signatureImages[index] ?? null })),
      issuedAt: certificate.issuedAt,
    });
  };
}
