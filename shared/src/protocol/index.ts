/** Protocol v1: version, error codes, limits, messages and the binary frame codec. */
export * from './version';
export * from './errors';
export * from './limits';
export * from './messages';
export * from './frames';
