/** Types for the parts of upng-js 2.1.0 (UPNG.js by Photopea's author, MIT) the page uses. */
declare module 'upng-js' {
  export interface UpngImage {
    width: number;
    height: number;
    /** PNG bit depth: 1, 2, 4, 8 or 16. */
    depth: number;
    /** PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
    ctype: number;
    /** Unfiltered, de-interlaced sample bytes (big-endian for 16-bit). */
    data: Uint8Array;
    tabs: Record<string, unknown>;
    frames: unknown[];
  }
  export function decode(buffer: ArrayBuffer): UpngImage;
  export function toRGBA8(img: UpngImage): ArrayBuffer[];
  export function encode(frames: ArrayBuffer[], w: number, h: number, colours: number, delays?: number[], forbidPalette?: boolean): ArrayBuffer;
}
