import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config';
import { createBridge, type Bridge } from '../server';
import { runEdit } from '../core/edit';
import { runBench } from './runner';
import { generateSynthetic, syntheticToRequest } from './synthetic';
import { connectServerEngine } from './server-engine';

const TOKEN = 'bench-test-token-0123456789abcdef';

describe('bench through a running bridge (--server)', () => {
  let bridge: Bridge, wsUrl: string, home: string, out: string;
  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'bench-bridge-'));
    out = mkdtempSync(path.join(os.tmpdir(), 'bench-server-out-'));
    const config = loadConfig({ env: {}, overrides: { port: 0, home, token: TOKEN, logFile: null, logLevel: 'silent', workers: 1 } });
    bridge = createBridge({ config, logger: pino({ level: 'silent' }) });
    wsUrl = (await bridge.listen()).wsUrl;
  });
  afterAll(async () => {
    await bridge?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('gives the same pixels, plans and DAI as the in-process core', async () => {
    const server = await connectServerEngine(wsUrl, TOKEN);
    try {
      const common = { suites: ['synthetic'] as const, dataDir: null, limit: 2, quality: 'preview' as const, progress: null };
      const remote = await runBench({ ...common, outDir: path.join(out, 'remote'), engine: server.engine, mode: 'server' });
      const local = await runBench({ ...common, outDir: path.join(out, 'local') });
      expect(remote.mode).toBe('server');
      expect(remote.summary.failed).toBe(0);
      expect(remote.samples.map((s) => s.planKinds)).toEqual(local.samples.map((s) => s.planKinds));
      expect(remote.samples.map((s) => s.dai)).toEqual(local.samples.map((s) => s.dai));
      expect(remote.samples.map((s) => s.changedPixels)).toEqual(local.samples.map((s) => s.changedPixels));
      expect(remote.samples.every((s) => s.changedPixels > 0)).toBe(true);
      // And the very same layer pixels, byte for byte, at the same place.
      for (const quality of ['preview', 'final'] as const) {
        const req = syntheticToRequest(generateSynthetic(1, 3), quality);
        const [a, b] = [await server.engine(req, {}), await runEdit(req)];
        expect([a.layer.left, a.layer.top, a.layer.image.width, a.layer.image.height])
          .toEqual([b.layer.left, b.layer.top, b.layer.image.width, b.layer.image.height]);
        expect(Buffer.from(a.layer.image.data).equals(Buffer.from(b.layer.image.data))).toBe(true);
        expect(b.layer.image.data.some((v, i) => i % 4 === 3 && v > 0)).toBe(true);
      }
    } finally {
      server.close();
    }
  });

  it('rejects a wrong token', async () => {
    await expect(connectServerEngine(wsUrl, 'wrong-token-wrong-token-0000')).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
