/**
 * The embedded MongoDB-compatible engine: a wire-protocol server over an in-memory,
 * journaled store. It imports nothing from the application; see README.md.
 */
export { startEngine, type EngineOptions, type RunningEngine } from './server.js';
