// Issue 21 finding 1: a device started but not waited for, then shut down, must let the
// process exit by itself over either transport. argv: transport, then 'plain' (tensor([1])
// not awaited) or 'deferred' (a queued setRngState that fails at initialization, then use).
import { mtia, tensor } from 'mtia-sim';

const [transport, mode] = process.argv.slice(2);
mtia.configure({ transport });
let used = 'tensor';
if (mode === 'deferred') {
  mtia.setRngState(new Uint8Array(3));
  try {
    tensor([1]);
  } catch (error) {
    used = error.name;
  }
  used += `, init: ${await mtia.init().then(() => 'resolved', (error) => error.name)}`;
} else {
  tensor([1]);
}
await mtia.shutdown();
console.log(JSON.stringify({ used, initialized: mtia.isInitialized() }));
