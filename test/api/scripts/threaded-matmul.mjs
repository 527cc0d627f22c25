// A large matmul on a device with kernel threads, then nothing: the process must exit by itself
// (the helper threads must not keep it alive). Prints the threads used and one checked value.
import { matmul, mtia, ones } from 'mtia-sim';

mtia.configure({ deviceCount: 1, kernelThreads: 2 });
const c = matmul(ones([256, 300]), ones([300, 256]));
const values = await c.toArray();
console.log(JSON.stringify({ threads: await mtia.debug.kernelThreads(), corner: values[values.length - 1] }));
