import type { i18n } from 'i18next';
import { Types, type Connection } from 'mongoose';
import type { Contact, Profile } from '../accounts/index.js';
import type { CourseView, CoursesService } from '../courses/index.js';
import type { EnrollmentsService } from '../enrollments/index.js';
import type { PeriodicJob } from '../jobs/index.js';
import type { Mailer } from '../notifications/index.js';
import type { RateLimiter } from '../rate-limits/index.js';
import { can, ensureAllowed, type Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { DomainEvents } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import { newCertificateCode, normalizeCertificateCode } from './certificate-code.js';
import { certificateModel, type CertificateStatus, type IssueReason, type StoredCertificate } from './certificate.model.js';
import { certificateRenderer, verificationUrl } from './certificate-rendering.js';
import { certificatesExporter } from './certificates.export.js';
import { composeCertificateMail } from './certificates.mail.js';
import type { CertificateListQuery, ManualIssueInput } from './certificates.schemas.js';
import { duplicateKeyOf } from '../shared/duplicate-key.js';

/** What the certificate says about who issues it; the admin settings will provide it. */
export interface Institution {
  name: string;
  city: string;
  logo: Buffer | null;
}

export interface CertificatesDependencies {
  connection: Connection;
  courses: Pick<CoursesService, 'getCourse'>;
  enrollments: Pick<EnrollmentsService, 'enrollmentOf' | 'setCertified' | 'reconcileCertified'>;
  /** The person's profile; undefined once the account is anonymised (or never existed). */
  profileOf(userId: string): Promise<Profile | undefined>;
  contactsOf(ids: string[]): Promise<Map<string, Contact>>;
  institution(): Promise<Institution>;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  i18n: i18n;
  /** The public address (config.baseUrl): verification URLs start with it. */
  baseUrl: string;
  /** Where the course folders are: signature images are read from them when a PDF is rendered. */
  coursesDir: string;
  clock: Clock;
  logger: Logger;
}

/** One line of a person's own list. */
export interface CertificateSummary {
  code: string;
  courseSlug: string;
  courseTitle: string;
  issuedAt: string;
  status: CertificateStatus;
}

/** What the public verification shows (API.md, "Certificates"): the document number masked. */
export interface CertificateVerification {
  code: string;
  status: CertificateStatus;
  holderName: string;
  documentNumberMasked: string;
  courseTitle: string;
  hours: number;
  issuedAt: string;
  revokedReason?: string;
}

/** A certificate as managers see it: what it says, and its whole history (the audit record). */
export interface CertificateRecord {
  code: string;
  status: CertificateStatus;
  userId: string;
  courseSlug: string;
  cohortId: string | null;
  holderName: string;
  documentType: string;
  documentNumber: string;
  courseTitle: string;
  hours: number;
  completedAt: string;
  issuedAt: string;
  issueReason: IssueReason;
  issuedBy: string | null;
  issueNote: string | null;
  replaces: string | null;
  replacedBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokedReason: string | null;
}

export interface CertificateFile {
  filename: string;
  pdf: Buffer;
}

type CompletionEvent = DomainEvents['enrollment.completed'];
type NewCertificate = Omit<StoredCertificate, '_id' | 'code' | 'searchText'>;
/** A certificate as first written: it replaces nothing and nothing has happened to it yet. */
const NOT_REVOKED = { replaces: null, replacedBy: null, revokedAt: null, revokedBy: null, revokedReason: null } as const;

/** A certificate's facts of the moment it is issued: the person, the course, the institution. */
type Snapshot = Pick<NewCertificate, 'holder' | 'course' | 'signatories' | 'institutionName' | 'city'>;

/** Verifications per address and minute: far more than a person checking papers needs, far too few to sweep 2^40 codes. */
const VERIFY_REQUESTS_PER_ADDRESS = 20;
const VERIFY_WINDOW_MS = 60_000;
/**
 * Mails are queued by the request that issued; the job only takes certificates older
 * than this (left by a crash). Rendering and queueing take milliseconds, so 15 s is
 * ample, and a second queueing would be dropped by the outbox's idempotency key anyway:
 * the grace only saves rendering a PDF twice. With the job every 15 s, a mail a crash
 * left pending goes out within about half a minute of the restart.
 */
const PENDING_MAIL_GRACE_MS = 15_000;
const PENDING_MAIL_INTERVAL_MS = 15_000;
/** Certificates mailed per job run; the next run takes the rest. */
const MAIL_BATCH = 20;
/** Fresh codes to try when one is taken: with 2^40 codes, a second draw is already a curiosity. */
const CODE_DRAWS = 5;

/** The key both issuance indexes hold: one person, one course. */
const personKey = (userId: string, courseSlug: string): string => `${userId}:${courseSlug}`;

/** Lower case, accents and ñ's tilde dropped, spaces collapsed: "Gómez" is found by "gomez". */
export function searchableText(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** All but the last three characters hidden (`******789`): enough for the holder to recognise, too little to reuse. */
export function maskDocumentNumber(documentNumber: string): string {
  const shown = Math.min(3, Math.floor(documentNumber.length / 2));
  return '*'.repeat(documentNumber.length - shown) + documentNumber.slice(documentNumber.length - shown);
}

const escapeRegex = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const noSuchCertificate = (): AppError => new AppError('not_found', 'No such certificate.');

function summary(certificate: StoredCertificate): CertificateSummary {
  return {
    code: certificate.code,
    courseSlug: certificate.courseSlug,
    courseTitle: certificate.course.title,
    issuedAt: certificate.issuedAt.toISOString(),
    status: certificate.status,
  };
}

function record(certificate: StoredCertificate): CertificateRecord {
  return {
    code: certificate.code,
    status: certificate.status,
    userId: certificate.userId.toHexString(),
    courseSlug: certificate.courseSlug,
    cohortId: certificate.cohortId?.toHexString() ?? null,
    holderName: certificate.holder.fullName,
    documentType: certificate.holder.documentType,
    documentNumber: certificate.holder.documentNumber,
    courseTitle: certificate.course.title,
    hours: certificate.course.hours,
    completedAt: certificate.completedAt.toISOString(),
    issuedAt: certificate.issuedAt.toISOString(),
    issueReason: certificate.issueReason,
    issuedBy: certificate.issuedBy?.toHexString() ?? null,
    issueNote: certificate.issueNote ?? null,
    replaces: certificate.replaces ?? null,
    replacedBy: certificate.replacedBy ?? null,
    revokedAt: certificate.revokedAt?.toISOString() ?? null,
    revokedBy: certificate.revokedBy?.toHexString() ?? null,
    revokedReason: certificate.revokedReason ?? null,
  };
}

function verification(certificate: StoredCertificate): CertificateVerification {
  return {
    code: certificate.code,
    status: certificate.status,
    holderName: certificate.holder.fullName,
    documentNumberMasked: maskDocumentNumber(certificate.holder.documentNumber),
    courseTitle: certificate.course.title,
    hours: certificate.course.hours,
    issuedAt: certificate.issuedAt.toISOString(),
    ...(certificate.status === 'revoked' ? { revokedReason: certificate.revokedReason ?? '' } : {}),
  };
}

/**
 * Certificates (README.md): issuance exactly once per person and course, by two unique
 * keys rather than check-then-insert; mail through the outbox with a pending flag and a
 * catch-up job; the PDF rendered on demand from the snapshot stored at issuance; public
 * verification; and the managers' revocation, re-issue and manual issuance.
 */
export function createCertificatesService(deps: CertificatesDependencies) {
  const Certificate = certificateModel(deps.connection);
  const logger = deps.logger.child({ module: 'certificates' });
  const inSpanish = deps.i18n.getFixedT('es');

  // The unique keys must exist before the first issuance relies on them.
  let indexesReady: Promise<void> | undefined;
  const ensureIndexes = (): Promise<void> => {
    indexesReady ??= Certificate.createIndexes().then(
      () => undefined,
      (error: unknown) => {
        indexesReady = undefined; // try again next time
        throw error;
      },
    );
    return indexesReady;
  };

  const verificationUrlOf = (code: string): string => verificationUrl(deps.baseUrl, code);
  const renderPdf = certificateRenderer({ ...deps, logger });

  /** The certificate a typed code names; not_found for anything else, malformed codes included. */
  async function byCode(typedCode: string): Promise<StoredCertificate> {
    const code = normalizeCertificateCode(typedCode);
    const certificate = code ? await Certificate.findOne({ code }).lean<StoredCertificate>() : null;
    if (!certificate) throw noSuchCertificate();
    return certificate;
  }

  /** The valid certificate of a person and course or, failing that, the one issued on completion. */
  async function issuedFor(key: string): Promise<StoredCertificate | undefined> {
    const found = await Certificate.find({ $or: [{ currentKey: key }, { autoIssueKey: key }] }).lean<StoredCertificate[]>();
    return found.find((certificate) => certificate.status === 'valid') ?? found[0];
  }

  /** What is printed, as of now; undefined when the person's account is anonymised. */
  async function snapshotOf(userId: string, course: CourseView): Promise<Snapshot | undefined> {
    const [profile, institution] = await Promise.all([deps.profileOf(userId), deps.institution()]);
    if (!profile) return undefined;
    return {
      holder: {
        fullName: [profile.givenName, profile.familyName].filter(Boolean).join(' '),
        documentType: profile.documentType ?? '',
        documentNumber: profile.documentNumber ?? '',
      },
      course: { title: course.title, hours: course.hours },
      signatories: course.certificate.signatories.map(({ name, role, signature }) => ({ name, role, ...(signature ? { signature } : {}) })),
      institutionName: institution.name,
      city: institution.city,
    };
  }

  /** The stored document for a code: searchText follows from what it says. */
  const documentOf = (code: string, fields: NewCertificate): NewCertificate & { code: string; searchText: string } => ({
    ...fields,
    code,
    searchText: searchableText(`${fields.holder.fullName} ${fields.holder.documentNumber} ${code}`),
  });

  /** Inserts under a fresh code, drawing again if the code is taken; other duplicate keys are the caller's to read. */
  async function insertWithFreshCode(fields: NewCertificate): Promise<StoredCertificate> {
    await ensureIndexes();
    for (let draw = 1; ; draw += 1) {
      try {
        const created = await Certificate.create(documentOf(newCertificateCode(), fields));
        return created.toObject() as StoredCertificate;
      } catch (error) {
        if (duplicateKeyOf(error) !== 'code' || draw >= CODE_DRAWS) throw error;
      }
    }
  }

  const filenameOf = (code: string): string => `certificado-${code}.pdf`;

  /**
   * Queues the holder's mail with the PDF, then clears mailPending. The idempotency key
   * makes a repeat (the job after a crash, two processes) one mail. A certificate
   * revoked before its mail went, or a holder with no address (anonymised), gets none.
   */
  async function sendMail(certificate: StoredCertificate): Promise<void> {
    const userId = certificate.userId.toHexString();
    const contact = (await deps.contactsOf([userId])).get(userId);
    if (certificate.status === 'valid' && contact?.email) {
      await deps.mailer.queue({
        to: contact.email,
        ...composeCertificateMail({
          language: contact.locale,
          t: deps.i18n.getFixedT(contact.locale, 'certificates'),
          recipientName: contact.name,
          code: certificate.code,
          courseTitle: certificate.course.title,
          hours: certificate.course.hours,
          replaces: certificate.replaces,
          verificationUrl: verificationUrlOf(certificate.code),
          institutionName: certificate.institutionName,
        }),
        attachments: [{ filename: filenameOf(certificate.code), content: await renderPdf(certificate), contentType: 'application/pdf' }],
        idempotencyKey: `certificate:${certificate.code}`,
      });
    }
    await Certificate.updateOne({ _id: certificate._id, mailPending: true }, { $set: { mailPending: false } });
  }

  /** The certificate is what must not be lost; a mail that fails here is the job's to finish. */
  async function mailOrLeavePending(certificate: StoredCertificate): Promise<void> {
    try {
      await sendMail(certificate);
    } catch (error) {
      logger.error({ err: error, code: certificate.code }, 'certificate mail not queued; the pending-mail job will retry');
    }
  }

  /** The catch-up job: mails a crash (or a failed queue) left pending. Resolves with how many it took. */
  async function sendPendingMails(): Promise<number> {
    const cutoff = new Date(deps.clock.now().getTime() - PENDING_MAIL_GRACE_MS);
    const pending = await Certificate.find({ mailPending: true, issuedAt: { $lte: cutoff } })
      .sort({ issuedAt: 1 })
      .limit(MAIL_BATCH)
      .lean<StoredCertificate[]>();
    for (const certificate of pending) await mailOrLeavePending(certificate);
    return pending.length;
  }

  /** Revokes a valid certificate; resolves with it revoked, or undefined if it was not valid any more. */
  async function revokeIfValid(certificate: StoredCertificate, actor: Actor, fields: { revokedReason: string; replacedBy?: string }): Promise<StoredCertificate | undefined> {
    const revoked = await Certificate.findOneAndUpdate(
      { _id: certificate._id, status: 'valid' },
      {
        $set: { status: 'revoked', revokedAt: deps.clock.now(), revokedBy: new Types.ObjectId(actor.id), ...fields },
        // The person and course may hold a valid certificate again (manual issuance, re-issue).
        $unset: { currentKey: '' },
      },
      { returnDocument: 'after', lean: true },
    );
    return (revoked as StoredCertificate | null) ?? undefined;
  }

  /**
   * The enrollment's `certified` mark follows the certificates after each write: it is
   * read back from them rather than assumed, so a repeat or a late call sets it right.
   */
  async function markCertified(userId: string, courseSlug: string): Promise<void> {
    const isCertified = (await Certificate.exists({ currentKey: personKey(userId, courseSlug), status: 'valid' })) !== null;
    await deps.enrollments.setCertified(userId, courseSlug, isCertified);
  }

  const reissuedAs = (code: string): string => inSpanish('certificates:revocation.reissuedAs', { code });

  /**
   * The second half of a re-issue: the replacement under `code`, which the old
   * certificate already names. Another request finishing the same re-issue is success;
   * a valid certificate issued meanwhile by other means becomes the one the old points to.
   */
  async function insertReplacement(old: StoredCertificate, initialCode: string, fields: NewCertificate): Promise<StoredCertificate> {
    await ensureIndexes();
    let code = initialCode;
    for (let draw = 1; ; draw += 1) {
      try {
        const created = await Certificate.create(documentOf(code, fields));
        return created.toObject() as StoredCertificate;
      } catch (error) {
        const key = duplicateKeyOf(error);
        if (key === 'code') {
          const holder = await Certificate.findOne({ code }).lean<StoredCertificate>();
          if (holder?.replaces === old.code) return holder;
          if (draw >= CODE_DRAWS) throw error;
          const next = newCertificateCode();
          await Certificate.updateOne({ _id: old._id, replacedBy: code }, { $set: { replacedBy: next, revokedReason: reissuedAs(next) } });
          code = next;
          continue;
        }
        if (key === 'currentKey') {
          const current = await Certificate.findOne({ currentKey: fields.currentKey }).lean<StoredCertificate>();
          if (current) await Certificate.updateOne({ _id: old._id, replacedBy: code }, { $set: { replacedBy: current.code, revokedReason: reissuedAs(current.code) } });
          throw new AppError('conflict', 'This person already holds a valid certificate for this course.', { reason: 'already_certified', code: current?.code ?? null });
        }
        throw error;
      }
    }
  }

  async function courseWithCertificate(courseSlug: string): Promise<CourseView> {
    const course = await deps.courses.getCourse(courseSlug);
    if (!course.certificate.enabled) throw new AppError('conflict', 'This course does not give certificates.', { reason: 'certificates_disabled' });
    return course;
  }

  /** Run once across processes by the job scheduler (src/jobs). */
  const jobs: PeriodicJob[] = [{ name: 'certificates:pending-mail', intervalMs: PENDING_MAIL_INTERVAL_MS, run: sendPendingMails }];

  return {
    jobs,

    /**
     * The `enrollment.completed` handler: issues the course's certificate once per person
     * and course, however often and however concurrently completion is announced, and
     * mails it. Resolves with the certificate that stands (new or already issued), or
     * null when the course gives none or the account is gone.
     */
    async issueOnCompletion({ enrollmentId, userId, courseSlug, completedAt }: CompletionEvent): Promise<CertificateSummary | null> {
      const course = await deps.courses.getCourse(courseSlug);
      if (!course.certificate.enabled) return null;
      const key = personKey(userId, courseSlug);
      // Only a shortcut: the unique keys below decide.
      const existing = await issuedFor(key);
      if (existing) {
        // A completion announced again after a crash also repairs the mark.
        await markCertified(userId, courseSlug);
        return summary(existing);
      }
      const [snapshot, enrollment] = await Promise.all([snapshotOf(userId, course), deps.enrollments.enrollmentOf(userId, courseSlug)]);
      if (!snapshot) {
        logger.warn({ userId, courseSlug }, 'no certificate issued: the account is anonymised');
        return null;
      }
      let certificate: StoredCertificate;
      try {
        certificate = await insertWithFreshCode({
          ...snapshot,
          userId: new Types.ObjectId(userId),
          courseSlug,
          enrollmentId: new Types.ObjectId(enrollmentId),
          cohortId: enrollment?.cohortId ? new Types.ObjectId(enrollment.cohortId) : null,
          status: 'valid',
          autoIssueKey: key,
          currentKey: key,
          completedAt,
          issuedAt: deps.clock.now(),
          issueReason: 'completion',
          issuedBy: null,
          issueNote: null,
          ...NOT_REVOKED,
          mailPending: true,
        });
      } catch (error) {
        const duplicate = duplicateKeyOf(error);
        // Another announcement of this completion won the race, or a valid certificate exists already.
        const standing = duplicate === 'autoIssueKey' || duplicate === 'currentKey' ? await issuedFor(key) : undefined;
        if (standing) return summary(standing);
        throw error;
      }
      logger.info({ code: certificate.code, userId, courseSlug }, 'certificate issued on completion');
      await markCertified(userId, courseSlug);
      await mailOrLeavePending(certificate);
      return summary(certificate);
    },

    /** The person's certificates, valid and revoked, newest first. */
    async myCertificates(actor: Pick<Actor, 'id'>): Promise<CertificateSummary[]> {
      if (!Types.ObjectId.isValid(actor.id)) return [];
      const certificates = await Certificate.find({ userId: new Types.ObjectId(actor.id) }).sort({ issuedAt: -1, _id: -1 }).lean<StoredCertificate[]>();
      return certificates.map(summary);
    },

    /** The PDF, for its holder or a manager; to anyone else the certificate does not exist. */
    async certificatePdf(actor: Actor, typedCode: string): Promise<CertificateFile> {
      const certificate = await byCode(typedCode);
      if (certificate.userId.toHexString() !== actor.id && !can(actor, 'certificates:manage')) throw noSuchCertificate();
      return { filename: filenameOf(certificate.code), pdf: await renderPdf(certificate) };
    },

    /**
     * Public verification of a typed or scanned code. Every request counts against its
     * address, found or not, so that nobody can sweep the code space.
     */
    async verify(typedCode: string, address: string): Promise<CertificateVerification> {
      const window = await deps.rateLimiter.hit(`certificate-verify:address:${address}`, VERIFY_WINDOW_MS);
      if (window.count > VERIFY_REQUESTS_PER_ADDRESS) {
        const retryAfterSeconds = Math.max(1, Math.ceil((window.resetsAt.getTime() - deps.clock.now().getTime()) / 1000));
        throw new AppError('rate_limited', 'Too many verifications from this address. Try again later.', { retryAfterSeconds });
      }
      return verification(await byCode(typedCode));
    },

    /** Revokes with a reason (shown on the verification page). Revoking a revoked one changes nothing. */
    async revoke(actor: Actor, typedCode: string, reason: string): Promise<CertificateRecord> {
      ensureAllowed(actor, 'certificates:manage');
      const certificate = await byCode(typedCode);
      const revoked = await revokeIfValid(certificate, actor, { revokedReason: reason });
      if (revoked) logger.info({ code: certificate.code, actor: actor.id }, 'certificate revoked');
      await markCertified(certificate.userId.toHexString(), certificate.courseSlug);
      return record(revoked ?? (await byCode(certificate.code)));
    },

    /**
     * A new certificate with the facts of today (profile, course, institution) under a
     * new code, replacing a valid one. The old one is revoked first, naming the new
     * code, and only then is the new one inserted: at no moment are two valid, and a
     * crash in between leaves the old one pointing at a code that does not exist yet —
     * which repeating the re-issue completes.
     */
    async reissue(actor: Actor, typedCode: string, note: string): Promise<CertificateRecord> {
      ensureAllowed(actor, 'certificates:manage');
      const old = await byCode(typedCode);
      const userId = old.userId.toHexString();
      const isUnfinished = old.status === 'revoked' && old.replacedBy !== null && !(await Certificate.exists({ code: old.replacedBy }));
      if (old.status !== 'valid' && !isUnfinished) {
        throw new AppError('conflict', 'Only a valid certificate can be re-issued.', { reason: 'revoked', replacedBy: old.replacedBy });
      }
      // Everything that can fail for want of data is gathered before anything is written.
      const snapshot = await snapshotOf(userId, await deps.courses.getCourse(old.courseSlug));
      if (!snapshot) throw new AppError('conflict', 'The holder\'s account has been deleted.', { reason: 'account_deleted' });
      // A valid certificate has no replacedBy; an unfinished re-issue resumes under the code its trace names.
      const code = old.replacedBy ?? newCertificateCode();
      if (!isUnfinished) {
        const revoked = await revokeIfValid(old, actor, { revokedReason: reissuedAs(code), replacedBy: code });
        if (!revoked) throw new AppError('conflict', 'The certificate was revoked meanwhile.', { reason: 'revoked' });
      }
      const replacement = await insertReplacement(old, code, {
        ...snapshot,
        userId: old.userId,
        courseSlug: old.courseSlug,
        enrollmentId: old.enrollmentId,
        cohortId: old.cohortId,
        status: 'valid',
        currentKey: personKey(userId, old.courseSlug),
        completedAt: old.completedAt,
        issuedAt: deps.clock.now(),
        issueReason: 'reissue',
        issuedBy: new Types.ObjectId(actor.id),
        issueNote: note,
        replaces: old.code,
        replacedBy: null,
        revokedAt: null,
        revokedBy: null,
        revokedReason: null,
        mailPending: true,
      });
      logger.info({ code: replacement.code, replaces: old.code, actor: actor.id }, 'certificate re-issued');
      await markCertified(userId, old.courseSlug);
      await mailOrLeavePending(replacement);
      return record(replacement);
    },

    /** For people who completed outside the platform: no enrollment needed; who did it and why is the audit record. */
    async issueManually(actor: Actor, input: ManualIssueInput): Promise<CertificateRecord> {
      ensureAllowed(actor, 'certificates:manage');
      const course = await courseWithCertificate(input.courseSlug);
      if (input.completedAt.getTime() > deps.clock.now().getTime()) {
        throw new AppError('validation_failed', 'The completion date is in the future.', { fields: { completedAt: 'validation.invalid' } });
      }
      const key = personKey(input.userId, input.courseSlug);
      const alreadyCertified = (code: string | undefined): AppError =>
        new AppError('conflict', 'This person already holds a valid certificate for this course.', { reason: 'already_certified', code: code ?? null });
      const current = await Certificate.findOne({ currentKey: key }, { code: 1 }).lean<Pick<StoredCertificate, 'code'>>();
      if (current) throw alreadyCertified(current.code);
      const [snapshot, enrollment] = await Promise.all([snapshotOf(input.userId, course), deps.enrollments.enrollmentOf(input.userId, input.courseSlug)]);
      if (!snapshot) throw new AppError('validation_failed', 'No such person.', { fields: { userId: 'validation.unknownUsers' } });
      let certificate: StoredCertificate;
      try {
        certificate = await insertWithFreshCode({
          ...snapshot,
          userId: new Types.ObjectId(input.userId),
          courseSlug: input.courseSlug,
          enrollmentId: enrollment ? new Types.ObjectId(enrollment.id) : null,
          cohortId: enrollment?.cohortId ? new Types.ObjectId(enrollment.cohortId) : null,
          status: 'valid',
          currentKey: key,
          completedAt: input.completedAt,
          issuedAt: deps.clock.now(),
          issueReason: 'manual',
          issuedBy: new Types.ObjectId(actor.id),
          issueNote: input.note,
          ...NOT_REVOKED,
          mailPending: true,
        });
      } catch (error) {
        if (duplicateKeyOf(error) !== 'currentKey') throw error;
        throw alreadyCertified((await Certificate.findOne({ currentKey: key }, { code: 1 }).lean<Pick<StoredCertificate, 'code'>>())?.code);
      }
      logger.info({ code: certificate.code, userId: input.userId, courseSlug: input.courseSlug, actor: actor.id }, 'certificate issued manually');
      await markCertified(input.userId, input.courseSlug);
      await mailOrLeavePending(certificate);
      return record(certificate);
    },

    /** The managers' list, newest first: by code, or by holder name or document (case and accents ignored). */
    async listCertificates(actor: Actor, query: CertificateListQuery): Promise<{ items: CertificateRecord[]; nextCursor: string | null }> {
      ensureAllowed(actor, 'certificates:manage');
      const conditions: Array<Record<string, unknown>> = [];
      if (query.courseSlug) conditions.push({ courseSlug: query.courseSlug });
      if (query.cohortId) conditions.push({ cohortId: new Types.ObjectId(query.cohortId) });
      if (query.status) conditions.push({ status: query.status });
      const text = query.q ? searchableText(query.q) : '';
      if (text) {
        const code = normalizeCertificateCode(text);
        const byText = { searchText: { $regex: escapeRegex(text) } };
        conditions.push(code ? { $or: [{ code }, byText] } : byText);
      }
      if (query.cursor) {
        const [milliseconds = '', id = ''] = query.cursor.split('.');
        const issuedAt = new Date(Number(milliseconds));
        conditions.push({ $or: [{ issuedAt: { $lt: issuedAt } }, { issuedAt, _id: { $lt: new Types.ObjectId(id) } }] });
      }
      const found = await Certificate.find(conditions.length > 0 ? { $and: conditions } : {})
        .sort({ issuedAt: -1, _id: -1 })
        .limit(query.limit + 1)
        .lean<StoredCertificate[]>();
      const page = found.slice(0, query.limit);
      const last = page.at(-1);
      return { items: page.map(record), nextCursor: found.length > query.limit && last ? `${last.issuedAt.getTime()}.${last._id.toHexString()}` : null };
    },

    /** One certificate as managers see it, whatever its status. */
    async certificateRecord(actor: Actor, typedCode: string): Promise<CertificateRecord> {
      ensureAllowed(actor, 'certificates:manage');
      return record(await byCode(typedCode));
    },

    /** The PDFs of a course or cohort, for a ZIP (certificates.export.ts). */
    exportPdfs: certificatesExporter({ connection: deps.connection, renderPdf }),

    /** At start-up: the enrollments' `certified` marks set back to the valid certificates (a crash between the two writes). */
    async reconcileCertifiedEnrollments(): Promise<{ marked: number; cleared: number }> {
      const valid = await Certificate.find({ status: 'valid' }, { userId: 1, courseSlug: 1 }).lean<Array<Pick<StoredCertificate, 'userId' | 'courseSlug'>>>();
      return deps.enrollments.reconcileCertified(valid.map((certificate) => ({ userId: certificate.userId.toHexString(), courseSlug: certificate.courseSlug })));
    },

    /** Everything stored about a person's certificates, for their personal-data export. */
    async personalDataOf(userId: string): Promise<CertificateRecord[]> {
      if (!Types.ObjectId.isValid(userId)) return [];
      const certificates = await Certificate.find({ userId: new Types.ObjectId(userId) }).sort({ issuedAt: -1, _id: -1 }).lean<StoredCertificate[]>();
      return certificates.map(record);
    },
  };
}

export type CertificatesService = ReturnType<typeof createCertificatesService>;
