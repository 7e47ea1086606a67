/**
 * Facts fixed at build time (webpack DefinePlugin), with fallbacks for tests and tsx runs.
 */
import { DEFAULT_PORT } from '@smartdrag/shared';
import { networkDomains } from './entrypoint-ids';

declare const __SMARTDRAG_DOMAINS__: string[] | undefined;
declare const __SMARTDRAG_VERSION__: string | undefined;
declare const __SMARTDRAG_PORT__: number | undefined;

/** The bridge port the plugin was built for (`SMARTDRAG_PORT` at build time): the default bridge URL uses it. */
export const BUILD_PORT: number = typeof __SMARTDRAG_PORT__ !== 'undefined' ? __SMARTDRAG_PORT__ : DEFAULT_PORT;

/** Network origins the manifest allows (the panel warns when the bridge URL is not one of them). */
export const ALLOWED_DOMAINS: readonly string[] = typeof __SMARTDRAG_DOMAINS__ !== 'undefined' ? __SMARTDRAG_DOMAINS__ : networkDomains(DEFAULT_PORT);

/** Plugin version sent in `hello`. */
export const PLUGIN_VERSION: string = typeof __SMARTDRAG_VERSION__ !== 'undefined' ? __SMARTDRAG_VERSION__ : '0.0.0-dev';
