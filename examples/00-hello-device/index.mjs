import { add, mtia, tensor } from 'mtia-sim';

for (let index = 0; index < mtia.deviceCount(); index++) {
  await mtia.withDevice(index, async () => {
    const { name, clockHz, peNumRows, peNumCols, totalMemory, dramBytes } = mtia.getDeviceProperties();
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const y = add(x, x); // enqueued: returns before the device has computed anything
    console.log(`mtia:${index}: ${name}, ${clockHz / 1e9} GHz, ${peNumRows}x${peNumCols} PEs, ${totalMemory / 2 ** 20} MiB simulated of ${dramBytes / 2 ** 30} GiB DRAM`);
    console.log(`  ${y} ->`, Array.from(await y.toArray()));
  });
}
