/** The bridge server: express + ws, job queue, worker pool. */
export { createBridge, type Bridge, type CreateBridgeOptions } from './bridge';
export { TOKEN_PLACEHOLDER } from './http-app';
export { tokensEqual, accessPolicy } from './security';
