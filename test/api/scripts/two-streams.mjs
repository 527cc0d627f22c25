// A script for `mtia-sim trace` (test/api/cli.test.ts): a matmul on the default stream, a side
// stream that waits for it and adds, read back. It imports 'mtia-sim' from a folder without
// node_modules, so only the CLI's resolve hook can find the library.
import { add, matmul, mtia, randn } from 'mtia-sim';

const side = new mtia.Stream();
const a = randn([128, 128]);
const product = matmul(a, a);
side.waitEvent(mtia.currentStream().recordEvent());
const sum = mtia.withStream(side, () => add(product, product));
console.log(`script read ${(await sum.toArray()).length} values`);
if (process.env.FAIL_AFTER_WORK) throw new Error('the script failed on purpose');
