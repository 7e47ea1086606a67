export * from './types';
export * from './image';
export * from './metrics';
export * from './random';
export * from './textures';
export * from './case';
export * from './edit';
export * from './proxy';
