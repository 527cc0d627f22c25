// Warm-up of an interactive loop: the round trip of bench/peers (a 1-element add, its value
// read back, the result freed), timed in blocks of BLOCK iterations from the first, for
// mtia-sim and tfjs-backend-wasm interleaved block by block. V8 optimises a function only after
// thousands of calls, so both libraries start several times slower than they settle; the
// peers benchmark warms both up before it measures (bench/peers/run.mjs, WARM_UP_CALLS).
//
// Usage: node bench/latency/warm-up.mjs [--blocks N]   (default 24 blocks of 250)

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { add, mtia, tensor } from 'mtia-sim';

const BLOCK = 250;
const at = process.argv.indexOf('--blocks');
const blocks = at < 0 ? 24 : Number(process.argv[at + 1]);

const require = createRequire(import.meta.url);
const tf = await import('@tensorflow/tfjs-core');
const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
globalThis.fetch = async () => {
  throw new Error('bench/latency: no network');
};
if (!(await tf.setBackend('wasm'))) throw new Error('bench/latency: the tfjs wasm backend did not initialise');

const a = tensor(new Float32Array([1]));
const b = tensor(new Float32Array([2]));
const ta = tf.tensor1d([1]);
const tb = tf.tensor1d([2]);
await mtia.synchronize();
const rows = { 'mtia-sim': [], tfjs: [] };
for (let block = 0; block < blocks; block++) {
  let start = performance.now();
  for (let i = 0; i < BLOCK; i++) {
    const c = add(a, b);
    await c.toArray();
    c.free();
  }
  rows['mtia-sim'].push(((performance.now() - start) * 1000) / BLOCK);
  start = performance.now();
  for (let i = 0; i < BLOCK; i++) {
    const c = tf.add(ta, tb);
    c.dataSync();
    c.dispose();
  }
  rows.tfjs.push(((performance.now() - start) * 1000) / BLOCK);
}
console.log(`round trip, µs per iteration, in blocks of ${BLOCK} from the first iteration (${new Date().toISOString()})`);
for (const [name, row] of Object.entries(rows)) console.log(`${name.padEnd(9)} ${row.map((x) => x.toFixed(1)).join(' ')}`);
await mtia.shutdown();
