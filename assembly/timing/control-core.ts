// The control core (MTIA 2i: a quad-core RISC-V, ISCA'25 §3.3): it takes a stream's jobs in
// order, checks their dependencies and broadcasts their work-queue descriptors to the PEs,
// whose work-queue engines fetch them. Published: "<1 µs to launch a job and <0.5 µs to
// replace a job". The model:
//
//   a job the host just submitted (its stream's first since the host last saw the device):
//       start = submitted + launch
//   a job queued behind its stream's previous one (the control core prepared it meanwhile):
//       start = previous end + replace
//   start = max of the two
//
// "submitted" is the stream's STREAM_DISPATCH_CYCLES: the host floor of the last clock advance
// (a synchronize), 0 at boot. The four cores are not modelled as a contended resource; each job
// adds `replace` cycles to the control engine's busy time.
//
// A graph launch (OP_GRAPH_LAUNCH, a replayed MTIAGraph) is launched as one job, by the same
// rule, and its `jobs` jobs then start as soon as their stream is ready, without a launch or a
// replacement each: the control core checked the graph's dependencies once and broadcast all
// of its work-queue descriptors at once, as a CUDA graph launch submits its whole graph
// (cudaGraphLaunch). The count left is the stream's STREAM_GRAPH_JOBS.

import { ENGINE_CONTROL, ENGINE_BUSY_CYCLES, STREAM_DISPATCH_CYCLES, STREAM_GRAPH_JOBS, engineBlock } from "../layout";
import { launchCycles, replaceCycles } from "../profile";

/** When a job of the stream with control block `stream`, ready at `ready` (its previous job's end), starts on the grid. */
export function jobStart(stream: usize, ready: f64): f64 {
  const graphJobs = load<u32>(stream + STREAM_GRAPH_JOBS);
  if (graphJobs > 0) {
    store<u32>(stream + STREAM_GRAPH_JOBS, graphJobs - 1);
    return ready;
  }
  const submitted = load<f64>(stream + STREAM_DISPATCH_CYCLES);
  const control = engineBlock(ENGINE_CONTROL);
  store<f64>(control + ENGINE_BUSY_CYCLES, load<f64>(control + ENGINE_BUSY_CYCLES) + replaceCycles);
  return max(ready + replaceCycles, submitted + launchCycles);
}

/** Launches a graph of `jobs` jobs on the stream ready at `ready`; returns when its jobs may start. */
export function graphLaunch(stream: usize, ready: f64, jobs: u32): f64 {
  store<u32>(stream + STREAM_GRAPH_JOBS, 0);
  const start = jobStart(stream, ready);
  store<u32>(stream + STREAM_GRAPH_JOBS, jobs);
  return start;
}

/** The host submitted what follows on the stream at `time` (it saw the device there). */
export function submittedAt(stream: usize, time: f64): void {
  store<f64>(stream + STREAM_DISPATCH_CYCLES, max(load<f64>(stream + STREAM_DISPATCH_CYCLES), time));
}
