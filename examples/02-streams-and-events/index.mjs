import { add, mtia, tensor, zeros } from 'mtia-sim';

const n = 4 << 20;
const x = tensor(new Float32Array(n).fill(1));
const hostData = new Float32Array(n).fill(2);

/** Simulated ms for the copy on `copyStream` and eight adds on `computeStream`. */
async function timeIt(copyStream, computeStream) {
  const start = new mtia.Event({ enableTiming: true });
  start.record();
  copyStream.waitEvent(start);
  computeStream.waitEvent(start);
  const copied = mtia.withStream(copyStream, () => tensor(hostData));
  const sums = mtia.withStream(computeStream, () => Array.from({ length: 8 }, () => add(x, x)));
  const ends = [copyStream, computeStream].map((s) => s.recordEvent(new mtia.Event({ enableTiming: true })));
  await mtia.synchronize();
  for (const t of [copied, ...sums]) t.free();
  return Math.max(...ends.map((end) => start.elapsedTime(end)));
}

const copyStream = new mtia.Stream();
const computeStream = new mtia.Stream();
const serial = await timeIt(copyStream, copyStream);
const overlapped = await timeIt(copyStream, computeStream);
console.log(`copy + 8 adds on one stream:  ${serial.toFixed(3)} ms of simulated MTIA 2i time`);
console.log(`copy and adds on two streams: ${overlapped.toFixed(3)} ms (${(serial / overlapped).toFixed(2)}× faster)`);

mtia.sanitizer.enable();
const written = mtia.withStream(copyStream, () => zeros([1024]));
try {
  mtia.withStream(computeStream, () => add(written, written));
} catch (error) {
  if (!(error instanceof mtia.StreamRaceError)) throw error;
  console.log(`\nthe sanitizer caught a race: stream ${error.access.streamId} ${error.access.kind} a tensor ` +
    `that stream ${error.previous.streamId} is ${error.previous.kind} (${error.previous.op})`);
}
computeStream.waitStream(copyStream);
const fine = mtia.withStream(computeStream, () => add(written, written));
await mtia.synchronize();
console.log(`after computeStream.waitStream(copyStream) the same read is fine: ${(await fine.toArray()).length} values`);
