/**
 * Raw HTTP clients for the bridge's HTTP door: a POST that streams a large body with
 * backpressure (it writes only as fast as the bridge reads) and stops when the answer comes, so a
 * test can tell how many body bytes the bridge took before answering.
 */
import http from 'node:http';
import net from 'node:net';

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

/**
 * POST `total` bytes ('a'…) with backpressure over a raw socket; resolves with the answer. A bridge
 * that refuses mid-body answers and closes while the client is still writing: the write then fails
 * (EPIPE / reset), which must not lose the answer already received — so writes' errors are ignored
 * and the answer is parsed from every byte read until the socket closes.
 */
export function streamPost(o: StreamPostOptions): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let written = 0, ms = -1;
    const received: Buffer[] = [];
    const headers: Record<string, string> = { host: `127.0.0.1:${o.port}`, 'content-type': 'application/json', connection: 'close', ...(o.headers ?? {}) };
    if (o.chunked) headers['transfer-encoding'] = 'chunked'; else headers['content-length'] = String(o.total);
    const sock = net.connect(o.port, '127.0.0.1');
    const answered = (): boolean => received.length > 0;
    sock.on('data', (d: Buffer) => { if (ms < 0) ms = performance.now() - t0; received.push(d); });
    sock.on('error', () => { /* a refused upload resets the socket; the answer, if any, was read */ });
    sock.on('close', () => {
      const raw = Buffer.concat(received);
      const split = raw.indexOf('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw.subarray(0, 16).toString('latin1'));
      if (!m || split < 0) { reject(new Error(`no HTTP answer (${raw.length} bytes read, ${written} written)`)); return; }
      const head = raw.subarray(0, split).toString('latin1').split('\r\n');
      const hdrs: http.IncomingHttpHeaders = {};
      for (const line of head.slice(1)) { const i = line.indexOf(':'); if (i > 0) hdrs[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim(); }
      let payload = raw.subarray(split + 4);
      if (/chunked/i.test(String(hdrs['transfer-encoding'] ?? ''))) {
        const parts: Buffer[] = [];
        for (let at = 0; at < payload.length;) {
          const eol = payload.indexOf('\r\n', at);
          const n = parseInt(payload.subarray(at, eol).toString('latin1'), 16);
          if (!(n > 0)) break;
          parts.push(payload.subarray(eol + 2, eol + 2 + n));
          at = eol + 2 + n + 2;
        }
        payload = Buffer.concat(parts);
      }
      let body: Record<string, any> | null = null;
      try { body = JSON.parse(payload.toString('utf8')); } catch { /* not JSON */ }
      resolve({ status: Number(m[1]), body, headers: hdrs, written, ms });
    });
    sock.write(`${o.method ?? 'POST'} ${o.path ?? '/v1/edit'} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    const pump = (): void => {
      while (!answered() && !sock.destroyed && written < o.total && (o.stallAfter === undefined || written < o.stallAfter)) {
        const n = Math.min(CHUNK.length, o.total - written, o.stallAfter === undefined ? Infinity : o.stallAfter - written);
        written += n;
        const data = CHUNK.subarray(0, n);
        const ok = o.chunked ? sock.write(Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), data, Buffer.from('\r\n')])) : sock.write(data);
        if (!ok) { sock.once('drain', pump); return; }
      }
      if (!answered() && !sock.destroyed && written >= o.total && o.chunked) sock.write('0\r\n\r\n');
    };
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
