// The current scope without async context (browsers today): one shared scope, restored when a
// scoped callback ends; a scope started while an async one is open throws rather than misroute.

import { describe, expect, test } from 'vitest';
import { MtiaError } from '../../src/errors.js';
import { ScopeContext } from '../../src/runtime/current-scope.js';

describe('scopes without async context', () => {
  test('a scope restores the device when it returns, throws, or its promise settles', async () => {
    const scopes = new ScopeContext(undefined);
    expect(scopes.isolated).toBe(false);
    const enter = (device: number) => () => (scopes.current().device = device);
    expect(scopes.run(enter(1), () => scopes.current().device)).toBe(1);
    expect(scopes.current().device).toBe(0);
    expect(() => scopes.run(enter(1), () => { throw new Error('boom'); })).toThrow('boom');
    expect(scopes.current().device).toBe(0);
    const open = scopes.run(enter(1), async () => {
      const nested = scopes.run(enter(2), () => scopes.current().device); // in the synchronous part: nesting
      await null;
      return [nested, scopes.current().device];
    });
    expect(await open).toEqual([2, 1]);
    expect(scopes.current().device).toBe(0);
  });

  test('a scope started while an async scope is open throws, and works again once it settled', async () => {
    const scopes = new ScopeContext(undefined);
    const enter = (device: number) => () => (scopes.current().device = device);
    const open = scopes.run(enter(1), async () => {
      await null;
      return scopes.current().device;
    });
    expect(() => scopes.run(enter(0), async () => 0)).toThrow(MtiaError);
    expect(() => scopes.run(enter(0), () => 0)).toThrow(/this platform has no async context/);
    expect(await open).toBe(1); // the open scope was not disturbed
    expect(scopes.run(enter(0), () => scopes.current().device)).toBe(0);
  });

  test('with async context (Node), concurrent scopes are isolated', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const scopes = new ScopeContext(new AsyncLocalStorage());
    const enter = (device: number) => () => (scopes.current().device = device);
    const run = (device: number) =>
      scopes.run(enter(device), async () => {
        const seen: number[] = [];
        for (let k = 0; k < 5; k++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen.push(scopes.current().device);
        }
        return seen;
      });
    expect(await Promise.all([run(1), run(2)])).toEqual([[1, 1, 1, 1, 1], [2, 2, 2, 2, 2]]);
    expect(scopes.current().device).toBe(0);
  });

  test('anyStreamSet stays false until a stream is set in some scope, then stays true', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const scopes = new ScopeContext(new AsyncLocalStorage());
    const device = {};
    const entry = { queue: {} as never, streamId: 3, owner: {} };
    scopes.run(() => {}, () => (scopes.current().device = 1));
    expect([scopes.anyStreamSet, scopes.current().streams.size]).toEqual([false, 0]);
    scopes.run(() => scopes.setStreamOf(scopes.current(), device, entry), () => {
      expect(scopes.current().streams.get(device)).toBe(entry);
    });
    expect([scopes.anyStreamSet, scopes.current().streams.size]).toEqual([true, 0]); // the outer scope kept its own
  });
});
