// Runs one playground script on freshly configured devices and collects what the page shows:
// the profiler's op records, the memory history, the snapshot, the Chrome trace when the
// package can export one, the script's checks and printed lines. No DOM here.
//
//   shutdown (if a run came before) → configure(profile, devices, timingOnly) → init
//   → recordMemoryHistory('all') → profiler.start → the script → synchronize every device
//   → profiler.stop → opStats, snapshot, exportChromeTrace
//
// print() writes its arguments with printing.ts; a tensor's values are read (toArray(), a
// device-to-host copy like PyTorch's print) and its line filled in before the run ends. An
// error thrown by the script carries its line and column in the script (script-source.ts).

import * as lib from 'mtia-sim';
import { mtia } from 'mtia-sim';
import type { ProfileChoice } from './profile-choices.js';
import * as ref from './reference.js';
import { formatTensor, formatValue, tensorMarker } from './printing.js';
import { checkClose, type CheckResult, type Tolerance } from './result-check.js';
import { compileScript, runtimeErrorPosition, syntaxErrorPosition, type ScriptPosition } from './script-source.js';

/** What a run is asked to do. */
export interface RunRequest {
  readonly profile: ProfileChoice;
  readonly deviceCount: number;
  readonly timingOnly: boolean;
  /** The script: the body of an async function (see workloads.ts for what is in scope). */
  readonly code: string;
}

/** A Chrome trace export, or why there is none. */
export type TraceExport = { readonly trace: object; readonly note: null } | { readonly trace: null; readonly note: string };

/** What a run produced. */
export interface RunResult {
  readonly request: RunRequest;
  /** The error the script (or the run) threw, as text; null when it finished. */
  readonly error: string | null;
  /** Where in the script that error was thrown, when a stack frame (or the parser) says. */
  readonly errorPosition: ScriptPosition | null;
  readonly checks: readonly CheckResult[];
  /** Lines the script printed with print(). */
  readonly printed: readonly string[];
  /** mtia.profiler.opStats() after the run. */
  readonly ops: readonly mtia.OpStats[];
  /** mtia.snapshot() after the run: segments and every device's memory history. */
  readonly snapshot: mtia.MemorySnapshot;
  /** mtia.dumpSnapshot('json') of the same moment. */
  readonly snapshotJson: string;
  /** mtia.dumpSnapshot('pickle') of the same moment, for download: what pytorch.org/memory_viz opens. */
  readonly snapshotPickle: Uint8Array;
  readonly trace: TraceExport;
  /** mtia.getDeviceProperties() of mtia:0. */
  readonly properties: mtia.DeviceProperties;
  /** Wall-clock milliseconds the script took on this machine (not simulated time). */
  readonly wallMs: number;
}

/** The error as one readable string. */
function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The package's Chrome trace export (mtia.profiler.exportChromeTrace), where this build has it. */
async function exportTrace(): Promise<TraceExport> {
  const { exportChromeTrace } = mtia.profiler as { exportChromeTrace?: (path?: string) => unknown };
  if (typeof exportChromeTrace !== 'function') {
    return { trace: null, note: 'this build of mtia-sim has no mtia.profiler.exportChromeTrace()' };
  }
  try {
    const trace = await exportChromeTrace.call(mtia.profiler);
    return typeof trace === 'object' && trace !== null
      ? { trace, note: null }
      : { trace: null, note: `exportChromeTrace() returned ${typeof trace}, not a trace object` };
  } catch (error) {
    return { trace: null, note: `exportChromeTrace() failed: ${describe(error)}` };
  }
}

/** What a run body adds to its result: checks and printed lines (the body pushes into them). */
export interface RunNotes {
  readonly checks: CheckResult[];
  readonly printed: string[];
  /** Where in the script the error the body throws was thrown (set by the body before it rethrows). */
  errorPosition: ScriptPosition | null;
}

/**
 * Configures fresh devices for `request`, calls `prepare` (not profiled: loading a model,
 * making inputs), then `body` with the profiler on, waits for every device and collects the
 * run's records. An error thrown by either becomes the result's `error`; never throws.
 */
