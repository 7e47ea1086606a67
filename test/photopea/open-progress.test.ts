/**
 * The playground's line while an image opens (`openProgressText`): its name, and the whole seconds
 * so far from 1 s on (the decoders give no fraction). (The page itself: playground-open-worker-browser.)
 */
import { openProgressText } from '../../plugin-photopea/src/host/canvas-host';

test('"Opening" with the file\'s name, then the whole seconds so far from 1 s on', () => {
  expect(openProgressText('IMG_0042.jpg', 0)).toBe('Opening "IMG_0042.jpg"…');
  expect(openProgressText('IMG_0042.jpg', 0.99)).toBe('Opening "IMG_0042.jpg"…');
  expect(openProgressText('scan16.png', 1.2)).toBe('Opening "scan16.png"… 1 s');
  expect(openProgressText('scan16.png', 12.9)).toBe('Opening "scan16.png"… 12 s');
});
