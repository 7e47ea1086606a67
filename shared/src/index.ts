export * from './geometry';
export * from './protocol';
export * from './client';
export * from './proxy';
export * from './paths-to-arrows';
