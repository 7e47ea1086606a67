/** The warp stage: typed region transforms rendered by bidirectional warping. */
export * from './affine';
export * from './deform-field';
export * from './warp-regions';
