import { PhotopeaClient, PhotopeaError, wrapScript, type HostMessageEvent, type Timers } from './photopea-client';

/** A fake `window.parent` + plugin `window` pair with a manual clock. */
function setup(opts: { timeoutMs?: number; doneGraceMs?: number } = {}) {
  const posted: string[] = [];
  const parent = { postMessage: (m: unknown) => posted.push(m as string) };
  const listeners = new Set<(e: HostMessageEvent) => void>();
  const source = {
    addEventListener: (_t: 'message', l: (e: HostMessageEvent) => void) => listeners.add(l),
    removeEventListener: (_t: 'message', l: (e: HostMessageEvent) => void) => listeners.delete(l),
  };
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Timers = {
    setTimeout: (fn, ms) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number): void => {
    now += ms;
    for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now && timers.has(id)) {
        timers.delete(id);
        t.fn();
      }
    }
  };
  let n = 0;
  const client = new PhotopeaClient({
    target: parent, source, timers: clock, nonce: () => `n${++n}`,
    timeoutMs: opts.timeoutMs ?? 1000, doneGraceMs: opts.doneGraceMs ?? 100,
  });
  const send = (data: unknown, origin = 'https://www.photopea.com', src: unknown = parent): void => {
    for (const l of [...listeners]) l({ data, origin, source: src });
  };
  const nonceOf = (script: string): string => /"SD:(\w+):"/.exec(script)![1]!;
  /** Answer a posted script like Photopea would: start, buffers, value, done. */
  const answer = (i: number, value: unknown, buffers: ArrayBuffer[] = []): void => {
    const nonce = nonceOf(posted[i]!);
    send(`SD:${nonce}:start`);
    for (const b of buffers) send(b);
    send(`SD:${nonce}:ok:${JSON.stringify(value)}`);
    send('done');
  };
  const flush = () => new Promise((r) => setImmediate(r));
  return { client, posted, send, answer, advance, nonceOf, listeners, flush, parent };
}

