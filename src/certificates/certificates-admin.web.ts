import { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import type { Accounts, Contact, Profile } from '../accounts/index.js';
import type { CatalogEntry, CoursesService } from '../courses/index.js';
import type { CohortView, EnrollmentsService } from '../enrollments/index.js';
import { can } from '../shared/authorization.js';
import { isAppError } from '../shared/errors.js';
import { formatDate, formatDateTime } from '../web/dates.js';
import { flash } from '../web/flash.js';
import { emptyForm, errorSummary, fieldBuilder, type ErrorSummaryItem, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, pressedButton, readForm, type FieldMessages } from '../web/form-input.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { parseInput } from '../web/validate.js';
import { normalizeCertificateCode } from './certificate-code.js';
import { EXPORT_LIMIT, writeZip, type CertificateExport } from './certificates.export.js';
import { exportQuerySchema, listQuerySchema, manualIssueSchema, reissueSchema, revokeSchema, type ManualIssueInput } from './certificates.schemas.js';
import { maskDocumentNumber, type CertificateRecord, type CertificatesService } from './certificates.service.js';

/**
 * The managers' certificate pages, mounted at /admin/certificates: the list with search
 * and filters, a certificate's facts and history with revocation and re-issue, manual
 * issuance, and the ZIP of a course's or cohort's PDFs. Strings are under
 * `certificates:admin`. The PDF itself is the holder's download route
 * (/certificates/:code.pdf), which managers may use for any certificate.
 */

export interface CertificateAdminPagesDependencies {
  certificates: Pick<CertificatesService, 'listCertificates' | 'certificateRecord' | 'revoke' | 'reissue' | 'issueManually' | 'exportPdfs'>;
  courses: Pick<CoursesService, 'listCourses'>;
  cohorts: Pick<EnrollmentsService, 'listCohorts'>;
  people: Pick<Accounts['service'], 'findPeople' | 'contactsOf'>;
}

const BASE = '/admin/certificates';
const PAGE_SIZE = 25;
const FILTERS = ['q', 'courseSlug', 'cohortId', 'status', 'cursor'] as const;
const NEW_FIELDS = ['person', 'courseSlug', 'completedAt', 'note'] as const;
/** The value of the "find the person" button on the manual issuance form. */
const FIND_PERSON = 'find-person';

const detailPath = (code: string): string => `${BASE}/${code}`;

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

function codeOf(request: Request): string {
  return String(request.params.code ?? '');
}

/**
 * How the pages name the staff who issued or revoked, by id; an anonymised account has
 * nothing left. With `withEmail` (the audit record on a certificate's page) the address
 * too: names repeat, and accounts made by an operator share a generic one.
 */
async function staffNames(
  people: CertificateAdminPagesDependencies['people'],
  ids: Array<string | null>,
  t: TFunction,
  { withEmail = false } = {},
): Promise<(id: string | null) => string> {
  const known = ids.filter((id): id is string => id !== null);
  const contacts = known.length > 0 ? await people.contactsOf([...new Set(known)]) : new Map<string, Contact>();
  return (id) => {
    const contact = id ? contacts.get(id) : undefined;
    if (!contact) return t('certificates:admin.unknownPerson');
    if (!contact.name) return contact.email ?? t('certificates:admin.unknownPerson');
    return withEmail && contact.email ? `${contact.name} (${contact.email})` : contact.name;
  };
}

function issuedHow(t: TFunction, certificate: CertificateRecord, nameOf: (id: string | null) => string): string {
  return certificate.issueReason === 'completion'
    ? t('certificates:admin.issued.completion')
    : t(`certificates:admin.issued.${certificate.issueReason}`, { name: nameOf(certificate.issuedBy) });
}

const statusView = (t: TFunction, certificate: Pick<CertificateRecord, 'status'>) => ({
  status: certificate.status,
  statusLabel: t(`certificates:admin.status.${certificate.status}`),
});

/** Who a typed email or document number names, or why nobody can be chosen. */
type PersonLookup = { person: Profile } | { error: string };

async function lookUpPerson(people: CertificateAdminPagesDependencies['people'], typed: string, t: TFunction): Promise<PersonLookup> {
  if (!typed.trim()) return { error: t('validation.required') };
  const found = await people.findPeople(typed);
  const [person] = found;
  if (found.length > 1) return { error: t('certificates:admin.new.personAmbiguous', { count: found.length }) };
  return person ? { person } : { error: t('certificates:admin.new.personNotFound') };
}

function personView(t: TFunction, person: Profile) {
  return {
    name: [person.givenName, person.familyName].filter(Boolean).join(' ') || person.email || '',
    email: person.email ?? '',
    document: person.documentType ? `${t(`accounts:enums.documentType.${person.documentType}`)} ${person.documentNumber ?? ''}` : '',
    isDeactivated: person.status === 'deactivated',
  };
}

function newPage(t: TFunction, state: FormState, courses: readonly CatalogEntry[], found?: Profile, extraSummary: ErrorSummaryItem[] = []) {
  const field = fieldBuilder(state);
  const personField = field.input('person', { label: t('certificates:admin.new.personLabel'), hint: t('certificates:admin.new.personHint'), autocomplete: 'off', spellcheck: false });
  const fields = [
    field.select('courseSlug', {
      label: t('certificates:admin.new.courseLabel'),
      choices: courses.filter((course) => course.certificate).map((course) => ({ value: course.slug, label: course.title })),
      placeholder: t('certificates:admin.new.coursePlaceholder'),
    }),
    field.input('completedAt', { label: t('certificates:admin.new.completedAtLabel'), hint: t('certificates:admin.new.completedAtHint'), type: 'date' }),
    field.textarea('note', { label: t('certificates:admin.new.noteLabel'), hint: t('certificates:admin.new.noteHint'), rows: 4 }),
  ];
  return {
    title: t('certificates:admin.new.title'),
    personField,
    findPerson: { name: 'action', value: FIND_PERSON, label: t('certificates:admin.new.find') },
    person: found ? personView(t, found) : undefined,
    fields,
    summary: [...extraSummary, ...errorSummary(state.errors, [personField, ...fields])],
  };
}

export function certificateAdminPagesRouter(deps: CertificateAdminPagesDependencies): Router {
  const router = Router();
  const manage = authorize('certificates:manage');

  async function cohortName(courseSlug: string, cohortId: string | null): Promise<string | null> {
    if (!cohortId) return null;
    const cohorts = await deps.cohorts.listCohorts(courseSlug).catch((error: unknown): CohortView[] => {
      // The certificate outlives its course's record: the cohort's id is all there is.
      if (isAppError(error) && error.code === 'not_found') return [];
      throw error;
    });
    return cohorts.find((cohort) => cohort.id === cohortId)?.name ?? cohortId;
  }

  /** A re-issue that stopped halfway leaves the old certificate naming a code that does not exist yet (README.md). */
  async function isUnfinishedReissue(request: Request, certificate: CertificateRecord): Promise<boolean> {
    if (certificate.status !== 'revoked' || !certificate.replacedBy) return false;
    try {
      await deps.certificates.certificateRecord(signedInUser(request), certificate.replacedBy);
      return false;
    } catch (error) {
      if (isAppError(error) && error.code === 'not_found') return true;
      throw error;
    }
  }

  async function renderDetail(request: Request, response: Response, code: string, state: FormState = emptyForm(), status = 200): Promise<void> {
    const t = request.t;
    const language = languageOf(request);
    const actor = signedInUser(request);
    const certificate = await deps.certificates.certificateRecord(actor, code);
    const [nameOf, cohort, isUnfinished] = await Promise.all([
      staffNames(deps.people, [certificate.issuedBy, certificate.revokedBy], t, { withEmail: true }),
      cohortName(certificate.courseSlug, certificate.cohortId),
      isUnfinishedReissue(request, certificate),
    ]);
    const documentLabel = certificate.documentType ? t(`accounts:enums.documentType.${certificate.documentType}`) : '';
    const facts = [
      {
        label: t('certificates:admin.detail.holder'),
        value: certificate.holderName,
        // The person's account page is the administrators' (users:list); managers see the name only.
        ...(can(actor, 'users:list') ? { link: { href: `/admin/users/${certificate.userId}`, text: t('certificates:admin.detail.holderAccount') } } : {}),
      },
      { label: t('certificates:admin.detail.document'), value: [documentLabel, certificate.documentNumber].filter(Boolean).join(' ') },
      { label: t('certificates:admin.detail.course'), value: certificate.courseTitle },
      { label: t('certificates:admin.detail.cohort'), value: cohort ?? t('certificates:admin.detail.noCohort') },
      { label: t('certificates:admin.detail.hoursLabel'), value: t('certificates:admin.detail.hours', { count: certificate.hours }) },
      { label: t('certificates:admin.detail.completedAt'), value: formatDate(certificate.completedAt, language) },
    ];
    const history = [
      { label: t('certificates:admin.detail.issuedAt'), value: formatDateTime(certificate.issuedAt, language) },
      { label: t('certificates:admin.detail.issuedHow'), value: issuedHow(t, certificate, nameOf) },
      ...(certificate.issueNote ? [{ label: t('certificates:admin.detail.issueNote'), value: certificate.issueNote }] : []),
      ...(certificate.replaces ? [{ label: t('certificates:admin.detail.replaces'), value: certificate.replaces, href: detailPath(certificate.replaces) }] : []),
      ...(certificate.revokedAt
        ? [
            { label: t('certificates:admin.detail.revokedAt'), value: formatDateTime(certificate.revokedAt, language) },
            { label: t('certificates:admin.detail.revokedBy'), value: nameOf(certificate.revokedBy) },
            { label: t('certificates:admin.detail.revokedReason'), value: certificate.revokedReason ?? '' },
          ]
        : []),
      ...(certificate.replacedBy
        ? [
            isUnfinished
              ? { label: t('certificates:admin.detail.replacedBy'), value: t('certificates:admin.detail.replacementMissing', { code: certificate.replacedBy }) }
              : { label: t('certificates:admin.detail.replacedBy'), value: certificate.replacedBy, href: detailPath(certificate.replacedBy) },
          ]
        : []),
    ];
    const field = fieldBuilder(state);
    const revokeFields = [
      field.textarea('reason', { label: t('certificates:admin.revoke.reasonLabel'), hint: t('certificates:admin.revoke.reasonHint'), rows: 3 }),
      field.checkbox('confirm', { label: t('certificates:admin.revoke.confirmLabel') }),
    ];
    const reissueFields = [field.textarea('note', { label: t('certificates:admin.reissue.noteLabel'), hint: t('certificates:admin.reissue.noteHint'), rows: 3 })];
    const isValid = certificate.status === 'valid';
    response.status(status).render('certificates/admin/certificate', {
      title: t('certificates:admin.detail.title', { code: certificate.code }),
      certificate,
      ...statusView(t, certificate),
      pdfHref: `/certificates/${certificate.code}.pdf`,
      verifyHref: `/verify/${certificate.code}`,
      facts,
      history,
      revoke: isValid ? { action: `${detailPath(certificate.code)}/revoke`, fields: revokeFields } : undefined,
      reissue:
        isValid || isUnfinished
          ? {
              action: `${detailPath(certificate.code)}/reissue`,
              fields: reissueFields,
              intro: isUnfinished ? t('certificates:admin.reissue.resumeIntro', { code: certificate.replacedBy }) : t('certificates:admin.reissue.intro'),
            }
          : undefined,
      summary: errorSummary(state.errors, [...revokeFields, ...reissueFields]),
    });
  }

  router.get('/', manage, async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const query = parseInput(listQuerySchema, { ...readForm(request.query, FILTERS), limit: PAGE_SIZE }, t);
    const courses = await deps.courses.listCourses();
    const course = courses.find((candidate) => candidate.slug === query.courseSlug);
    const cohorts = course ? await deps.cohorts.listCohorts(course.slug) : [];
    // A cohort of another course is left over from the previous choice of course: dropped, rather than matching nothing.
    const cohortId = query.cohortId && (!query.courseSlug || cohorts.some((cohort) => cohort.id === query.cohortId)) ? query.cohortId : undefined;
    const filters = { q: query.q, courseSlug: query.courseSlug, cohortId, status: query.status };
    const page = await deps.certificates.listCertificates(signedInUser(request), { ...filters, limit: PAGE_SIZE, cursor: query.cursor });
    const nameOf = await staffNames(deps.people, page.items.map((certificate) => certificate.issuedBy), t);

    const filter = fieldBuilder(emptyForm(filters));
    const exportQuery = { courseSlug: query.courseSlug, cohortId, status: query.status };
    response.render('certificates/admin/certificates', {
      title: t('certificates:admin.list.title'),
      searchField: filter.input('q', { label: t('certificates:admin.list.searchLabel'), hint: t('certificates:admin.list.searchHint'), type: 'search', spellcheck: false }),
      courseField: filter.select('courseSlug', {
        label: t('certificates:admin.list.courseLabel'),
        hint: t('certificates:admin.list.courseHint'),
        choices: courses.map((entry) => ({ value: entry.slug, label: entry.title })),
        placeholder: t('certificates:admin.list.allCourses'),
      }),
      cohortField: course
        ? filter.select('cohortId', {
            label: t('certificates:admin.list.cohortLabel'),
            choices: cohorts.map((cohort) => ({ value: cohort.id, label: cohort.name })),
            placeholder: t('certificates:admin.list.allCohorts'),
          })
        : undefined,
      statusField: filter.select('status', {
        label: t('certificates:admin.list.statusLabel'),
        choices: (['valid', 'revoked'] as const).map((status) => ({ value: status, label: t(`certificates:admin.status.${status}`) })),
        placeholder: t('certificates:admin.list.allStatuses'),
      }),
      isFiltered: Object.values(filters).some(Boolean) || Boolean(query.cursor),
      certificates: page.items.map((certificate) => ({
        code: certificate.code,
        href: detailPath(certificate.code),
        holderName: certificate.holderName,
        // A screen of many people: the document shortened, as the public verification shows it; whole on the detail page.
        document: [certificate.documentType, certificate.documentNumber ? maskDocumentNumber(certificate.documentNumber) : ''].filter(Boolean).join(' '),
        courseTitle: certificate.courseTitle,
        issuedAt: formatDate(certificate.issuedAt, language),
        ...statusView(t, certificate),
        issuedHow: issuedHow(t, certificate, nameOf),
      })),
      nextPage: page.nextCursor ? withQuery(BASE, { ...filters, cursor: page.nextCursor }) : undefined,
      firstPage: query.cursor ? withQuery(BASE, filters) : undefined,
      exportLink: course ? { href: withQuery(`${BASE}/export.zip`, exportQuery), text: t(`certificates:admin.export.${cohortId ? 'cohort' : 'course'}`) } : undefined,
      exportLimit: EXPORT_LIMIT,
    });
  });

  router.get('/export.zip', manage, async (request, response) => {
    const query = parseInput(exportQuerySchema, request.query, request.t);
    const back = withQuery(BASE, query);
    let exported: CertificateExport;
    try {
      exported = await deps.certificates.exportPdfs(signedInUser(request), query);
    } catch (error) {
      if (!isAppError(error) || error.details?.reason !== 'too_many_certificates') throw error;
      flash(request, 'error', 'certificates:admin.export.tooMany', { count: Number(error.details.count), limit: EXPORT_LIMIT });
      response.redirect(303, back);
      return;
    }
    if (exported.count === 0) {
      flash(request, 'info', 'certificates:admin.export.none');
      response.redirect(303, back);
      return;
    }
    // Personal data of many people: kept by no cache.
    response.set('Cache-Control', 'no-store').type('application/zip').attachment(exported.filename);
    await writeZip(exported.files, response);
  });

  router.get('/new', manage, async (request, response) => {
    response.render('certificates/admin/new', newPage(request.t, emptyForm(), await deps.courses.listCourses()));
  });

  router.post('/new', manage, async (request, response) => {
    const t = request.t;
    const values = readForm(request.body, NEW_FIELDS);
    const courses = await deps.courses.listCourses();
    const lookup = await lookUpPerson(deps.people, typeof values.person === 'string' ? values.person : '', t);
    const found = 'person' in lookup ? lookup.person : undefined;
    const refuse = (status: number, errors: FieldMessages, extraSummary: ErrorSummaryItem[] = []): void => {
      response.status(status).render('certificates/admin/new', newPage(t, { values, errors }, courses, found, extraSummary));
    };

    if (pressedButton(request.body) === FIND_PERSON) {
      if ('error' in lookup) refuse(400, { person: lookup.error });
      else response.render('certificates/admin/new', newPage(t, emptyForm(values), courses, found));
      return;
    }

    // Every field's problem at once: the person is looked up, the rest validated as the API would.
    const errors: FieldMessages = 'error' in lookup ? { person: lookup.error } : {};
    let input: Omit<ManualIssueInput, 'userId'> | undefined;
    try {
      input = parseInput(manualIssueSchema.omit({ userId: true }), { courseSlug: values.courseSlug, completedAt: values.completedAt, note: values.note }, t);
    } catch (error) {
      Object.assign(errors, fieldMessagesOf(error, t));
    }
    // An empty date fails both forms a date may take; "required" says it better than "invalid".
    if (!values.completedAt) errors.completedAt = t('validation.required');
    if (!found || !input || Object.keys(errors).length > 0) {
      refuse(400, errors);
      return;
    }

    let issued: CertificateRecord;
    try {
      issued = await deps.certificates.issueManually(signedInUser(request), { ...input, userId: found.id });
    } catch (error) {
      if (!isAppError(error)) throw error;
      const reason = error.details?.reason;
      const fields = error.details?.fields as Record<string, unknown> | undefined;
      if (reason === 'already_certified' && typeof error.details?.code === 'string') {
        const code = error.details.code;
        refuse(409, {}, [{ text: t('certificates:admin.new.alreadyCertified', { name: personView(t, found).name, code }), href: detailPath(code) }]);
      } else if (reason === 'certificates_disabled') {
        refuse(409, { courseSlug: t('certificates:admin.new.certificatesDisabled') });
      } else if (error.code === 'not_found') {
        refuse(400, { courseSlug: t('validation.invalidChoice') });
      } else if (fields?.completedAt) {
        // The one rule the form cannot check by itself: the date is not in the future (the service's clock decides).
        refuse(400, { completedAt: t('certificates:admin.new.completedAtFuture') });
      } else if (fields?.userId) {
        refuse(400, { person: t('certificates:admin.new.personNotFound') });
      } else {
        throw error;
      }
      return;
    }
    flash(request, 'success', 'certificates:admin.new.done', { code: issued.code });
    response.redirect(303, detailPath(issued.code));
  });

  router.get('/:code', manage, async (request, response) => {
    const typed = codeOf(request);
    const code = normalizeCertificateCode(typed);
    if (code && code !== typed) {
      // A typed variant (lower case, no dashes): one address per certificate.
      response.redirect(301, detailPath(code));
      return;
    }
    await renderDetail(request, response, typed);
  });

  router.post('/:code/revoke', manage, async (request, response) => {
    const t = request.t;
    const code = codeOf(request);
    const values = readForm(request.body, ['reason', 'confirm']);
    const errors: FieldMessages = {};
    let reason: string | undefined;
    try {
      reason = parseInput(revokeSchema, { reason: values.reason }, t).reason;
    } catch (error) {
      Object.assign(errors, fieldMessagesOf(error, t));
    }
    // Revocation cannot be undone and its reason is published: the box must be ticked, not just the button pressed.
    if (values.confirm !== 'yes') errors.confirm = t('certificates:admin.revoke.confirmRequired');
    if (reason === undefined || Object.keys(errors).length > 0) {
      await renderDetail(request, response, code, { values, errors }, 400);
      return;
    }
    const revoked = await deps.certificates.revoke(signedInUser(request), code, reason);
    flash(request, 'success', 'certificates:admin.revoke.done', { code: revoked.code });
    response.redirect(303, detailPath(revoked.code));
  });

  router.post('/:code/reissue', manage, async (request, response) => {
    const t = request.t;
    const code = codeOf(request);
    const values = readForm(request.body, ['note']);
    let note: string;
    try {
      note = parseInput(reissueSchema, { note: values.note }, t).note;
    } catch (error) {
      await renderDetail(request, response, code, { values, errors: fieldMessagesOf(error, t) }, 400);
      return;
    }
    let replacement: CertificateRecord;
    try {
      replacement = await deps.certificates.reissue(signedInUser(request), code, note);
    } catch (error) {
      const reason = isAppError(error) && error.code === 'conflict' ? error.details?.reason : undefined;
      if (reason === 'account_deleted') {
        await renderDetail(request, response, code, { values, errors: { reissue: t('certificates:admin.reissue.accountDeleted') } }, 409);
        return;
      }
      if (reason !== 'revoked' && reason !== 'already_certified') throw error;
      const details = isAppError(error) ? error.details : undefined;
      // Someone else revoked or re-issued it meanwhile: the page, reloaded, shows what happened.
      if (reason === 'revoked') flash(request, 'error', 'certificates:admin.reissue.notValid');
      else flash(request, 'error', 'certificates:admin.reissue.alreadyCertified', { code: String(details?.code ?? '') });
      response.redirect(303, detailPath(normalizeCertificateCode(code) ?? code));
      return;
    }
    flash(request, 'success', 'certificates:admin.reissue.done', { code: replacement.code, previous: replacement.replaces ?? '' });
    response.redirect(303, detailPath(replacement.code));
  });

  return router;
}
