import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { AppError } from '../shared/errors.js';
import { SLUG } from './course-files.schemas.js';

const IMAGE_FILE = /^[\w-]+(?:\.[\w-]+)*\.(svg|png|jpe?g|webp)$/i;

/**
 * Images of the course files, as lessons reference them: only `images/` of a course
 * folder, only image files, names checked so that no path can leave the folder.
 */
export function courseFilesRouter(coursesDir: string): Router {
  const router = Router();
  router.get('/course-files/:slug/images/:file', (request, response) => {
    const slug = String(request.params.slug);
    const file = String(request.params.file);
    const path = join(coursesDir, slug, 'images', file);
    if (!SLUG.test(slug) || !IMAGE_FILE.test(file) || !existsSync(path)) throw new AppError('not_found', 'No such image.');
    // SVG is served as an image with a sandboxing CSP, so a script inside one never runs.
    response.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    response.sendFile(path, { maxAge: '1h', dotfiles: 'deny' });
  });
  return router;
}
