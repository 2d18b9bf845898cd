import { Router } from 'express';
import { AppError } from '../shared/errors.js';
import { departments, municipalitiesOf } from './divipola.js';

/** Public DIVIPOLA lists: the registration form fills its municipality list from these. */
export function territoriesApiRouter(): Router {
  const router = Router();
  router.get('/territories/departments', (_request, response) => {
    response.set('Cache-Control', 'public, max-age=86400');
    response.json({ items: departments().map(({ code, name }) => ({ code, name })) });
  });
  router.get('/territories/departments/:code/municipalities', (request, response) => {
    const code = String(request.params.code);
    const municipalities = municipalitiesOf(code);
    if (municipalities.length === 0) throw new AppError('not_found', 'No such department.');
    response.set('Cache-Control', 'public, max-age=86400');
    response.json({ items: municipalities.map(({ code: municipalityCode, name }) => ({ code: municipalityCode, name })) });
  });
  return router;
}
