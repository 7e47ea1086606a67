// A short-lived thread that parses one large /v1/edit body and decodes its base64 PNG
// (json-off-thread.ts): plain JavaScript, no TypeScript loader needed. The PNG's bytes go back
// without a copy; the body's own string is replaced by a placeholder.
const { parentPort, workerData } = require('node:worker_threads');
const { base64Payload } = require('./data-url.js');
try {
  const bytes = Buffer.from(workerData.buffer, workerData.byteOffset, workerData.byteLength);
  const body = JSON.parse(bytes.toString('utf8'));
  let png = null;
  const image = body && typeof body === 'object' ? body.image : null;
  if (image && typeof image === 'object' && typeof image.png === 'string' && image.png.length >= 8) {
    const b = Buffer.from(base64Payload(image.png), 'base64');
    png = b.byteOffset === 0 && b.buffer.byteLength === b.length ? new Uint8Array(b.buffer) : new Uint8Array(b);
    image.png = 'decoded-off-thread';
  }
  parentPort.postMessage({ body, png }, png ? [png.buffer] : []);
} catch (e) {
  parentPort.postMessage({ error: String((e && e.message) || e) });
}
