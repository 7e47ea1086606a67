/**
 * The playground's download line (`exportProgressText`): a fraction where one is known (PNG's
 * encoding, the copy to the browser's encoder), the stage and the whole seconds so far where the
 * browser's encoder gives none — no made-up percentage. (The page itself: playground-exif-browser.)
 */
import { exportProgressText } from '../../plugin-photopea/src/host/canvas-host';

test('stages with a fraction show it; the browser\'s encoding and flattening show the seconds so far, from 1 s on', () => {
  expect(exportProgressText({ format: 'png', stage: 'encoding', fraction: 0.424 }, 7.9)).toBe('Preparing the PNG… 42%');
  expect(exportProgressText({ format: 'jpeg', stage: 'copying', fraction: 0.5 }, 0.2)).toBe("Preparing the JPEG: handing the pixels to the browser's encoder… 50%");
  expect(exportProgressText({ format: 'webp', stage: 'encoding' }, 0.4)).toBe('Preparing the WebP: the browser is encoding it (it shows no progress)…');
  expect(exportProgressText({ format: 'webp', stage: 'encoding' }, 14.7)).toBe('Preparing the WebP: the browser is encoding it (it shows no progress)… 14 s');
  expect(exportProgressText({ format: 'jpeg', stage: 'flattening' }, 1.2)).toBe('Preparing the JPEG: flattening transparent pixels onto white… 1 s');
  expect(exportProgressText({ format: 'jpeg', stage: 'writing', icc: true, exif: true }, 3)).toBe('Preparing the JPEG: writing its colour profile and EXIF into the file…');
  expect(exportProgressText({ format: 'jpeg', stage: 'writing', icc: false, exif: true }, 3)).toBe('Preparing the JPEG: writing its EXIF into the file…');
  expect(exportProgressText({ format: 'webp', stage: 'writing', icc: true, exif: false }, 3)).toBe('Preparing the WebP: writing its colour profile into the file…');
});
