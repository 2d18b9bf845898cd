import type {} from 'passport';
import type { Actor } from '../shared/authorization.js';

// The signed-in person (web session via passport, or API bearer token) is `req.user`.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
  }
}

export {};
