import { Router, type Request, type Response } from 'express';
import { AppError, isAppError } from '../shared/errors.js';
import { formatDateTime } from '../web/dates.js';
import { flash } from '../web/flash.js';
import { emptyForm, errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { fieldMessagesOf, readForm } from '../web/form-input.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { isUploadedFile } from '../web/multipart.js';
import { parseInput } from '../web/validate.js';
import { LOGO_TYPES } from './logo-image.js';
import { institutionSchema, LOGO_LIMITS } from './settings.schemas.js';
import type { Logo, SettingsService } from './settings.service.js';

/**
 * The administrators' page for the institution's facts (mounted at /admin/settings):
 * name and issuing city in one form, the logo in another — it is the only multipart
 * form, read by the web shell (uploadPaths in app.ts) — and removing the logo in a
 * third. The logo itself is public at /settings/logo: certificates and pages show it.
 */

/** Where the logo form posts: app.ts tells the web shell to read files there. */
export const LOGO_UPLOAD_PATH = '/admin/settings/logo';
export const LOGO_PATH = '/settings/logo';

/** Changes with every new logo, so a versioned address may be kept by browsers for good. */
function logoVersion(logo: Logo): string {
  return logo.updatedAt.getTime().toString(36);
}

interface PageForms {
  details?: FormState;
  logo?: FormState;
}

export function adminSettingsWebRouter(settings: SettingsService): Router {
  const router = Router();
  router.use(authorize('settings:manage'));

  async function renderPage(request: Request, response: Response, forms: PageForms = {}, status = 200): Promise<void> {
    const t = request.t;
    const current = await settings.current();
    const details = forms.details ?? emptyForm({ name: current.name, city: current.city });
    const logoState = forms.logo ?? emptyForm();
    const detailsField = fieldBuilder(details);
    const fields = [
      detailsField.input('name', { label: t('settings:fields.name.label'), hint: t('settings:fields.name.hint'), autocomplete: 'organization' }),
      detailsField.input('city', { label: t('settings:fields.city.label'), hint: t('settings:fields.city.hint') }),
    ];
    const logoField = fieldBuilder(logoState).input('logo', {
      label: t(current.logo ? 'settings:logo.replaceLabel' : 'settings:logo.label'),
      hint: t('settings:logo.hint', { kilobytes: LOGO_LIMITS.maxBytes / 1024, min: LOGO_LIMITS.minSide, max: LOGO_LIMITS.maxSide }),
      type: 'file',
      accept: LOGO_TYPES.join(','),
    });
    response.status(status).render('settings/admin', {
      title: t('settings:page.title'),
      fields,
      logoField,
      summary: errorSummary({ ...details.errors, ...logoState.errors }, [...fields, logoField]),
      logo: current.logo
        ? { src: `${LOGO_PATH}?v=${logoVersion(current.logo)}`, alt: t('settings:logo.alt', { name: current.name }), updatedAt: formatDateTime(current.logo.updatedAt, languageOf(request)) }
        : undefined,
      updatedAt: current.updatedAt ? formatDateTime(current.updatedAt, languageOf(request)) : undefined,
    });
  }

  router.get('/', async (request, response) => {
    await renderPage(request, response);
  });

  router.post('/', async (request, response) => {
    const values = readForm(request.body, ['name', 'city']);
    try {
      await settings.updateInstitution(signedInUser(request), parseInput(institutionSchema, values, request.t));
    } catch (error) {
      await renderPage(request, response, { details: { values, errors: fieldMessagesOf(error, request.t) } }, 400);
      return;
    }
    flash(request, 'success', 'settings:page.saved');
    response.redirect(303, '/admin/settings');
  });

  router.post('/logo', async (request, response) => {
    const t = request.t;
    const file = (request.body as Record<string, unknown> | undefined)?.logo;
    const refuse = (message: string): Promise<void> => renderPage(request, response, { logo: { values: {}, errors: { logo: message } } }, 400);
    if (!isUploadedFile(file) || (file.data.length === 0 && !file.isTooLarge)) {
      await refuse(t('settings:logo.refused.missing'));
      return;
    }
    const limits = { kilobytes: LOGO_LIMITS.maxBytes / 1024, min: LOGO_LIMITS.minSide, max: LOGO_LIMITS.maxSide };
    if (file.isTooLarge) {
      await refuse(t('settings:logo.refused.too_large', limits));
      return;
    }
    try {
      await settings.setLogo(signedInUser(request), { data: file.data });
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      await refuse(t(`settings:logo.refused.${String(error.details?.reason)}`, limits));
      return;
    }
    flash(request, 'success', 'settings:logo.saved');
    response.redirect(303, '/admin/settings');
  });

  router.post('/logo/remove', async (request, response) => {
    await settings.removeLogo(signedInUser(request));
    flash(request, 'success', 'settings:logo.removed');
    response.redirect(303, '/admin/settings');
  });

  return router;
}

/**
 * GET /settings/logo, public: it prints on certificates and may show on any page. It is
 * mounted outside the web shell, so no session cookie rides on a cacheable answer. The
 * address with the current `?v=` is kept by browsers for good; the bare address for a
 * few minutes, then revalidated with its ETag.
 */
export function institutionLogoRouter(settings: SettingsService): Router {
  const router = Router();
  router.get(LOGO_PATH, async (request, response) => {
    const logo = await settings.logo();
    if (!logo) throw new AppError('not_found', 'The institution has no logo.');
    const version = logoVersion(logo);
    response.set({
      'Content-Type': logo.contentType,
      'Cache-Control': request.query.v === version ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      ETag: `"${version}"`,
      'Last-Modified': logo.updatedAt.toUTCString(),
    });
    // send() answers 304 Not Modified when the browser's copy has this ETag.
    response.send(logo.data);
  });
  return router;
}
