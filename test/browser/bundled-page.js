// A page as a user writes it: imports 'mtia-sim' by name. test/browser/bundle.test.ts installs
// the packed package next to it, bundles it with `esbuild bundled-page.js --bundle --format=esm`
// and opens it in Chromium; window.runBundledCheck() runs a tensor op on a simulated device,
// shows the result on the page and returns it as plain data; window.allocationFrames() records
// memory history around one allocation and returns that allocation's stack frames (from a
// snapshot taken once the library has loaded the page's source map, which it does asynchronously).

import { matmul, mtia, tensor, zeros } from 'mtia-sim';

/** Row-major product of an m×k and a k×n matrix, in float64 (the values are small integers). */
function referenceMatmul(a, b, m, k, n) {
  const out = new Array(m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) out[i * n + j] += a[i * k + p] * b[p * n + j];
    }
  }
  return out;
}

/** Shows rows of numbers as a table under a paragraph that says what they are. */
function showMatrix(caption, values, rows, cols) {
  const title = document.createElement('p');
  title.id = 'result';
  title.textContent = caption;
  document.body.append(title);
  const table = document.createElement('table');
  table.border = '1';
  for (let i = 0; i < rows; i++) {
    const row = table.insertRow();
    for (let j = 0; j < cols; j++) row.insertCell().textContent = String(values[i * cols + j]);
  }
  document.body.append(table);
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Waits until the library has fetched this bundle, and its source map when the bundle names one:
 * it loads maps asynchronously, so frames captured before are mapped by the next snapshot.
 */
async function sourceMapsLoaded() {
  // The bundle is ./page.js beside the page (bundle.test.ts); import.meta is left out, as webpack
  // rewrites it at build time (and warns on a `new URL(expression, import.meta.url)`).
  const bundle = new URL('page.js', location.href);
  const fetched = (url) => performance.getEntriesByType('resource').some((e) => e.initiatorType === 'fetch' && e.name === url);
  for (let i = 0; i < 1000 && !fetched(bundle.href); i++) await sleep(10);
  const text = await (await fetch(bundle)).text();
  const named = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text.slice(-4096));
  if (named !== null) for (let i = 0; i < 1000 && !fetched(new URL(named[1], bundle).href); i++) await sleep(10);
  await sleep(50); // the response read into the map
}

window.allocationFrames = async () => {
  try {
    await mtia.init();
    mtia.recordMemoryHistory();
    const allocationSite = zeros([16], { device: 'mtia:0' }); // the frame the test looks for
    await sourceMapsLoaded();
    const trace = mtia.snapshot().device_traces[0];
    const entry = trace.findLast((item) => item.action === 'alloc' && item.size >= allocationSite.numel * 4);
    mtia.recordMemoryHistory({ enabled: null });
    return { frames: entry?.frames ?? null, error: null };
  } catch (error) {
    return { frames: null, error: String(error?.stack ?? error) };
  }
};

window.runBundledCheck = async () => {
  const report = { crossOriginIsolated: globalThis.crossOriginIsolated, device: null, got: null, expected: null, error: null };
  try {
    const [m, k, n] = [4, 8, 3];
    const a = Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const b = Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const x = tensor(a, { device: 'mtia:0' }).reshape([m, k]);
    const w = tensor(b, { device: 'mtia:0' }).reshape([k, n]);
    const y = matmul(x, w);
    report.device = String(y.device);
    report.got = Array.from(await y.toArray());
    report.expected = referenceMatmul(a, b, m, k, n);
    const same = report.got.every((value, i) => value === report.expected[i]);
    showMatrix(`matmul on ${report.device} (${same ? 'equals' : 'differs from'} the CPU reference)`, report.got, m, n);
  } catch (error) {
    report.error = String(error?.stack ?? error);
  } finally {
    await mtia.shutdown();
  }
  document.title = 'done';
  return report;
};

/**
 * A matmul large enough for kernel threads on a device configured with two: their count (from
 * the device's worker) and how many product elements differ from the float64 reference (the
 * values are small integers, so float32 sums are exact).
 */
window.threadedMatmul = async () => {
  try {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, kernelThreads: 2 });
    const [m, k, n] = [128, 300, 112];
    const a = Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const b = Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const got = await matmul(tensor(a).reshape([m, k]), tensor(b).reshape([k, n])).toArray();
    const expected = referenceMatmul(a, b, m, k, n);
    const wrong = expected.filter((value, i) => got[i] !== value).length;
    return { threads: await mtia.debug.kernelThreads(), wrong, error: null };
  } catch (error) {
    return { threads: null, wrong: null, error: String(error?.stack ?? error) };
  } finally {
    await mtia.shutdown();
  }
};
