import { Schema, type Connection, type Types } from 'mongoose';

/**
 * A certificate as issued: everything printed on it is a snapshot taken at issuance
 * (holder, course, signatories, institution, city), so the PDF can be rendered again
 * identically years later, and a re-issue is the way to print corrected facts.
 *
 * Two sparse unique keys make issuance safe without check-then-insert:
 * - `autoIssueKey` (`<userId>:<courseSlug>`) is set only on the certificate issued
 *   automatically on completion and never removed: however many times the completion
 *   is announced, concurrently or after a crash, one certificate is issued, ever
 *   (a revoked one is not silently re-issued).
 * - `currentKey` (the same value) is held by the valid certificate of a person and
 *   course and removed when it is revoked: at most one valid certificate each.
 */
export type CertificateStatus = 'valid' | 'revoked';
export type IssueReason = 'completion' | 'manual' | 'reissue';

export interface StoredCertificate {
  _id: Types.ObjectId;
  code: string;
  userId: Types.ObjectId;
  courseSlug: string;
  enrollmentId: Types.ObjectId | null;
  cohortId: Types.ObjectId | null;
  status: CertificateStatus;
  autoIssueKey?: string;
  currentKey?: string;
  holder: { fullName: string; documentType: string; documentNumber: string };
  course: { title: string; hours: number };
  signatories: Array<{ name: string; role: string; signature?: string }>;
  institutionName: string;
  city: string;
  completedAt: Date;
  issuedAt: Date;
  issueReason: IssueReason;
  /** Who issued it by hand (manual issuance or re-issue), with why: the audit record. */
  issuedBy: Types.ObjectId | null;
  issueNote: string | null;
  replaces: string | null;
  replacedBy: string | null;
  revokedAt: Date | null;
  revokedBy: Types.ObjectId | null;
  revokedReason: string | null;
  /** Until the mail with the PDF is queued (a job finishes what a crash left). */
  mailPending: boolean;
  /** Holder name, document number and code, lower-case without accents: what the managers' search matches. */
  searchText: string;
}

const certificateSchema = new Schema(
  {
    code: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    courseSlug: { type: String, required: true },
    enrollmentId: { type: Schema.Types.ObjectId, default: null },
    cohortId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: ['valid', 'revoked'], required: true },
    autoIssueKey: { type: String },
    currentKey: { type: String },
    holder: {
      type: new Schema({ fullName: String, documentType: String, documentNumber: String }, { _id: false }),
      required: true,
    },
    course: { type: new Schema({ title: String, hours: Number }, { _id: false }), required: true },
    signatories: { type: [new Schema({ name: String, role: String, signature: String }, { _id: false })], default: [] },
    institutionName: { type: String, required: true },
    city: { type: String, required: true },
    completedAt: { type: Date, required: true },
    issuedAt: { type: Date, required: true },
    issueReason: { type: String, enum: ['completion', 'manual', 'reissue'], required: true },
    issuedBy: { type: Schema.Types.ObjectId, default: null },
    issueNote: { type: String, default: null },
    replaces: { type: String, default: null },
    replacedBy: { type: String, default: null },
    revokedAt: { type: Date, default: null },
    revokedBy: { type: Schema.Types.ObjectId, default: null },
    revokedReason: { type: String, default: null },
    mailPending: { type: Boolean, default: false },
    searchText: { type: String, required: true },
  },
  { collection: 'certificates', versionKey: false },
);
certificateSchema.index({ code: 1 }, { unique: true });
certificateSchema.index({ autoIssueKey: 1 }, { unique: true, sparse: true });
certificateSchema.index({ currentKey: 1 }, { unique: true, sparse: true });
certificateSchema.index({ userId: 1, issuedAt: -1 });
certificateSchema.index({ courseSlug: 1, issuedAt: -1 });
certificateSchema.index({ mailPending: 1, issuedAt: 1 });
// The managers' list, newest first, whole programme or one cohort. The name search is a
// substring match on searchText, which no index serves: it scans what these narrow to.
certificateSchema.index({ issuedAt: -1, _id: -1 });
certificateSchema.index({ cohortId: 1, issuedAt: -1 });

const compile = (connection: Connection) => connection.model('Certificate', certificateSchema);
export type CertificateModel = ReturnType<typeof compile>;

export function certificateModel(connection: Connection): CertificateModel {
  return (connection.models.Certificate as CertificateModel | undefined) ?? compile(connection);
}
