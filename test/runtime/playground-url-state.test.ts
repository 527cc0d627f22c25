// The playground keeps its settings and an edited script in the URL's hash
// (examples/playground/url-state.ts): what is written reads back the same, a long script is
// compressed (deflate-raw, smaller than its UTF-8), and a damaged link is reported, not thrown.

import { describe, expect, test } from 'vitest';
import { decodeScript, encodeScript, fromBase64Url, readHash, toBase64Url, writeHash } from '../../examples/playground/url-state.js';

describe('the playground URL hash', () => {
  test('base64url round-trips every byte value without padding or + and /', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64Url(bytes);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fromBase64Url(text)).toEqual(bytes);
    expect(() => fromBase64Url('a+b')).toThrow(/not base64url/);
  });

  test('a short script as UTF-8, a long one compressed; both read back exactly (non-ASCII too)', async () => {
    const short = 'print(1)';
    expect(await encodeScript(short)).toMatch(/^u\./);
    expect(await decodeScript(await encodeScript(short))).toBe(short);
    const long = Array.from({ length: 60 }, (_, i) => `const x${i} = tensor([${i}, ${i + 1}]); // ×√ Ü ${i}`).join('\n');
    const encoded = await encodeScript(long);
    expect(encoded).toMatch(/^z\./);
    expect(encoded.length).toBeLessThan(toBase64Url(new TextEncoder().encode(long)).length / 3);
    expect(await decodeScript(encoded)).toBe(long);
  });

  test('the settings and script written to the hash read back as they were', async () => {
    const state = { profile: 'systolic-32x32-os', devices: 3, timingOnly: true, workload: 'custom', script: 'const a = 1;\nprint(a & 2, "#?=")' };
    const hash = await writeHash(state);
    expect(hash).toMatch(/^#profile=systolic-32x32-os&devices=3&timing-only=1&workload=custom&script=/);
    expect(await readHash(hash)).toEqual({ state, problem: null });
    expect(await readHash(await writeHash({ profile: 'mtia-v2', devices: 1, timingOnly: false, workload: 'mlp' })))
      .toEqual({ state: { profile: 'mtia-v2', devices: 1, timingOnly: false, workload: 'mlp' }, problem: null });
  });

  test('fields missing or malformed are left out; a damaged script is a problem to report', async () => {
    expect(await readHash('')).toEqual({ state: {}, problem: null });
    expect(await readHash('#devices=0&timing-only=yes&profile=')).toEqual({ state: {}, problem: null });
    const damaged = await readHash('#workload=custom&script=z.AAAA');
    expect(damaged.state).toEqual({ workload: 'custom' });
    expect(damaged.problem).toMatch(/^the script in the link could not be read/);
    expect((await readHash('#script=q.abc')).problem).toMatch(/must start with 'z\.' or 'u\.'/);
  });
});
