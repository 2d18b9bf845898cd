import { readdirSync } from 'node:fs';
import express, { type RequestHandler } from 'express';

/**
 * The files of public/ (css/, js/, images/) with express.static's own headers and
 * caching, consulted only for URLs under one of the folder's entries: every other
 * request (every page and API call) used to cost a filesystem lookup for a file that
 * does not exist. The entries are listed once, when the app is built; a file added at
 * the top of public/ while the app runs is served after a restart, as a new folder is.
 */
export function publicFiles(directory: string, options: Parameters<typeof express.static>[1]): RequestHandler {
  const serve = express.static(directory, options);
  const entries = new Set(readdirSync(directory));
  return (request, response, next) => {
    const slash = request.path.indexOf('/', 1);
    const first = request.path.slice(1, slash === -1 ? undefined : slash);
    if (entries.has(first)) serve(request, response, next);
    else next();
  };
}
