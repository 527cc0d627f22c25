// mtia.scalesim against SCALE-Sim v2 on the same files: the wall time of mtia.scalesim.run for
// each golden fixture (test/fixtures/scalesim: a topology × config SCALE-Sim v2 itself ran, its
// reports kept, CALC and USER modes), first checked to write SCALE-Sim's three reports byte for
// byte, next to the wall time SCALE-Sim took for it (PROVENANCE.md, `/usr/bin/time` on this
// 2-core machine); then whole shipped topologies in all three dataflows (wall and CPU ms: the
// machine is shared, CPU is the run's own cost), and AlexNet in os beside SCALE-Sim's measured
// wall time for the same run (docs/benchmarks.md, "SCALE-Sim"); and the first call in a fresh
// process (V8 compiling the model's loops as it runs), ResNet-18 in os, ws and is, in FIRST_CALLS
// child processes.
//
// Usage: node bench/timing/scalesim.mjs [--json]

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mtia } from 'mtia-sim';
import { summarize } from '../measure.mjs';

const FIXTURES = new URL('../../test/fixtures/scalesim/', import.meta.url);
const read = (path) => readFileSync(new URL(path, FIXTURES), 'utf8');
const ROUNDS = 9;
/** Fresh processes for the first-call figure. */
const FIRST_CALLS = 5;
const jsonOnly = process.argv.includes('--json');
const log = jsonOnly ? () => {} : (...args) => console.log(...args);

/** SCALE-Sim v2's wall seconds for the AlexNet fixture (the whole shipped topology, os, 32 × 32, CALC). */
const SCALESIM_ALEXNET_OS_SECONDS_FIXTURE = 1776.89;
/** SCALE-Sim v2's wall seconds for each fixture (PROVENANCE.md; a loaded 2-core machine). */
const SCALESIM_SECONDS = {
  'gemm_test_mnk_input scalesim_32x32_os_calc': 10.55, 'gemm_test_mnk_input scalesim_32x32_ws_calc': 3.54, 'gemm_test_mnk_input scalesim_32x32_is_calc': 22.03,
  'gemm_test_mnk_input scalesim_64x16_os_calc': 4.44, 'gemm_test_mnk_input scalesim_64x16_ws_calc': 2.47, 'gemm_test_mnk_input scalesim_64x16_is_calc': 4.22,
  'mobilenet_dw_part scalesim_32x32_os_calc': 3.81, 'mobilenet_dw_part scalesim_32x32_ws_calc': 3.27, 'mobilenet_dw_part scalesim_32x32_is_calc': 3.15,
  'mobilenet_dw_part scalesim_64x16_os_calc': 3.31, 'mobilenet_dw_part scalesim_64x16_ws_calc': 3.31, 'mobilenet_dw_part scalesim_64x16_is_calc': 4.91,
  'resnet18_part scalesim_32x32_os_calc': 12.13, 'resnet18_part scalesim_32x32_ws_calc': 24.21, 'resnet18_part scalesim_32x32_is_calc': 9.34,
  'resnet18_part scalesim_64x16_os_calc': 14.54, 'resnet18_part scalesim_64x16_ws_calc': 13.19, 'resnet18_part scalesim_64x16_is_calc': 34.08,
  'gemm_test_mnk_input scalesim_32x32_os_user': 4.33, 'gemm_test_mnk_input scalesim_32x32_ws_user': 2.57,
  'mobilenet_dw_part scalesim_32x32_os_user': 4.40, 'mobilenet_dw_part scalesim_32x32_ws_user': 2.67, 'mobilenet_dw_part scalesim_32x32_is_user': 4.91,
  'alexnet scalesim_32x32_os_calc': SCALESIM_ALEXNET_OS_SECONDS_FIXTURE,
  'resnet18_part scalesim_32x32_os_user': 19.55, 'resnet18_part scalesim_32x32_ws_user': 28.82, 'resnet18_part scalesim_32x32_is_user': 13.83,
};
/** SCALE-Sim v2's wall seconds for the whole of its shipped AlexNet (topologies/conv_nets/alexnet.csv, 5 layers) in os on 32 × 32, CALC (docs/benchmarks.md; 205.7 s of CPU). */
const SCALESIM_ALEXNET_OS_SECONDS = 1776.89;

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
  const ours = mtia.scalesim.run(config, csv, { inputType }).reports;
  for (const name of ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']) {
    if (ours[name] !== read(`reports/${topology}/${runName}/${name}`)) throw new Error(`${key}: ${name} differs from SCALE-Sim's`);
  }
  const wall = time(() => mtia.scalesim.run(config, csv, { inputType }));
  rows.push({ topology, runName, scalesimSeconds, oursMs: wall });
  log(`| ${topology} | ${runName} | ${scalesimSeconds} | ${wall.median.toFixed(3)} | ${Math.round((scalesimSeconds * 1e3) / wall.median).toLocaleString('en')}× |`);
}

