/**
 * Certificates: issued once per person and course when an enrollment completes (or by a
 * manager), mailed as a PDF, verified publicly by code, revoked and re-issued by
 * managers. See README.md.
 */
export {
  createCertificatesService,
  type CertificatesService,
  type CertificatesDependencies,
  type CertificateSummary,
  type CertificateVerification,
  type CertificateRecord,
  type CertificateFile,
  type Institution,
  searchableText,
} from './certificates.service.js';
export { newCertificateCode } from './certificate-code.js';
export { certificatesApiRouter } from './certificates.api.js';
export { certificateLinks, certificatePagesRouter } from './certificates.web.js';
export { certificateAdminPagesRouter, type CertificateAdminPagesDependencies } from './certificates-admin.web.js';
export type { ManualIssueInput, CertificateListQuery } from './certificates.schemas.js';
