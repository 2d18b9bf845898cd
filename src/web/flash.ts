import type { Request, RequestHandler } from 'express';

/**
 * One-time messages carried across a redirect ("Your changes were saved"). They are
 * stored as i18n keys, translated when shown, and taken out of the session only by a
 * page that renders, so an intermediate redirect does not swallow them.
 */
export type FlashKind = 'success' | 'info' | 'warning' | 'error';

export interface FlashMessage {
  kind: FlashKind;
  key: string;
  values?: Record<string, string | number>;
}

declare module 'express-session' {
  interface SessionData {
    flash?: FlashMessage[];
  }
}

export function flash(request: Request, kind: FlashKind, key: string, values?: Record<string, string | number>): void {
  if (!request.session) return;
  request.session.flash = [...(request.session.flash ?? []), { kind, key, ...(values ? { values } : {}) }];
}

/** `flash` in the views: read (and removed) when a page renders. */
export const flashLocals: RequestHandler = (request, response, next) => {
  Object.defineProperty(response.locals, 'flash', {
    enumerable: true,
    configurable: true,
    get(): FlashMessage[] {
      const messages = request.session?.flash ?? [];
      if (request.session?.flash) delete request.session.flash;
      return messages;
    },
  });
  next();
};
