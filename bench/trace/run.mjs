// Trace export: profiles N small ops (default 1 M adds of [16] float32 tensors on one device,
// timing-only, each result freed, an await every 8192), then writes mtia.profiler.exportChromeTrace(path) to a
// temporary file as a stream and reports the file's size, the time to write it and the peak RSS
// of the whole run (process.resourceUsage().maxRSS) before and after the export. Exits 1 unless
// the file parses back to the events it claims (checked by streaming: its first and last bytes
// and the count of op slices, without reading it into one string).
//
// Usage: node bench/trace/run.mjs [--ops N] [--keep]   (npm run bench:trace)

import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { add, empty, mtia } from 'mtia-sim';

const at = process.argv.indexOf('--ops');
const OPS = at < 0 ? 1_000_000 : Number(process.argv[at + 1]);
const MiB = 1 << 20;
const rssMiB = () => process.resourceUsage().maxRSS / 1024;

mtia.configure({ timingOnly: true });
const a = empty([16]);
const b = empty([16]);
await mtia.synchronize();
mtia.profiler.start();
const t0 = performance.now();
for (let i = 0; i < OPS; i++) {
  add(a, b).free();
  if (i % 8192 === 8191) await mtia.synchronize();
}
await mtia.profiler.stop();
const profiledS = (performance.now() - t0) / 1e3;
const rssBefore = rssMiB();

const dir = mkdtempSync(join(tmpdir(), 'mtia-trace-bench-'));
const path = join(dir, 'trace.json');
const t1 = performance.now();
const written = await mtia.profiler.exportChromeTrace(path);
const exportS = (performance.now() - t1) / 1e3;
const rssAfter = rssMiB();

// Check the file without holding it: count op slices as it streams past.
let opSlices = 0;
let carry = '';
let head = '';
for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
  if (head.length < 16) head += chunk.slice(0, 16);
  const text = carry + chunk;
  for (let k = text.indexOf('"cat":"op"'); k !== -1; k = text.indexOf('"cat":"op"', k + 1)) opSlices++;
  carry = text.slice(-9);
}
const ok = head.startsWith('{"traceEvents":[') && carry.endsWith('}}') && opSlices === OPS && written.ops === OPS && statSync(path).size === written.bytes;
console.log(JSON.stringify({
  ops: OPS, profiledS: +profiledS.toFixed(1), fileMiB: +(written.bytes / MiB).toFixed(0), events: written.events,
  exportS: +exportS.toFixed(1), peakRssMiBBeforeExport: Math.round(rssBefore), peakRssMiBAfterExport: Math.round(rssAfter), ok,
}));
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else console.log(path);
await mtia.shutdown();
process.exit(ok ? 0 : 1);
