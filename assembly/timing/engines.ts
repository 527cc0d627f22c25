// Engine bookkeeping: each engine of a device (layout.ts ENGINE_*) is free from some simulated
// time on. A command waits until its stream is ready and its engine is free, then holds the
// engine for its cycles. Commands reserve engines in issue order, so an engine serves streams
// first come, first served.

import { ENGINE_BUSY_CYCLES, ENGINE_FREE_CYCLES, engineBlock } from "../layout";

/** Reserves `engine` for `cycles`, starting no earlier than `ready`; returns when it is done. */
export function reserve(engine: u32, ready: f64, cycles: f64): f64 {
  const block = engineBlock(engine);
  const start = max(ready, load<f64>(block + ENGINE_FREE_CYCLES));
  const end = start + cycles;
  store<f64>(block + ENGINE_FREE_CYCLES, end);
  store<f64>(block + ENGINE_BUSY_CYCLES, load<f64>(block + ENGINE_BUSY_CYCLES) + cycles);
  return end;
}
