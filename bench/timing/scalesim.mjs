// mtia.scalesim against SCALE-Sim v2 on the same files: the wall time of mtia.scalesim.run for
// each golden fixture (test/fixtures/scalesim: a topology × config SCALE-Sim v2 itself ran, its
// reports kept), first checked to write SCALE-Sim's Total Cycles, next to the wall time SCALE-Sim
// took for it (PROVENANCE.md, `/usr/bin/time` on this 2-core machine), and a whole shipped
// topology (ResNet-18, 21 layers) in all three dataflows.
//
// Usage: node bench/timing/scalesim.mjs [--json]

import { readFileSync } from 'node:fs';
import { mtia } from 'mtia-sim';
import { summarize } from '../measure.mjs';

const FIXTURES = new URL('../../test/fixtures/scalesim/', import.meta.url);
const read = (path) => readFileSync(new URL(path, FIXTURES), 'utf8');
const ROUNDS = 9;
const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

/** SCALE-Sim v2's wall seconds for each fixture (PROVENANCE.md; a loaded 2-core machine). */
const SCALESIM_SECONDS = {
  'gemm_test_mnk_input scalesim_32x32_os_calc': 10.55, 'gemm_test_mnk_input scalesim_32x32_ws_calc': 3.54, 'gemm_test_mnk_input scalesim_32x32_is_calc': 22.03,
  'gemm_test_mnk_input scalesim_64x16_os_calc': 4.44, 'gemm_test_mnk_input scalesim_64x16_ws_calc': 2.47, 'gemm_test_mnk_input scalesim_64x16_is_calc': 4.22,
  'mobilenet_dw_part scalesim_32x32_os_calc': 3.81, 'mobilenet_dw_part scalesim_32x32_ws_calc': 3.27, 'mobilenet_dw_part scalesim_32x32_is_calc': 3.15,
  'mobilenet_dw_part scalesim_64x16_os_calc': 3.31, 'mobilenet_dw_part scalesim_64x16_ws_calc': 3.31, 'mobilenet_dw_part scalesim_64x16_is_calc': 4.91,
  'resnet18_part scalesim_32x32_os_calc': 12.13, 'resnet18_part scalesim_32x32_ws_calc': 24.21, 'resnet18_part scalesim_32x32_is_calc': 9.34,
  'resnet18_part scalesim_64x16_os_calc': 14.54, 'resnet18_part scalesim_64x16_ws_calc': 13.19, 'resnet18_part scalesim_64x16_is_calc': 34.08,
};

/** Median wall ms of `fn` over ROUNDS runs (after one warm-up). */
function time(fn) {
  fn();
  const ms = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
  }
  return summarize(ms);
}

const rows = [];
log('| topology | config | SCALE-Sim s | ours ms (median) | faster |');
log('|---|---|---|---|---|');
for (const [key, scalesimSeconds] of Object.entries(SCALESIM_SECONDS)) {
  const [topology, runName] = key.split(' ');
  const config = read(`configs/${runName}.cfg`);
  const csv = read(`topologies/${topology}.csv`);
  const inputType = topology.startsWith('gemm') ? 'gemm' : 'conv';
  const golden = read(`reports/${topology}/${runName}/COMPUTE_REPORT.csv`);
  const ours = mtia.scalesim.run(config, csv, { inputType }).reports['COMPUTE_REPORT.csv'];
  const cycles = (text) => text.trim().split('\n').slice(1).map((line) => line.split(', ')[1]);
  if (cycles(ours).join() !== cycles(golden).join()) throw new Error(`${key}: Total Cycles differ from SCALE-Sim's`);
  const wall = time(() => mtia.scalesim.run(config, csv, { inputType }));
  rows.push({ topology, runName, scalesimSeconds, oursMs: wall });
  log(`| ${topology} | ${runName} | ${scalesimSeconds} | ${wall.median.toFixed(3)} | ${Math.round((scalesimSeconds * 1e3) / wall.median).toLocaleString('en')}× |`);
}

const resnet = read('topologies/Resnet18.csv');
const base = read('configs/scalesim_32x32_os_calc.cfg');
const whole = time(() => {
  for (const dataflow of ['os', 'ws', 'is']) mtia.scalesim.run(base.replace('Dataflow : os', `Dataflow : ${dataflow}`), resnet);
});
log(`\nResNet-18 (21 layers, topologies/conv_nets/Resnet18.csv), 32 × 32, os + ws + is: ${whole.median.toFixed(1)} ms median`);
console.log(JSON.stringify({ fixtures: rows, resnet18ThreeDataflowsMs: whole }));
