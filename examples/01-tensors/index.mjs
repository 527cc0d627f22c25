// A tiny two-layer network's forward pass, computed on a simulated MTIA device: random weights
// from the device's Philox generator, a bfloat16 matmul, broadcasting, reductions, and
// softmax, then the values back on the host.
import { add, argmax, linear, manualSeed, matmul, randn, softmax, tensor, zeros } from 'mtia-sim';

manualSeed(0);
const x = tensor([[1, 0, -1, 2], [0.5, 0.5, 0.5, 0.5], [-1, 2, 0, 1]]); // 3 samples, 4 features
const w1 = randn([8, 4]); // linear layer: 4 → 8
const b1 = zeros([8]);
const w2 = randn([4, 8], { dtype: 'bfloat16' }); // 8 → 4 classes, in bfloat16

// Every op is enqueued on the device's current stream and returns at once.
const hidden = linear(x, w1, b1).relu();
// w2.transpose(0, 1) is a view: the matmul kernel reads it in place through its strides.
const logits = matmul(hidden.to('bfloat16'), w2.transpose(0, 1)).to('float32');
const shifted = add(logits, tensor([0, 0, 0, 0.5])); // broadcast over the batch
const probabilities = softmax(shifted, -1);
const predicted = argmax(probabilities, 1);

console.log(`logits ${logits} (computed with bfloat16 inputs, float32 accumulation)`);
const p = await probabilities.toArray(); // waits for the device
for (let row = 0; row < 3; row++) {
  console.log(`  sample ${row}: p = [${Array.from(p.slice(row * 4, row * 4 + 4), (v) => v.toFixed(3)).join(', ')}]`);
}
console.log('row sums:', Array.from(await probabilities.sum(1).toArray(), (v) => v.toFixed(6)).join(', '));
console.log('predicted classes:', Array.from(await predicted.toArray()).join(', '));
const host = await probabilities.cpu();
console.log(`on the host: ${host}`);