/** Median wall ms and CPU ms of `fn` over ROUNDS runs (after one warm-up). */
function timeCpu(fn) {
  fn();
  const wall = [], cpu = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now(), used = process.cpuUsage();
    fn();
    wall.push(performance.now() - start);
    const delta = process.cpuUsage(used);
    cpu.push((delta.user + delta.system) / 1000);
  }
  return { wall: summarize(wall), cpu: summarize(cpu) };
}

const base = read('configs/scalesim_32x32_os_calc.cfg');
const WHOLE = [
  ['Resnet18.csv', 'ResNet-18 (topologies/conv_nets/Resnet18.csv, 21 layers)', 'conv'],
  ['alexnet.csv', 'AlexNet (topologies/conv_nets/alexnet.csv, 5 layers)', 'conv'],
];
const whole = [];
log('\n| topology (32 × 32, CALC) | os + ws + is: wall ms | CPU ms (median) |');
log('|---|---|---|');
for (const [file, label, inputType] of WHOLE) {
  const csv = read(`topologies/${file}`);
  const t = timeCpu(() => {
    for (const dataflow of ['os', 'ws', 'is']) mtia.scalesim.run(base.replace('Dataflow : os', `Dataflow : ${dataflow}`), csv, { inputType });
  });
  whole.push({ topology: file, wallMs: t.wall, cpuMs: t.cpu });
  log(`| ${label} | ${t.wall.median.toFixed(0)} | ${t.cpu.median.toFixed(0)} |`);
}
const alexnetOs = timeCpu(() => mtia.scalesim.run(base, read('topologies/alexnet.csv')));
log(`\nAlexNet in os alone: ${alexnetOs.wall.median.toFixed(0)} ms wall, ${alexnetOs.cpu.median.toFixed(0)} ms CPU` +
  `; SCALE-Sim v2: ${SCALESIM_ALEXNET_OS_SECONDS} s (${Math.round((SCALESIM_ALEXNET_OS_SECONDS * 1e3) / alexnetOs.wall.median)}× ours)`);

/** The first mtia.scalesim.run calls of a fresh process: ResNet-18 in os, ws, is; wall and CPU ms. */
const FIRST_CALL = `
import { readFileSync } from 'node:fs';
import { mtia } from 'mtia-sim';
const config = readFileSync(process.argv[1] + 'configs/scalesim_32x32_os_calc.cfg', 'utf8');
const csv = readFileSync(process.argv[1] + 'topologies/Resnet18.csv', 'utf8');
const start = performance.now(), used = process.cpuUsage();
for (const dataflow of ['os', 'ws', 'is']) mtia.scalesim.run(config.replace('Dataflow : os', 'Dataflow : ' + dataflow), csv);
const delta = process.cpuUsage(used);
console.log(JSON.stringify({ wall: performance.now() - start, cpu: (delta.user + delta.system) / 1000 }));`;
const firstWall = [], firstCpu = [];
for (let i = 0; i < FIRST_CALLS; i++) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', FIRST_CALL, fileURLToPath(FIXTURES)], { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' });
  const { wall, cpu } = JSON.parse(out);
  firstWall.push(wall);
  firstCpu.push(cpu);
}
const firstCall = { wall: summarize(firstWall), cpu: summarize(firstCpu) };
log(`\nResNet-18 in os, ws, is, first call in a fresh process (median of ${FIRST_CALLS} processes): ` +
  `${firstCall.wall.median.toFixed(0)} ms wall (${firstCall.wall.min.toFixed(0)}–${firstCall.wall.max.toFixed(0)}), ` +
  `${firstCall.cpu.median.toFixed(0)} ms CPU (${firstCall.cpu.min.toFixed(0)}–${firstCall.cpu.max.toFixed(0)})`);
console.log(JSON.stringify({ fixtures: rows, whole, alexnetOs, firstCall }));
