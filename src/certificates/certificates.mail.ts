import type { TFunction } from 'i18next';

export interface CertificateMailContext {
  /** The holder's language and its translations (namespace `certificates`). */
  language: string;
  t: TFunction;
  recipientName: string;
  code: string;
  courseTitle: string;
  hours: number;
  /** The code this certificate replaces, when it is a re-issue. */
  replaces: string | null;
  /** The public verification page of the code, absolute. */
  verificationUrl: string;
  institutionName: string;
}

export interface CertificateMailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * The mail that carries a certificate (the PDF goes as its attachment): a few
 * paragraphs, as plain text and as the same paragraphs in HTML with the verification
 * address as a link. Short enough that no template is worth it.
 */
export function composeCertificateMail(context: CertificateMailContext): CertificateMailContent {
  const { t } = context;
  const facts = { course: context.courseTitle, count: context.hours, previous: context.replaces ?? '' };
  const subject = t(context.replaces ? 'mail.reissuedSubject' : 'mail.subject', facts);
  const paragraphs = [
    context.recipientName ? t('mail.greeting', { name: context.recipientName }) : t('mail.greetingNoName'),
    t(context.replaces ? 'mail.reissued' : 'mail.issued', facts),
    t('mail.code', { code: context.code }),
    t('mail.verify', { link: context.verificationUrl }),
    t('mail.download'),
    t('mail.signature', { institution: context.institutionName }),
  ];
  const link = `<a href="${escapeHtml(context.verificationUrl)}">${escapeHtml(context.verificationUrl)}</a>`;
  const html = paragraphs
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(escapeHtml(context.verificationUrl), link)}</p>`)
    .join('\n');
  return {
    subject,
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html>\n<html lang="${escapeHtml(context.language)}"><body>\n${html}\n</body></html>\n`,
  };
}
