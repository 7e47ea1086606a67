/**
 * `smartdrag serve` as a user starts it: the real bin in a child process (its own environment
 * reaches the bridge's worker threads, which jest's sandboxed process.env would not).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const SMARTDRAG_BIN = path.resolve(__dirname, '..', '..', 'bridge-server', 'bin', 'smartdrag.js');

/** Start `serve --no-build <args>` with `env` added; resolves with the child and the URL it printed (no trailing slash). */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SMARTDRAG_BIN, 'serve', '--no-build', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${out}${err}`)), 30000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /SmartDrag bridge on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(t); resolve({ child, url: m[1]!.replace(/\/$/, '') }); }
    });
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`serve exited ${code}: ${out}${err}`)); });
  });
}

/** Stop a spawned bridge (SIGINT, as Ctrl-C) and wait for it to exit. */
export async function stopServe(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}