export async function runOnDevices(
  request: RunRequest, prepare: (notes: RunNotes) => Promise<void>, body: (notes: RunNotes) => Promise<void>,
): Promise<RunResult> {
  if (mtia.profiler.running) await mtia.profiler.stop();
  if (mtia.isInitialized()) await mtia.shutdown();
  mtia.configure({ deviceCount: request.deviceCount, profile: request.profile.profile, timingOnly: request.timingOnly });
  await mtia.init();
  mtia.recordMemoryHistory({ enabled: 'all' });

  const notes: RunNotes = { checks: [], printed: [], errorPosition: null };
  let error: string | null = null;
  let started = performance.now();
  try {
    await prepare(notes);
    for (let device = 0; device < mtia.deviceCount(); device++) await mtia.synchronize(device);
    started = performance.now();
    mtia.profiler.start();
    try {
      await body(notes);
      for (let device = 0; device < mtia.deviceCount(); device++) await mtia.synchronize(device);
    } finally {
      await mtia.profiler.stop();
    }
  } catch (thrown) {
    error = describe(thrown);
  }
  const wallMs = performance.now() - started;
  return {
    request,
    error,
    errorPosition: error === null ? null : notes.errorPosition,
    checks: notes.checks,
    printed: notes.printed,
    ops: mtia.profiler.opStats(),
    snapshot: mtia.snapshot(),
    snapshotJson: mtia.dumpSnapshot('json'),
    snapshotPickle: mtia.dumpSnapshot('pickle'),
    trace: await exportTrace(),
    properties: mtia.getDeviceProperties(0),
    wallMs,
  };
}

/** A tensor of the package, which print() writes with its values. */
function isTensor(value: unknown): value is lib.Tensor {
  return value instanceof lib.Tensor;
}

/** `value` with each tensor in it (at the top or in an array) replaced by its printed text. */
async function withTensorsRead(value: unknown, timingOnly: boolean): Promise<unknown> {
  if (isTensor(value)) {
    const values = timingOnly ? null : await value.toArray<lib.HostArray>();
    return tensorMarker(formatTensor({ shape: value.shape, dtype: value.dtype, device: String(value.device), values }));
  }
  if (Array.isArray(value) && value.some(isTensor)) return Promise.all(value.map((v) => withTensorsRead(v, timingOnly)));
  return value;
}

/** Runs `request` and collects its results; never throws for a failing script. */
export async function runScript(request: RunRequest): Promise<RunResult> {
  return runOnDevices(request, async () => {}, async (notes) => {
    const { checks, printed } = notes;
    /** print() lines still waiting for a tensor's values. */
    const pending: Promise<void>[] = [];
    const scope: Record<string, unknown> = {
      ...lib,
      ref,
      hostRandom: ref.hostRandom,
      hostIntegers: ref.hostIntegers,
      check: (label: string, got: ArrayLike<number>, expected: ArrayLike<number>, tolerance?: Tolerance) => {
        const result = checkClose(String(label), got, expected, tolerance);
        checks.push(result);
        return result.ok;
      },
      print: (...values: unknown[]) => {
        const line = printed.push('') - 1;
        const write = (resolved: readonly unknown[]) => {
          printed[line] = resolved.map(formatValue).join(' ');
        };
        if (!values.some((v) => isTensor(v) || (Array.isArray(v) && v.some(isTensor)))) {
          write(values);
          return;
        }
        printed[line] = '(reading a tensor\'s values…)';
        pending.push(Promise.all(values.map((v) => withTensorsRead(v, request.timingOnly))).then(write));
      },
    };
    let script: (...values: unknown[]) => Promise<unknown>;
    try {
      script = compileScript(Object.keys(scope), request.code);
    } catch (error) {
      notes.errorPosition = await syntaxErrorPosition(request.code);
      throw error;
    }
    try {
      await script(...Object.values(scope));
      await Promise.all(pending);
    } catch (error) {
      notes.errorPosition = await runtimeErrorPosition(error, request.code);
      throw error;
    }
  });
}
