import { join } from 'node:path';
import type { Express } from 'express';
import ejs from 'ejs';

/**
 * EJS with layouts: a page renders first, then `views/layouts/<layout>.ejs` (default
 * `main`) wraps it as `body`. A page sets `layout: false` to render alone.
 *
 * Includes are written from the views folder (`include('/partials/csrf')`): EJS resolves
 * such a path against `root` by string alone, where a relative one costs a file-system
 * check on every include of every page, cache or no cache.
 */
export function configureViews(app: Express, viewsDirectory: string): void {
  app.set('views', viewsDirectory);
  app.set('view engine', 'ejs');
  app.engine('ejs', (path, locals, callback) => {
    const options = { root: viewsDirectory, cache: app.enabled('view cache') };
    const data = locals as Record<string, unknown>;
    ejs.renderFile(path, data, options, (pageError, body) => {
      if (pageError) return callback(pageError);
      if (data.layout === false) return callback(null, body);
      const layout = typeof data.layout === 'string' ? data.layout : 'main';
      ejs.renderFile(join(viewsDirectory, 'layouts', `${layout}.ejs`), { ...data, body }, options, callback);
    });
  });
}
