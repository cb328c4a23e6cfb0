/**
 * redkit: Redis patterns for TypeScript. The toolkit (caches, sessions, rate limits, locks, streams …)
 * arrives with the next issues; today the package ships the `redkit` CLI and re-exports the engine.
 */

export * as engine from '@redkit/engine';
export { type ServeOptions, serve } from './serve.js';
