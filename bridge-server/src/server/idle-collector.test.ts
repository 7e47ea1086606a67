/**
 * The main thread's collection after large buffers were released (idle-collector.ts): once at
 * least 8 MB went, when no job has been active for the settle time, at most once per interval;
 * never while a job is active.
 */
import { COLLECT_AFTER_BYTES } from '../core/gc';
import { IdleCollector } from './idle-collector';

const MB = 1024 * 1024;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function collector(idle: { now: boolean }) {
  const collect = jest.fn();
  const c = new IdleCollector(() => idle.now, { collect, settleMs: 1000, minIntervalMs: 5000 });
  return { c, collect };
}

test('the rule is the edit workers\' one: 8 MB', () => {
  expect(COLLECT_AFTER_BYTES).toBe(8 * MB);
});

test('a collection runs once the bridge settled idle after 8 MB or more were released; less is left to V8', () => {
  const idle = { now: true };
  const { c, collect } = collector(idle);
  c.released(2 * MB);
  c.jobEnded();
  jest.advanceTimersByTime(60_000);
  expect(collect).not.toHaveBeenCalled();
  c.released(6 * MB); // 8 MB in all
  c.jobEnded();
  jest.advanceTimersByTime(999);
  expect(collect).not.toHaveBeenCalled(); // not yet settled
  jest.advanceTimersByTime(1);
  expect(collect).toHaveBeenCalledTimes(1);
  expect(c.collections).toBe(1);
  jest.advanceTimersByTime(60_000);
  expect(collect).toHaveBeenCalledTimes(1); // nothing more was released
});

test('never while a job is active: it waits until the bridge is idle and settled', () => {
  const idle = { now: false };
  const { c, collect } = collector(idle);
  c.released(40 * MB);
  jest.advanceTimersByTime(30_000);
  expect(collect).not.toHaveBeenCalled();
  idle.now = true; // the last job ended
  c.jobEnded();
  jest.advanceTimersByTime(1000);
  expect(collect).toHaveBeenCalledTimes(1);
});

test('a drag (a job ending every 33 ms) is not stopped for a collection; it runs after the drag', () => {
  const idle = { now: true };
  const { c, collect } = collector(idle);
  for (let i = 0; i < 300; i++) { c.released(4 * MB); c.jobEnded(); jest.advanceTimersByTime(33); }
  expect(collect).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1000);
  expect(collect).toHaveBeenCalledTimes(1);
});

test('throttled: at most one collection per interval, however much is released (an expiry sweep after a job)', () => {
  const idle = { now: true };
  const { c, collect } = collector(idle);
  c.released(100 * MB);
  jest.advanceTimersByTime(1);
  expect(collect).toHaveBeenCalledTimes(1);
  c.released(100 * MB); // e.g. results expired right after
  jest.advanceTimersByTime(4998);
  expect(collect).toHaveBeenCalledTimes(1);
  jest.advanceTimersByTime(2);
  expect(collect).toHaveBeenCalledTimes(2);
});

test('stop() cancels a pending collection; without a collection function nothing is scheduled', () => {
  const idle = { now: true };
  const { c, collect } = collector(idle);
  c.released(100 * MB);
  c.stop();
  jest.advanceTimersByTime(60_000);
  expect(collect).not.toHaveBeenCalled();
  const none = new IdleCollector(() => true, { collect: undefined });
  none.released(100 * MB);
  expect(jest.getTimerCount()).toBe(0);
  expect(none.collections).toBe(0);
});
