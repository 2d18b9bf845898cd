import { Router } from 'express';
import type { Database } from '../db/connection.js';

/** `GET /healthz`: 200 when the database answers, 503 when it does not (API.md, "Health"). */
export function healthRouter(database: Pick<Database, 'ping'>): Router {
  const router = Router();
  router.get('/healthz', async (_request, response) => {
    response.set('Cache-Control', 'no-store');
    try {
      await database.ping();
      response.json({ status: 'ok', db: 'ok' });
    } catch {
      response.status(503).json({ status: 'unavailable', db: 'unreachable' });
    }
  });
  return router;
}
