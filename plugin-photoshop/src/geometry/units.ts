/**
 * Photoshop unit values -> document pixels. The Imaging API works in pixels, but action
 * descriptors (batchPlay) report lengths as unit values: path anchors come back in
 * `distanceUnit` (points, 1/72 inch), which must be scaled by `resolution / 72` on any document
 * that is not 72 ppi (the bug Auto-PS-SD and sd-ppp shipped).
 */

/** A batchPlay unit value, e.g. `{ _unit: 'distanceUnit', _value: 12.5 }`. */
export interface UnitValue {
  _unit: string;
  _value: number;
}

/** Units we know how to convert to pixels, as an `as const` object. */
export const LengthUnit = {
  pixels: 'pixelsUnit',
  /** Points (1/72 inch); what path descriptors use. */
  distance: 'distanceUnit',
  points: 'pointsUnit',
  millimeters: 'millimetersUnit',
} as const;

/** Thrown for a unit we cannot convert (a percent or angle where a length was expected). */
export class UnitError extends RangeError {
  readonly code = 'unsupported_unit' as const;
  constructor(unit: string) {
    super(`cannot convert unit ${unit} to pixels`);
    this.name = 'UnitError';
  }
}

/**
 * Convert a length to document pixels. A bare number is taken as pixels (what the DOM returns);
 * `resolution` is the document's pixels per inch.
 */
export function lengthToPx(v: UnitValue | number, resolution: number): number {
  if (typeof v === 'number') return v;
  if (!(resolution > 0)) throw new RangeError(`bad document resolution ${resolution}`);
  switch (v._unit) {
    case LengthUnit.pixels: return v._value;
    case LengthUnit.distance:
    case LengthUnit.points: return (v._value * resolution) / 72;
    case LengthUnit.millimeters: return (v._value * resolution) / 25.4;
    default: throw new UnitError(v._unit);
  }
}