describe('PhotopeaClient', () => {
  test('serialises calls: the second script is posted only after the first one\'s "done"', async () => {
    const t = setup();
    const a = t.client.eval('return 1;');
    const b = t.client.eval('return 2;');
    expect(t.posted).toHaveLength(1);
    expect(t.client.queued).toBe(1);
    const nonce = t.nonceOf(t.posted[0]!);
    t.send(`SD:${nonce}:start`);
    t.send(`SD:${nonce}:ok:1`);
    expect(t.posted).toHaveLength(1); // still waiting for "done"
    t.send('done');
    await expect(a).resolves.toBe(1);
    expect(t.posted).toHaveLength(2);
    t.answer(1, 2);
    await expect(b).resolves.toBe(2);
    expect(t.client.busy).toBe(false);
  });

  test('ignores pings, stray "done"s, other origins/sources and answers with another nonce', async () => {
    const t = setup();
    const p = t.client.eval<{ w: number }>('return {w: 5};');
    const nonce = t.nonceOf(t.posted[0]!);
    t.send('done'); // stray done before our answer
    t.send('MSFAPI#12345');
    t.send(`SD:other:ok:99`);
    t.send(`SD:${nonce}:ok:{"w":666}`, 'https://evil.example');
    t.send(`SD:${nonce}:ok:{"w":777}`, 'https://www.photopea.com', {});
    t.send(`SD:${nonce}:start`);
    t.send(`SD:${nonce}:ok:{"w":5}`);
    t.send('done');
    await expect(p).resolves.toEqual({ w: 5 });
    expect(t.client.ignored).toBeGreaterThanOrEqual(3);
  });

  test('collects ArrayBuffers between the start marker and "done"; earlier buffers are ignored', async () => {
    const t = setup();
    t.send(new ArrayBuffer(3)); // before any call
    const p = t.client.call('app.activeDocument.saveToOE("png");', { expectBuffers: 1 });
    const nonce = t.nonceOf(t.posted[0]!);
    t.send(new ArrayBuffer(7)); // a late buffer from someone else, before our start marker
    t.send(`SD:${nonce}:start`);
    t.send(new ArrayBuffer(11));
    t.send(`SD:${nonce}:ok:null`);
    t.send('done');
    const r = await p;
    expect(r.buffers.map((b) => b.byteLength)).toEqual([11]);
    expect(r.value).toBeNull();
  });

  test('a missing expected image is a bad_answer', async () => {
    const t = setup();
    const p = t.client.call('x();', { expectBuffers: 1 });
    t.answer(0, null);
    await expect(p).rejects.toMatchObject({ code: 'bad_answer' });
  });

  test('a script exception rejects with script_error and the queue waits for its "done"', async () => {
    const t = setup();
    const a = t.client.eval('throw new Error("no document");');
    const b = t.client.eval('return "next";');
    const nonce = t.nonceOf(t.posted[0]!);
    t.send(`SD:${nonce}:start`);
    t.send(`SD:${nonce}:err:no document`);
    await expect(a).rejects.toEqual(expect.objectContaining({ code: 'script_error', message: 'no document' }));
    expect(t.posted).toHaveLength(1);
    t.send('done');
    expect(t.posted).toHaveLength(2);
    t.answer(1, 'next');
    await expect(b).resolves.toBe('next');
  });

  test('Photopea\'s own "error" rejects with host_error; without a "done" the queue moves on after the grace period', async () => {
    const t = setup({ doneGraceMs: 50 });
    const a = t.client.eval('syntax error here');
    const b = t.client.eval('return 3;');
    t.send('error');
    await expect(a).rejects.toMatchObject({ code: 'host_error' });
    expect(t.posted).toHaveLength(1);
    t.advance(49);
    expect(t.posted).toHaveLength(1);
    t.advance(1);
    expect(t.posted).toHaveLength(2);
    t.answer(1, 3);
    await expect(b).resolves.toBe(3);
  });

  test('times out; the next call waits for the timed-out script\'s late "done" (Photopea was busy), and onLate reports what it did', async () => {
    const t = setup({ timeoutMs: 500 });
    const late: unknown[] = [];
    const a = t.client.eval('return 1;', { onLate: (o) => late.push(o) });
    const b = t.client.eval('return 2;', { timeoutMs: 2000 });
    t.advance(499);
    expect(t.posted).toHaveLength(1);
    t.advance(1);
    await expect(a).rejects.toBeInstanceOf(PhotopeaError);
    await expect(a).rejects.toMatchObject({ code: 'timeout' });
    // Not posted into a busy Photopea: held until the late script is done.
    expect(t.posted).toHaveLength(1);
    t.advance(5000);
    expect(t.posted).toHaveLength(1);
    t.answer(0, 1); // the late answer of the first call
    expect(late).toEqual([{ ok: true, value: 1 }]);
    expect(t.posted).toHaveLength(2);
    t.answer(1, 2);
    await expect(b).resolves.toBe(2);
  });

  test('a timed-out script that never answers holds the queue only for lateHoldMs', async () => {
    const t = setup({ timeoutMs: 500 });
    const onLate = jest.fn();
    const a = t.client.eval('return 1;', { onLate });
    const b = t.client.eval('return 2;');
    t.advance(500);
    await expect(a).rejects.toMatchObject({ code: 'timeout' });
    t.advance(29_999);
    expect(t.posted).toHaveLength(1);
    t.advance(1);
    expect(t.posted).toHaveLength(2);
    t.answer(0, 1); // far too late: ignored
    t.answer(1, 2);
    await expect(b).resolves.toBe(2);
    expect(onLate).not.toHaveBeenCalled();
  });

  test('expectBuffers as a function of the value: none for null, one otherwise', async () => {
    const t = setup();
    const need = (v: unknown) => (v === null ? 0 : 1);
    const a = t.client.call('x();', { expectBuffers: need });
    t.answer(0, null);
    await expect(a).resolves.toMatchObject({ value: null, buffers: [] });
    const b = t.client.call('y();', { expectBuffers: need });
    t.answer(1, { at: [0, 0] }, [new ArrayBuffer(5)]);
    expect((await b).buffers.map((x) => x.byteLength)).toEqual([5]);
    const c = t.client.call('z();', { expectBuffers: need });
    t.answer(2, { at: [0, 0] });
    await expect(c).rejects.toMatchObject({ code: 'bad_answer' });
  });

  test('timeout message says whether Photopea answered at all', async () => {
    const t = setup({ timeoutMs: 100 });
    const a = t.client.eval('return 1;');
    t.send(`SD:${t.nonceOf(t.posted[0]!)}:start`);
    t.advance(100);
    await expect(a).rejects.toThrow(/did not send its answer/);
  });

  test('dispose rejects queued and running calls and stops listening', async () => {
    const t = setup();
    const a = t.client.eval('return 1;');
    const b = t.client.eval('return 2;');
    t.client.dispose();
    await expect(a).rejects.toMatchObject({ code: 'disposed' });
    await expect(b).rejects.toMatchObject({ code: 'disposed' });
    expect(t.listeners.size).toBe(0);
    await expect(t.client.eval('return 3;')).rejects.toMatchObject({ code: 'disposed' });
  });
});

describe('wrapScript', () => {
  function run(body: string): string[] {
    const out: string[] = [];
    const app = { echoToOE: (s: string) => out.push(s) };
    new Function('app', wrapScript(body, 'abc'))(app);
    return out;
  }
  test('echoes start and the JSON value', () => {
    expect(run('var a = 2; return {sum: a + 3, list: [1]};')).toEqual(['SD:abc:start', 'SD:abc:ok:{"sum":5,"list":[1]}']);
    expect(run('var a = 1;')).toEqual(['SD:abc:start', 'SD:abc:ok:null']);
  });
  test('turns exceptions into an err marker', () => {
    expect(run('throw new Error("boom");')).toEqual(['SD:abc:start', 'SD:abc:err:boom']);
    expect(run('null.x;')[1]).toMatch(/^SD:abc:err:.*null/);
  });
});
