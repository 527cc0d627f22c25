// Tensors that are never freed return their memory once the garbage collector takes them
// (a FinalizationRegistry in src/tensor/storage.ts). Run with `node --expose-gc`; prints the
// allocated bytes before and after collection as one JSON line.
import { mtia, tensor, zeros } from 'mtia-sim';

if (typeof globalThis.gc !== 'function') throw new Error('run this script with node --expose-gc');
mtia.configure({ deviceCount: 1, memoryBytes: 16 << 20 });
await mtia.init();

/** Makes 100 tensors and drops them without free(). */
function forget() {
  for (let i = 0; i < 50; i++) {
    zeros([1000]);
    tensor(new Float32Array(100).fill(i));
  }
}

forget();
const kept = zeros([1000]); // still referenced: must survive every collection below
const forgotten = mtia.memoryAllocated();
for (let round = 0; round < 50 && mtia.memoryAllocated() > 4096; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 10)); // finalizers run in a later task
}
const collected = mtia.memoryAllocated();
const values = await kept.toArray();
kept.free();
console.log(JSON.stringify({ forgotten, collected, keptLength: values.length, afterFree: mtia.memoryAllocated() }));
