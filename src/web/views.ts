import { join } from 'node:path';
import type { Express } from 'express';
import ejs from 'ejs';

/**
 * EJS with layouts: a page renders first, then `views/layouts/<layout>.ejs` (default
 * `main`) wraps it as `body`. A page sets `layout: false` to render alone.
 */
export function configureViews(app: Express, viewsDirectory: string): void {
  app.set('views', viewsDirectory);
  app.set('view engine', 'ejs');
  app.engine('ejs', (path, options, callback) => {
    const locals = options as Record<string, unknown>;
    ejs.renderFile(path, locals, (pageError, body) => {
      if (pageError) return callback(pageError);
      if (locals.layout === false) return callback(null, body);
      const layout = typeof locals.layout === 'string' ? locals.layout : 'main';
      ejs.renderFile(join(viewsDirectory, 'layouts', `${layout}.ejs`), { ...locals, body }, callback);
    });
  });
}
