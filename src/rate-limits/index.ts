/**
 * Counters in fixed time windows, kept in MongoDB so that every app process sees the
 * same counts (login failures per account and per address, public endpoints).
 */
export { createRateLimiter, type RateLimiter, type WindowState } from './rate-limiter.js';
