// Four devices; mtia:0-2 each suffer one injected fault (trap, exit, hang) while a wait is
// pending on them; mtia:3 keeps computing. No shutdown(): the process must exit by itself.
import { add, mtia, tensor } from 'mtia-sim';

mtia.configure({ deviceCount: 4, controlTimeoutMs: 500 });
await mtia.init();
const lost = [];
const survivor = [];
for (const [device, fault] of [[0, 'trap'], [1, 'exit'], [2, 'hang']]) {
  await mtia.debug.injectFault(device, fault);
  try {
    await add(tensor([1], { device }), 2).toArray();
    lost.push('resolved');
  } catch (error) {
    lost.push(error.name);
  }
  survivor.push((await add(tensor([3], { device: 3 }), 4).toArray())[0]);
}
console.log(JSON.stringify({ lost, survivor }));
