// Records memory history while a small model-like loop runs, hits an out-of-memory error on
// purpose, and writes a snapshot that pytorch.org/memory_viz opens.
//
// Usage: node examples/03-memory/index.mjs [snapshot path]
//   (.pickle, which memory_viz opens; or .json, JSON to read, which memory_viz does not open)
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { add, mtia, OutOfMemoryError, tensor, zeros } from 'mtia-sim';

const path = process.argv[2] ?? join(tmpdir(), 'mtia-memory-snapshot.pickle');
const MiB = 1 << 20;

mtia.configure({ deviceCount: 1, memoryBytes: 64 * MiB });
// First, as PyTorch's memory tutorials do: before the devices start the setting is kept and
// applied when they do, so the first allocation is recorded.
mtia.recordMemoryHistory({ enabled: 'all', maxEntries: 100_000 });
mtia.attachOutOfMemoryObserver((device, alloc, total, free) => {
  console.log(`  observer: mtia:${device} could not allocate ${alloc / MiB} MiB (total ${total / MiB} MiB, ${free / MiB} MiB free)`);
});

// "Weights" live throughout; each step makes activations, reads the result, frees them.
const weights = [1, 2, 3].map((k) => tensor(new Float32Array(MiB / 4).fill(k))); // 1 MiB each
for (let step = 0; step < 4; step++) {
  const activations = [zeros([MiB / 4])];
  for (const w of weights) activations.push(add(activations.at(-1), w));
  const [value] = await activations.at(-1).toArray();
  console.log(`step ${step}: output ${value}, ${mtia.memoryAllocated() / MiB} MiB allocated, ${mtia.memoryReserved() / MiB} MiB reserved`);
  for (const a of activations) a.free();
}

try {
  zeros([32 * MiB]); // 128 MiB on a 64 MiB device
} catch (error) {
  if (!(error instanceof OutOfMemoryError)) throw error;
  console.log(`caught: ${error.message}`);
}

await mtia.dumpSnapshot(path);
const stats = mtia.memoryStats();
console.log(
  `peak ${mtia.maxMemoryAllocated() / MiB} MiB allocated, ${stats['segment.all.current']} segments, ` +
    `${mtia.snapshot().device_traces[0].length} trace entries`,
);
console.log(`wrote ${path}: open https://pytorch.org/memory_viz and drop the file on the page`);
for (const w of weights) w.free();
