import type { Options } from 'mingo/types';

/**
 * The options every mingo call runs with. Server-side JavaScript (`$where`,
 * `$function`, `$accumulator`) stays off: a query must never run code it was sent.
 */
export const queryOptions: Partial<Options> = Object.freeze({
  scriptEnabled: false,
  useStrictMode: true,
});
