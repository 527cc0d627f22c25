// `mtia-sim demo`: y = (a + b) + 0 + a on every simulated device at once, checked against the
// host, timed in simulated time with timing events and counted with the profiler: only public
// API, so the command shows what a user's program sees.

import { add, mtia, tensor, zeros } from '../index.js';
import { formatBytes } from '../errors.js';
import { table } from './table.js';

/** One device's demo result. */
export interface DemoDevice {
  /** mtia:N */
  readonly device: string;
  /** Ops the profiler saw run on it (uploads, adds, the fill, the download). */
  readonly ops: number;
  readonly elements: number;
  /** Simulated time from before the uploads to after the download, in ms. */
  readonly simulatedMs: number;
  /** Values that differ from the host's float32 result. */
  readonly mismatches: number;
}

/** What `mtia-sim demo --json` prints. */
export interface DemoReport {
  readonly profile: string;
  readonly devices: readonly DemoDevice[];
  readonly passed: boolean;
  readonly hostSeconds: number;
}

/**
 * The workload on one device. The devices run it concurrently, so each gets a scope of its own
 * (withDevice, not `using mtia.device()`, whose device would be shared by every async function
 * of the caller's scope).
 */
function runOn(index: number, elements: number): Promise<Omit<DemoDevice, 'ops'>> {
  return mtia.withDevice(index, async () => {
    const a = Float32Array.from({ length: elements }, (_, i) => (i % 1000) * 0.5);
    const b = Float32Array.from({ length: elements }, (_, i) => index + 1 - (i % 7));
    const start = new mtia.Event({ enableTiming: true });
    start.record();
    using ta = tensor(a);
    using tb = tensor(b);
    using sum = add(ta, tb);
    using zero = zeros([elements]);
    using shifted = add(sum, zero);
    using y = add(shifted, ta);
    const values = await y.toArray();
    const end = mtia.currentStream().recordEvent(new mtia.Event({ enableTiming: true }));
    await end.synchronize();
    let mismatches = 0;
    for (let i = 0; i < elements; i++) {
      if (values[i] !== Math.fround(Math.fround(a[i]! + b[i]!) + a[i]!)) mismatches++;
    }
    return { device: `mtia:${index}`, elements, simulatedMs: start.elapsedTime(end), mismatches };
  });
}

/** Runs the demo on every device. */
export async function runDemo(elements: number): Promise<DemoReport> {
  const started = performance.now();
  const count = mtia.deviceCount();
  mtia.profiler.start();
  let results: Omit<DemoDevice, 'ops'>[];
  try {
    results = await Promise.all(Array.from({ length: count }, (_, index) => runOn(index, elements)));
  } finally {
    await mtia.profiler.stop();
  }
  const ops = mtia.profiler.opStats();
  const devices = results.map((r, index) => ({ ...r, ops: ops.filter((op) => op.device === index).length }));
  return {
    profile: mtia.getDeviceProperties(0).profile,
    devices,
    passed: devices.every((d) => d.mismatches === 0),
    hostSeconds: (performance.now() - started) / 1e3,
  };
}

/** The demo's report as text. */
export function formatDemo(report: DemoReport): string {
  const properties = mtia.getDeviceProperties(0);
  const count = report.devices.length;
  const rows = [['device', 'ops run', 'elements', 'simulated time', 'check']];
  for (const d of report.devices) {
    rows.push([
      d.device, String(d.ops), d.elements.toLocaleString('en-US'), `${d.simulatedMs.toFixed(3)} ms`,
      d.mismatches === 0 ? 'passed' : `FAILED (${d.mismatches} wrong values)`,
    ]);
  }
  return (
    `mtia-sim demo: ${count} simulated ${properties.name.replace(' (simulated)', '')} device${count === 1 ? '' : 's'} ` +
    `(profile ${properties.profile}, ${(properties.clockHz / 1e9).toFixed(2)} GHz, ` +
    `${properties.peNumRows}×${properties.peNumCols} PEs, ${formatBytes(properties.totalMemory)} of its ${formatBytes(properties.dramBytes)} DRAM simulated each)\n\n` +
    `${table(rows)}\n\n` +
    `${report.passed ? 'All checks passed' : 'Some checks FAILED'} (host time ${report.hostSeconds.toFixed(2)} s).`
  );
}
