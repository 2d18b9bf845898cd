import { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import type { Actor } from '../shared/authorization.js';
import { isAppError } from '../shared/errors.js';
import { formatLongDate } from '../web/dates.js';
import { errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { normalizeCertificateCode } from './certificate-code.js';
import type { CertificatesService, CertificateVerification } from './certificates.service.js';

/**
 * The certificate pages: public verification (what the QR code on every PDF opens, so
 * mostly on phones) and the holder's download. Strings are under `certificates:pages`.
 */

const verifyPath = (code: string): string => `/verify/${code}`;
const pdfPath = (code: string): string => `/certificates/${code}.pdf`;

/** Longest typed text echoed back into the form: a code is 13 characters, people add spaces. */
const ECHO_LIMIT = 40;

/**
 * A person's own certificates with the addresses of their pages, for the pages of
 * modules below this one ("My courses", the course page): app.ts hands this over, so
 * that they need not depend on certificates (ARCHITECTURE.md, rule 3).
 */
export function certificateLinks(certificates: Pick<CertificatesService, 'myCertificates'>) {
  return {
    async mineFor(actor: Pick<Actor, 'id'>) {
      const mine = await certificates.myCertificates(actor);
      return mine.map((certificate) => ({
        ...certificate,
        pdfHref: pdfPath(certificate.code),
        verifyHref: verifyPath(certificate.code),
      }));
    },
  };
}

function codeForm(t: TFunction, state: FormState) {
  const field = fieldBuilder(state).input('code', {
    label: t('certificates:pages.verify.codeLabel'),
    hint: t('certificates:pages.verify.codeHint'),
    autocomplete: 'off',
    spellcheck: false,
  });
  return { field, summary: errorSummary(state.errors, [field]) };
}

type VerifyState = { kind: 'form' } | { kind: 'notFound' } | { kind: 'busy'; retryAfterSeconds: number; retryHref: string };

function renderVerify(request: Request, response: Response, status: number, state: VerifyState, form: FormState = { values: {}, errors: {} }): void {
  const t = request.t;
  const titles = { form: 'verify.title', notFound: 'verify.notFoundTitle', busy: 'verify.busyTitle' } as const;
  response.status(status).render('certificates/verify', {
    title: t(`certificates:pages.${titles[state.kind]}`),
    state,
    form: codeForm(t, form),
  });
}

function verificationView(t: TFunction, result: CertificateVerification, language: string) {
  return {
    // The code in the window's title (tabs, history); the heading stays short on a phone.
    title: t('certificates:pages.verification.title', { code: result.code }),
    heading: t('certificates:pages.verification.heading'),
    isValid: result.status === 'valid',
    code: result.code,
    revokedReason: result.revokedReason,
    rows: [
      { label: t('certificates:pages.verification.holder'), value: result.holderName },
      { label: t('certificates:pages.verification.document'), value: result.documentNumberMasked },
      { label: t('certificates:pages.verification.course'), value: result.courseTitle },
      { label: t('certificates:pages.verification.hoursLabel'), value: t('certificates:pages.verification.hours', { count: result.hours }) },
      { label: t('certificates:pages.verification.issuedOn'), value: formatLongDate(result.issuedAt, language) },
      { label: t('certificates:pages.verification.code'), value: result.code },
    ],
  };
}

export function certificatePagesRouter(certificates: Pick<CertificatesService, 'verify' | 'certificatePdf'>): Router {
  const router = Router();

  router.get('/verify', (request, response) => {
    const typed = request.query.code;
    if (typed === undefined) {
      renderVerify(request, response, 200, { kind: 'form' });
      return;
    }
    // A repeated parameter (?code=a&code=b) is not a code either.
    const text = typeof typed === 'string' ? typed : '';
    const code = normalizeCertificateCode(text);
    if (code) {
      response.redirect(303, verifyPath(code));
      return;
    }
    const isEmpty = typeof typed === 'string' && typed.trim() === '';
    const message = request.t(isEmpty ? 'certificates:pages.verify.required' : 'certificates:pages.verify.malformed');
    renderVerify(request, response, 400, { kind: 'form' }, { values: { code: text.slice(0, ECHO_LIMIT) }, errors: { code: message } });
  });

  router.get('/verify/:code', async (request, response) => {
    const typed = String(request.params.code);
    // Never kept by a browser or proxy: a revocation must show at once.
    response.set('Cache-Control', 'no-store');
    const code = normalizeCertificateCode(typed);
    if (!code) {
      // Cannot be a code, so no certificate has it; nothing to look up or to count.
      renderVerify(request, response, 404, { kind: 'notFound' }, { values: { code: typed.slice(0, ECHO_LIMIT) }, errors: {} });
      return;
    }
    if (code !== typed) {
      // A typed variant (lower case, no dashes, O for 0): one address per certificate.
      response.redirect(301, verifyPath(code));
      return;
    }
    let result: CertificateVerification;
    try {
      result = await certificates.verify(code, request.ip ?? 'unknown');
    } catch (error) {
      if (isAppError(error) && error.code === 'not_found') {
        renderVerify(request, response, 404, { kind: 'notFound' }, { values: { code }, errors: {} });
        return;
      }
      if (isAppError(error) && error.code === 'rate_limited') {
        const retryAfterSeconds = typeof error.details?.retryAfterSeconds === 'number' ? error.details.retryAfterSeconds : 60;
        response.set('Retry-After', String(retryAfterSeconds));
        renderVerify(request, response, 429, { kind: 'busy', retryAfterSeconds, retryHref: verifyPath(code) });
        return;
      }
      throw error;
    }
    response.render('certificates/verification', verificationView(request.t, result, languageOf(request)));
  });

  // The holder or a manager; to anyone else the certificate does not exist (checked by the service).
  router.get('/certificates/:code.pdf', authorize('certificates:read-own'), async (request, response) => {
    const { filename, pdf } = await certificates.certificatePdf(signedInUser(request), String(request.params.code));
    response.type('application/pdf').attachment(filename).send(pdf);
  });

  return router;
}
