// The acceptance script: import mtia-sim, configure 2 devices, add two 1 M-element
// float32 tensors on device 1, check the values, and exit without calling shutdown().
import { add, mtia, tensor } from 'mtia-sim';

mtia.configure({ deviceCount: 2 });
const n = 1 << 20;
const a = Float32Array.from({ length: n }, (_, i) => i * 0.25);
const b = Float32Array.from({ length: n }, (_, i) => 1 - i);
const c = add(tensor(a, { device: 1 }), tensor(b, { device: 'mtia:1' }));
const values = await c.toArray();
let wrong = 0;
for (let i = 0; i < n; i++) if (values[i] !== Math.fround(a[i] + b[i])) wrong++;
console.log(JSON.stringify({ device: String(c.device), numel: c.numel, wrong }));
