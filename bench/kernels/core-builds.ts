// The matmul kernels of several builds of the core, measured in one process: one device per
// build, each a real device worker running that build, matmuls through the public API, the
// builds taking turns round by round so that a noisy machine slows them alike. builds.mjs
// bundles this file with esbuild (it reaches into src/, which the package does not export).

import { matmul, mtia, rand } from '../../src/index.js';
import { compileCore } from '../../src/runtime/environment.js';

export { hasRelaxedSimd } from '../../src/runtime/environment.js';
import { runtime } from '../../src/runtime/runtime.js';
import { WorkerLink } from '../../src/runtime/worker-link.js';

/** A core build to measure: a label and its file. */
export interface CoreBuild {
  label: string;
  url: URL;
}

/**
 * GFLOPS per build and case (`${dtype}_${n}`): the median of `rounds` rounds, and (`best_…`)
 * the fastest round, the figure least disturbed by other processes on a shared machine.
 */
export type BuildFigures = Record<string, Record<string, number>>;

/** The median of `samples`. */
function median(samples: number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Measures n × n · n × n matmuls for each dtype and n on each build: per round and build,
 * `reps(n)` matmuls (each result freed at once) between two synchronize() calls.
 */
export async function measureBuilds(
  builds: CoreBuild[], dtypes: string[], sizes: number[], rounds: number, warmupRounds: number,
  reps: (n: number) => number, progress: (line: string) => void,
): Promise<BuildFigures> {
  const modules = builds.map((build) => compileCore(build.url));
  const worker = new URL('../../dist/device-worker.js', import.meta.url);
  runtime.connector = (config) => async (memory, name, onLost) =>
    WorkerLink.start(worker, name, await modules[Number(name.slice('mtia:'.length))]!, memory, config.controlTimeoutMs, onLost);
  mtia.configure({ deviceCount: builds.length, memoryBytes: 256 << 20 });
  await mtia.init();
  // V8 compiles wasm lazily and tiers it up in the background: a first warm-up for every build.
  for (let device = 0; device < builds.length; device++) {
    for (const dtype of dtypes) {
      const [a, b] = [0, 1].map(() => rand([256, 256], { dtype: dtype as 'float32', device: `mtia:${device}` }));
      for (let i = 0; i < 16; i++) matmul(a!, b!).free();
      a!.free();
      b!.free();
    }
    await mtia.synchronize(device);
  }
  const figures: BuildFigures = Object.fromEntries(builds.map((build) => [build.label, {}]));
  for (const dtype of dtypes) {
    for (const n of sizes) {
      const operands = builds.map((_, device) => [0, 1].map(() => rand([n, n], { dtype: dtype as 'float32', device: `mtia:${device}` })));
      const samples: number[][] = builds.map(() => []);
      for (let round = 0; round < warmupRounds + rounds; round++) {
        for (let device = 0; device < builds.length; device++) {
          const [a, b] = operands[device]!;
          await mtia.synchronize(device);
          const start = performance.now();
          for (let i = 0; i < reps(n); i++) matmul(a!, b!).free();
          await mtia.synchronize(device);
          if (round >= warmupRounds) samples[device]!.push((performance.now() - start) / 1e3 / reps(n));
        }
      }
      builds.forEach((build, device) => {
        figures[build.label]![`${dtype}_${n}`] = Number(((2 * n ** 3) / median(samples[device]!) / 1e9).toFixed(1));
        figures[build.label]![`best_${dtype}_${n}`] = Number(((2 * n ** 3) / Math.min(...samples[device]!) / 1e9).toFixed(1));
        for (const tensor of operands[device]!) tensor.free();
      });
      const first = figures[builds[0]!.label]![`${dtype}_${n}`]!;
      const cells = builds.map((build, i) => {
        const gflops = figures[build.label]![`${dtype}_${n}`]!;
        const best = figures[build.label]![`best_${dtype}_${n}`]!;
        return `${build.label} ${gflops.toFixed(1).padStart(5)}${i > 0 ? ` (×${(gflops / first).toFixed(2)})` : ''} [best ${best.toFixed(1)}]`;
      });
      progress(`  ${dtype.padEnd(8)} n=${String(n).padEnd(4)} ${cells.join('   ')}  GFLOPS`);
    }
  }
  await mtia.shutdown();
  return figures;
}
