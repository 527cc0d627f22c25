// The host's own instance of a device's core, for small work the host waits for.
//
// A read-back of one element crosses threads twice: the host wakes the device worker, which
// runs the op, the copy and the fence, and wakes the host back. Each wake-up is a futex wake
// and an event-loop task on the other side, tens of microseconds on a VM, while the commands
// themselves take a few. So when the host is about to wait for work that is small (a few
// commands over few elements: CommandRing.isSmall) and the firmware is not running the core,
// the host runs those commands itself, on a second instance of the same core module on the
// same shared memory, and the wait is over before it began (SimulatedDevice.runOnHost).
//
// Results and simulated times are the same either way: the core executes the ring in ring
// order whoever calls drain(), and every state it keeps between commands is in device memory
// (assembly/device.ts attach()). The two instances take turns: each holds the core by a
// compare-exchange of the header's CORE_OWNER word from CORE_FREE (the firmware around every
// drain(), workers/firmware.ts), so at most one runs it. This instance never runs the kernel
// threads' matmul: its `threads.matmul` import answers "no threads", and large work is not
// small anyway.
//
// It must be instantiated before the device boots: instantiating a module writes its data
// segments (the core's static data, zeros and tables) into the memory, harmless only while no
// command has run.

import { CORE_FREE, CORE_HOST, DEVICE_FAULTED, HEADER_CORE_OWNER, HEADER_DEVICE_STATE, HEADER_FAULT } from './layout.js';
import type { MemoryViews } from './memory-views.js';
import { STATUS_OK, STATUS_TRAP } from './status.js';

const ownerIndex = HEADER_CORE_OWNER / 4;

/** The core's exported functions the host calls. */
interface CoreExports {
  attach(): number;
  drain(budget: number): number;
}

/** @internal A second instance of a device's core, run by the host. */
export class HostCore {
  private constructor(
    private readonly core: CoreExports,
    private readonly views: MemoryViews,
  ) {}

  /**
   * Instantiates `module` on the device memory `memory` (shared, its header and profile
   * written); undefined if the core refuses to attach (the device's boot then fails too).
   */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, views: MemoryViews): Promise<HostCore | undefined> {
    const instance = await WebAssembly.instantiate(module, { env: { memory }, threads: { matmul: () => 0 } });
    const core = instance.exports as unknown as CoreExports;
    return core.attach() === STATUS_OK ? new HostCore(core, views) : undefined;
  }

  /** Takes the core if nobody runs it; false when the firmware holds it. */
  acquire(): boolean {
    return Atomics.compareExchange(this.views.i32, ownerIndex, CORE_FREE, CORE_HOST) === CORE_FREE;
  }

  /** Runs up to `budget` published commands, the core held (acquire()); a trap faults the device, as in the firmware. */
  drain(budget: number): number {
    try {
      return this.core.drain(budget);
    } catch (trap) {
      Atomics.store(this.views.i32, HEADER_FAULT / 4, STATUS_TRAP);
      Atomics.store(this.views.i32, HEADER_DEVICE_STATE / 4, DEVICE_FAULTED);
      console.error('mtia-sim: the core trapped on the host:', trap);
      return 0;
    }
  }

  /** Gives the core back, and wakes a firmware that found it taken. */
  release(): void {
    Atomics.store(this.views.i32, ownerIndex, CORE_FREE);
    Atomics.notify(this.views.i32, ownerIndex);
  }
}
