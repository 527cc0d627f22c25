// Host copies over PCIe (MTIA 2i: 8 lanes of Gen5, 32 GB/s each way; ISCA'25 Table 2). A
// host-to-device copy is DMA'd into DRAM (copies of the range in SRAM are dropped); a
// device-to-host copy reads the bytes from SRAM where resident, else from DRAM. The link is
// the bottleneck either way: body = DRAM latency + bytes / PCIe bytes per cycle, holding the
// link of its direction.

import { ENGINE_PCIE_D2H, ENGINE_PCIE_H2D } from "../layout";
import { dramLatencyCycles, pcieBytesPerCycle } from "../profile";
import {
  BOUND_DRAM, BOUND_PCIE, RECORD_BODY_CYCLES, RECORD_PATH_CYCLES, RECORD_BOUND, RECORD_COMPUTE_CYCLES, RECORD_ENGINE, RECORD_PCIE_BYTES, RECORD_PCIE_DIRECTION,
  RECORD_PEAK_RATE, RECORD_WORK, set,
} from "./record";
import { readOperand, writeDramFromHost } from "./memory-levels";

/** Times a copy of `bytes` from the host into device memory at `dst`. */
export function timeHostToDevice(dst: f64, bytes: f64): void {
  writeDramFromHost(dst, bytes);
  timeLink(bytes, ENGINE_PCIE_H2D);
}

/** Times a copy of `bytes` from device memory at `src` to the host. */
export function timeDeviceToHost(src: f64, bytes: f64): void {
  readOperand(src, bytes);
  timeLink(bytes, ENGINE_PCIE_D2H);
}

function timeLink(bytes: f64, engine: u32): void {
  set(RECORD_PCIE_BYTES, bytes);
  set(RECORD_PCIE_DIRECTION, <f64>engine);
  set(RECORD_WORK, bytes);
  set(RECORD_PEAK_RATE, pcieBytesPerCycle);
  set(RECORD_ENGINE, <f64>engine);
  set(RECORD_BOUND, <f64>BOUND_PCIE);
  set(RECORD_COMPUTE_CYCLES, bytes / pcieBytesPerCycle);
  set(RECORD_BODY_CYCLES, dramLatencyCycles + bytes / pcieBytesPerCycle);
  set(RECORD_PATH_CYCLES + BOUND_DRAM, dramLatencyCycles);
  set(RECORD_PATH_CYCLES + BOUND_PCIE, bytes / pcieBytesPerCycle);
}
