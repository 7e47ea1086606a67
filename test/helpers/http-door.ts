/**
 * Raw HTTP clients for the bridge's HTTP door: a POST that streams a large body with
 * backpressure (it writes only as fast as the bridge reads) and stops when the answer comes, so a
 * test can tell how many body bytes the bridge took before answering.
 */
import http from 'node:http';

export interface RawAnswer {
  status: number;
  body: Record<string, any> | null;
  headers: http.IncomingHttpHeaders;
  /** Body bytes the client managed to hand to its socket before the answer (or the end). */
  written: number;
  /** Milliseconds from the request start to the answer's status line. */
  ms: number;
}

export interface StreamPostOptions {
  port: number;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** Body bytes to send in all (declared as Content-Length unless `chunked`). */
  total: number;
  chunked?: boolean;
  /** Stop writing after this many bytes and hold the request open (a slow sender). */
  stallAfter?: number;
}

const CHUNK = Buffer.alloc(1 << 20, 0x61);

/** POST `total` bytes ('a'…) with backpressure; resolves with the answer, never rejects on a reset after it. */
export function streamPost(o: StreamPostOptions): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let written = 0;
    let answered = false;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.headers ?? {}) };
    if (!o.chunked) headers['content-length'] = String(o.total);
    const req = http.request({ host: '127.0.0.1', port: o.port, path: o.path ?? '/v1/edit', method: o.method ?? 'POST', headers, agent: false });
    req.on('response', (res) => {
      answered = true;
      const ms = performance.now() - t0;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      const done = () => {
        let body: Record<string, any> | null = null;
        try { body = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers, written, ms });
        req.destroy();
      };
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (err) => { if (!answered) reject(err); });
    const pump = () => {
      while (!answered && written < o.total && (o.stallAfter === undefined || written < o.stallAfter)) {
        const n = Math.min(CHUNK.length, o.total - written, o.stallAfter === undefined ? Infinity : o.stallAfter - written);
        written += n;
        if (!req.write(CHUNK.subarray(0, n))) { req.once('drain', pump); return; }
      }
      if (!answered && written >= o.total) req.end();
    };
    req.flushHeaders();
    pump();
  });
}

/** A plain request with a small body (or none). */
export function request(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        let parsed: Record<string, any> | null = null;
        try { parsed = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers, written: body?.length ?? 0, ms: performance.now() - t0 });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
