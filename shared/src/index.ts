export * from './geometry';
export * from './protocol';
export * from './client';
