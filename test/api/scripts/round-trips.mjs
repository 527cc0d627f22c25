// Round trips (an op, then its value read back) over the transport given as argv[2], then
// nothing: the process must exit by itself, its device worker asleep (workers/firmware.ts).
// Prints the last value read.
import { add, mtia, tensor } from 'mtia-sim';

mtia.configure({ deviceCount: 1, transport: process.argv[2] });
const one = tensor(new Float32Array([1]));
let x = tensor(new Float32Array([0]));
for (let i = 0; i < 100; i++) {
  const next = add(x, one);
  x.free();
  x = next;
  await x.toArray();
}
console.log(JSON.stringify({ last: (await x.toArray())[0] }));
