// The base64 payload of `image.png` in a /v1/edit body: a data URL (`data:image/png;base64,…`,
// what a browser's `canvas.toDataURL()` gives) is taken for its payload — its header's letters were
// decoded as base64 too, and the image was refused as "unsupported image format". Plain
// JavaScript: json-worker.js (bodies parsed off the main thread) and http-app.ts share it.
function base64Payload(s) {
  if (!/^data:/i.test(s)) return s;
  const comma = s.slice(0, 256).indexOf(',');
  return comma > 0 && /;base64$/i.test(s.slice(0, comma)) ? s.slice(comma + 1) : s;
}
module.exports = { base64Payload };
