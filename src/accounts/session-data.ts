/** What the accounts pages keep in a web session, besides passport's sign-in. */
declare module 'express-session' {
  interface SessionData {
    /** Signed in, but the privacy policy is still to be accepted (see consent.web.ts). */
    consentPending?: boolean;
  }
}

export {};
