// The playground page: wires the controls to script-runner.ts (scripts) and onnx-runner.ts (an
// opened or dropped .onnx model, with its per-layer table) and draws what a run produced
// (timeline.ts, heat-map.ts from pe-grid.ts, op-explanation.ts, memory-timeline.ts; the timeline
// and the memory chart share one time axis, time-view.ts). The profile, devices, timing-only
// box, workload and an edited script live in the URL's hash (url-state.ts), restored on load.
// Ctrl+Enter (⌘+Enter) runs. The page sets body[data-state] to 'ready', 'running', 'done' or
// 'error' (the browser test waits on it).

import { mtia } from 'mtia-sim';
import { downloadBytes, downloadText } from './downloads.js';
import { renderHeatMap } from './heat-map.js';
import { renderMemoryTimeline } from './memory-timeline.js';
import { renderOpExplanation } from './op-explanation.js';
import { FILE_LIMIT_BYTES, layerRows, runModel, VALUES_LIMIT_BYTES, type LayerRow, type ModelRunResult } from './onnx-runner.js';
import { peGridOf } from './pe-grid.js';
import { profileChoices } from './profile-choices.js';
import { mountScaleSimPanel } from './scalesim-panel.js';
import { runScript, type RunResult } from './script-runner.js';
import { excerpt } from './script-source.js';
import { TimeView, spanOf } from './time-view.js';
import { markSelected, opSummary, renderTimeline } from './timeline.js';
import { eventFlows, memorySamples } from './trace-reading.js';
import { formatBytes, formatNs, formatPercent } from './units.js';
import { readHash, writeHash } from './url-state.js';
import { workloads } from './workloads.js';

/** The element with id `id`, of the type the page gives it. */
function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the playground page has no #${id}`);
  return element as T;
}

const ui = {
  profile: byId<HTMLSelectElement>('profile'),
  devices: byId<HTMLSelectElement>('devices'),
  timingOnly: byId<HTMLInputElement>('timing-only'),
  workload: byId<HTMLSelectElement>('workload'),
  code: byId<HTMLTextAreaElement>('code'),
  lineNumbers: byId<HTMLElement>('line-numbers'),
  run: byId<HTMLButtonElement>('run'),
  status: byId<HTMLElement>('status'),
  errorExcerpt: byId<HTMLElement>('error-excerpt'),
  checks: byId<HTMLUListElement>('checks'),
  printed: byId<HTMLElement>('printed'),
  timeline: byId<HTMLElement>('timeline'),
  heatMap: byId<HTMLElement>('heat-map'),
  explanation: byId<HTMLElement>('explanation'),
  memory: byId<HTMLElement>('memory'),
  opTable: byId<HTMLTableElement>('op-table'),
  downloadTrace: byId<HTMLButtonElement>('download-trace'),
  downloadSnapshot: byId<HTMLButtonElement>('download-snapshot'),
  traceNote: byId<HTMLElement>('trace-note'),
  environment: byId<HTMLElement>('environment'),
  modelFile: byId<HTMLInputElement>('model-file'),
  modelInfo: byId<HTMLElement>('model-info'),
  modelSummary: byId<HTMLElement>('model-summary'),
  modelDims: byId<HTMLElement>('model-dims'),
  modelNote: byId<HTMLElement>('model-note'),
  layersPanel: byId<HTMLElement>('layers-panel'),
  layerTable: byId<HTMLTableElement>('layer-table'),
  dropOverlay: byId<HTMLElement>('drop-overlay'),
  scriptHint: byId<HTMLElement>('script-hint'),
};

const MAX_DEVICES = 4;
const CUSTOM = 'custom';
/** The workload entry of an opened ONNX model. */
const MODEL = 'model';
let last: RunResult | undefined;
/** Stops the last run's charts from following its time axis. */
let stopCharts: (() => void)[] = [];

/** The model the user opened: its file's bytes and the data files read with it. */
interface OpenedModel {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** Data files opened with it, read when a run needs values (those under 2 GB). */
  readonly dataFiles: readonly File[];
  /** The data files' bytes read so far, by name. */
  readonly externalData: Record<string, Uint8Array>;
  /** Bytes of the .onnx and every data file given with it (read or not). */
  readonly totalBytes: number;
}
let opened: OpenedModel | undefined;
/** The editor's text for the opened model (what Run does with it). */
let modelCode = '';
/** The per-layer rows of the last model run, and how the table is sorted. */
let layers: LayerRow[] = [];
let layerSort: 'time' | 'order' = 'time';

/** Adds an <option> to `select`. */
function option(select: HTMLSelectElement, value: string, text: string): void {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = text;
  select.appendChild(element);
}

function setState(state: 'ready' | 'running' | 'done' | 'error', status: string): void {
  document.body.dataset.state = state;
  ui.status.textContent = status;
  if (state !== 'error') ui.errorExcerpt.textContent = '';
}

/** Loads built-in workload `id` into the editor. */
function loadWorkload(id: string): void {
  const workload = workloads.find((w) => w.id === id);
  if (workload === undefined) return;
  ui.code.readOnly = false;
  ui.code.wrap = 'off';
  ui.scriptHint.hidden = false;
  ui.code.value = workload.code;
  numberLines();
  ui.timingOnly.checked = workload.timingOnly;
}

/** Shows op `index` of the last run: selected in the timeline and table, its heat map and explanation. */
function selectOp(index: number): void {
  const op = last?.ops[index];
  if (last === undefined || op === undefined) return;
  markSelected(ui.timeline, index);
  for (const row of ui.opTable.querySelectorAll('tr.selected')) row.classList.remove('selected');
  ui.opTable.querySelector(`tr[data-op="${index}"]`)?.classList.add('selected');
  for (const row of ui.layerTable.querySelectorAll('tr.selected')) row.classList.remove('selected');
  for (const row of ui.layerTable.querySelectorAll<HTMLTableRowElement>('tbody tr')) {
    if (row.dataset.node === op.label) row.classList.add('selected');
  }
  const { peNumRows, peNumCols } = last.properties;
  renderHeatMap(ui.heatMap, peGridOf(op, peNumRows, peNumCols, last.request.profile.array), `#${index} ${op.name}`);
  renderOpExplanation(ui.explanation, op, index, mtia.profiler.runEnergy(last.ops), peNumRows, peNumCols, last.request.profile.array);
}

/** Fills the op table. */
function renderOpTable(result: RunResult): void {
  ui.opTable.replaceChildren();
  const head = ui.opTable.createTHead().insertRow();
  for (const title of ['#', 'op', 'device', 'stream', 'start', 'duration', 'engine', 'bound']) {
    const th = document.createElement('th');
    th.textContent = title;
    head.appendChild(th);
  }
  const body = ui.opTable.createTBody();
  result.ops.forEach((op, index) => {
    const row = body.insertRow();
    row.dataset.op = String(index);
    row.title = opSummary(op);
    const cells: [string, boolean][] = [
      [String(index), true], [op.name, false], [`mtia:${op.device}`, false], [String(op.stream), true],
      [formatNs(op.startNs), true], [formatNs(op.endNs - op.startNs), true], [op.engine, false], [op.bound, false],
    ];
    for (const [text, number] of cells) {
      const cell = row.insertCell();
      cell.textContent = text;
      if (number) cell.className = 'number';
    }
  });
  body.addEventListener('click', (event) => {
    const row = (event.target as Element).closest('tr');
    if (row?.dataset.op !== undefined) selectOp(Number(row.dataset.op));
  });
}

/** The op to show first: the longest DPE op, else the longest op; -1 when there are none. */
function firstSelection(result: RunResult): number {
  const duration = (index: number) => result.ops[index]!.endNs - result.ops[index]!.startNs;
  const indices = result.ops.map((_, index) => index);
  const dpe = indices.filter((index) => result.ops[index]!.engine === 'dpe');
  const pool = dpe.length > 0 ? dpe : indices;
  return pool.reduce((best, index) => (best < 0 || duration(index) > duration(best) ? index : best), -1);
}

/** Draws everything of `result`. */
function show(result: RunResult): void {
  last = result;
  layers = [];
  ui.layersPanel.hidden = true;
  ui.layerTable.replaceChildren();
  ui.checks.replaceChildren();
  const note = (className: string, text: string) => {
    const item = document.createElement('li');
    item.className = className;
    item.textContent = text;
    ui.checks.appendChild(item);
  };
  for (const check of result.checks) note(check.ok ? 'check ok' : 'check bad', check.summary);
  if (result.checks.length === 0) {
    note('check none', result.request.timingOnly ? 'timing-only: tensors have no values, so there is nothing to check' : 'the script checked no values');
  }
  ui.printed.textContent = result.printed.join('\n');
  drawCharts(result);
  renderOpTable(result);
  ui.heatMap.replaceChildren();
  ui.explanation.replaceChildren();
  const first = firstSelection(result);
  if (first >= 0) selectOp(first);
  ui.downloadSnapshot.disabled = false;
  ui.downloadTrace.disabled = result.trace.trace === null;
  ui.traceNote.textContent = result.trace.note === null ? '' : `Chrome trace unavailable: ${result.trace.note}.`;
}

/** Draws the timeline and the memory chart of `result` on one new time axis. */
function drawCharts(result: RunResult): void {
  for (const stop of stopCharts) stop();
  const flows = result.trace.trace === null ? [] : eventFlows(result.trace.trace);
  const view = new TimeView(spanOf([...result.ops, ...flows.flatMap((f) => [f.record, ...f.waits])]));
  const samples = result.trace.trace === null ? new Map() : memorySamples(result.trace.trace);
  stopCharts = [
    renderTimeline(ui.timeline, result.ops, selectOp, { view, flows }),
    renderMemoryTimeline(ui.memory, samples, view, result.trace.note === null ? undefined : `No memory chart: ${result.trace.note}.`),
  ];
}

/** Each device's simulated span of the run: 'mtia:0 1.2 ms'. */
function simulatedSpans(result: RunResult): string[] {
  const devices = [...new Set(result.ops.map((op) => op.device))];
  return devices.map((d) => {
    const mine = result.ops.filter((op) => op.device === d);
    return `mtia:${d} ${formatNs(Math.max(...mine.map((op) => op.endNs)) - Math.min(...mine.map((op) => op.startNs)))}`;
  });
}

/** Numbers the editor's lines in its gutter (hidden for a model's wrapped, read-only text), scrolled with it. */
function numberLines(): void {
  ui.lineNumbers.hidden = ui.code.readOnly;
  const count = ui.code.value.split('\n').length;
  if (ui.lineNumbers.childElementCount !== count) {
    ui.lineNumbers.replaceChildren(...Array.from({ length: count }, (_, i) => {
      const number = document.createElement('span');
      number.textContent = String(i + 1);
      return number;
    }));
  }
  ui.lineNumbers.scrollTop = ui.code.scrollTop;
}

/** Shows the script's line `line` under the status with a caret at `column`, and selects it in the editor. */
function showErrorAt(line: number, column: number): void {
  const code = ui.code.value;
  ui.errorExcerpt.textContent = excerpt(code, { line, column });
  const lines = code.split('\n');
  const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  ui.code.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  // Scroll the editor to the line (the textarea's line height is its font's 1.4).
  ui.code.scrollTop = Math.max(0, (line - 3) * Number.parseFloat(getComputedStyle(ui.code).lineHeight || '17'));
  numberLines();
  for (const [i, number] of [...ui.lineNumbers.children].entries()) number.classList.toggle('error-line', i === line - 1);
}

async function run(): Promise<void> {
  const profile = profileChoices.find((p) => p.id === ui.profile.value) ?? profileChoices[0]!;
  ui.run.disabled = true;
  setState('running', 'Running…');
  try {
    const result = await runScript({
      profile, deviceCount: Number(ui.devices.value), timingOnly: ui.timingOnly.checked, code: ui.code.value,
    });
    show(result);
    const spans = simulatedSpans(result);
    const failed = result.checks.filter((c) => !c.ok).length;
    if (result.error !== null) {
      const at = result.errorPosition;
      setState('error', `The script failed${at === null ? '' : ` at line ${at.line}, column ${at.column}`}: ${result.error}`);
      if (at !== null) showErrorAt(at.line, at.column);
    } else {
      const verdict = result.checks.length === 0 ? '' : failed === 0 ? ', every check correct' : `, ${failed} check(s) MISMATCH`;
      // getDeviceProperties().transport: where the package reports how commands reach the workers.
      const { transport } = result.properties as { transport?: unknown };
      const carried = typeof transport === 'string' ? `; commands over ${transport}` : '';
      setState('done', `${result.ops.length} ops; simulated ${spans.join(', ')}; ${result.wallMs.toFixed(0)} ms on this machine${carried}${verdict}.`);
    }
  } catch (error) {
    setState('error', `The run failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  } finally {
    ui.run.disabled = false;
  }
}


/** Fills the per-layer table from `layers`, sorted as `layerSort` says. */
function renderLayerTable(): void {
  ui.layerTable.replaceChildren();
  const head = ui.layerTable.createTHead().insertRow();
  const columns: [string, 'order' | 'time' | null, string][] = [
    ['#', 'order', 'the node\'s place in the model (click: model order)'],
    ['node', null, 'the ONNX node\'s name (fused nodes joined with +)'],
    ['op type', null, 'the ONNX op type'],
    ['simulated time', 'time', 'from the node\'s first op\'s start to its last op\'s end (click: longest first)'],
    ['share', null, 'of the sum of every layer\'s time'],
    ['bound', null, 'what bound the node\'s longest op'],
    ['utilisation', null, 'its compute engine\'s work over the whole grid\'s peak, weighted by op time'],
  ];
  for (const [title, sort, tip] of columns) {
    const th = document.createElement('th');
    th.textContent = title;
    th.title = tip;
    if (sort !== null) {
      th.classList.add('sortable');
      th.dataset.sort = sort;
      if (sort === layerSort) th.classList.add('sorted');
      th.addEventListener('click', () => {
        layerSort = sort;
        renderLayerTable();
      });
    }
    head.appendChild(th);
  }
  const rows = [...layers].sort(layerSort === 'time' ? (a, b) => b.timeNs - a.timeNs : (a, b) => a.order - b.order);
  const selected = last?.ops[Number(ui.opTable.querySelector<HTMLTableRowElement>('tr.selected')?.dataset.op ?? -1)]?.label;
  const body = ui.layerTable.createTBody();
  for (const layer of rows) {
    const row = body.insertRow();
    row.dataset.op = String(layer.opIndex);
    row.dataset.node = layer.node;
    if (layer.node === selected) row.classList.add('selected');
    const cells: [string, boolean][] = [
      [String(layer.order), true], [layer.node, false], [layer.opType, false], [formatNs(layer.timeNs), true],
      [formatPercent(layer.share), true], [layer.bound, false], [formatPercent(layer.utilisation), true],
    ];
    for (const [text, number] of cells) {
      const cell = row.insertCell();
      cell.textContent = text;
      if (number) cell.className = 'number';
    }
    row.cells[1]!.className = 'node';
    const bar = document.createElement('span');
    bar.className = 'share';
    bar.style.width = `${Math.round(60 * layer.share)}px`;
    row.cells[4]!.prepend(bar);
  }
  body.addEventListener('click', (event) => {
    const row = (event.target as Element).closest('tr');
    if (row?.dataset.op !== undefined) selectOp(Number(row.dataset.op));
  });
}

/** The dim sizes typed into the model's dim fields, by key. */
function typedDims(): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const input of ui.modelDims.querySelectorAll<HTMLInputElement>('input[data-dim]')) {
    const size = Number(input.value);
    if (Number.isSafeInteger(size) && size >= 1) dims[input.dataset.dim!] = size;
  }
  return dims;
}

/** Shows the model's inputs, outputs and symbolic dims (editable) after a run of it. */
function showModel(result: ModelRunResult): void {
  const model = result.model;
  if (model === undefined || opened === undefined) return;
  const shapeText = (shape: readonly (number | string | null)[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;
  const device = model.nodes.filter((n) => n.onDevice).length;
  ui.modelSummary.textContent = `${opened.fileName} (${formatBytes(opened.totalBytes)}, opset ${model.opset}): ` +
    `${model.nodes.length} nodes: ${device} on the device, ${model.nodes.length - device} computed on the host (shapes, constants). Inputs: ${model.inputs.map((i) => `${i.name} ${i.dtype} ${shapeText(i.shape)}`).join('; ')}. ` +
    `Outputs: ${model.outputs.map((o) => `${o.name} ${shapeText(o.shape)}`).join('; ')}.`;
  const sizes = new Map(result.dims.map((d) => [d.key, d.size]));
  const timingOnly = result.run.request.timingOnly;
  const given = model.inputs.map((input) => {
    const shape = input.shape.map((d, axis) => (typeof d === 'number' ? d : sizes.get(typeof d === 'string' ? d : `${input.name}[${axis}]`)));
    return timingOnly
      ? `//     ${input.name}: [${shape.join(', ')}],   // a shape (timing-only)`
      : `//     ${input.name}: <${input.dtype} [${shape.join(', ')}], seeded random values>,`;
  });
  ui.code.value = modelCode = [
    `// ${opened.fileName}: an ONNX model opened in the playground. Run does this (onnx-runner.ts):`,
    `//   mtia.configure({ profile: '${result.run.request.profile.id}', deviceCount: ${result.run.request.deviceCount}, timingOnly: ${timingOnly} });`,
    '//   await mtia.init();',
    '//   const model = await loadOnnx(bytes);   // checks every node, uploads the weights (not profiled)',
    '//   mtia.profiler.start();',
    '//   const outputs = model.run({',
    ...given,
    '//   });',
    '//   await mtia.synchronize(); await mtia.profiler.stop();',
    '//',
    `// The symbolic dims (${result.dims.map((d) => d.key).join(', ') || 'none here'}) are the fields above the editor.`,
    '// Tick or untick timing-only and press Run again; choose a workload to go back to scripts.',
  ].join('\n');
  numberLines();
  ui.modelDims.replaceChildren();
  for (const { key, size } of result.dims) {
    const label = document.createElement('label');
    label.title = 'a symbolic dim of the inputs: edit it and press Run';
    label.append(`${key} `);
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '1';
    input.value = String(size);
    input.dataset.dim = key;
    label.appendChild(input);
    ui.modelDims.appendChild(label);
  }
}

/** The message of a run error that names external data a dropped file did not bring. */
const MISSING_EXTERNAL = /(?:is stored in|keeps tensors in) the external file '([^']*)'/;

/** Runs the opened model with the page's profile, devices, timing-only choice and dims. */
async function runOpenedModel(): Promise<void> {
  if (opened === undefined) return;
  const profile = profileChoices.find((p) => p.id === ui.profile.value) ?? profileChoices[0]!;
  ui.run.disabled = true;
  setState('running', `Running ${opened.fileName}…`);
  try {
    if (!ui.timingOnly.checked) {
      for (const f of opened.dataFiles) {
        if (f.size < FILE_LIMIT_BYTES && opened.externalData[f.name] === undefined) opened.externalData[f.name] = new Uint8Array(await f.arrayBuffer());
      }
    }
    const request = {
      profile, deviceCount: Number(ui.devices.value), fileName: opened.fileName, bytes: opened.bytes,
      externalData: opened.externalData, dims: typedDims(),
    };
    let result = await runModel({ ...request, timingOnly: ui.timingOnly.checked });
    const missing = result.run.error === null ? null : MISSING_EXTERNAL.exec(result.run.error);
    if (missing !== null && !ui.timingOnly.checked) {
      // The weights are in a data file the page was not given: time the model without them.
      ui.timingOnly.checked = true;
      const unread = opened.dataFiles.some((f) => f.name === missing[1]);
      ui.modelNote.textContent = `The model keeps its weights in the external data file '${missing[1]}', ${unread ? 'which is over 2 GB and cannot be read into a page' : 'which was not opened with it'}, ` +
        'so it ran timing-only (shapes and time, no values). To compute values, open the .onnx together with its data file(s) (under 2 GB each; larger models: timing-only here, or `mtia-sim run` in Node).';
      result = await runModel({ ...request, timingOnly: true });
    }
    show(result.run);
    showModel(result);
    ui.checks.replaceChildren();
    const note = document.createElement('li');
    note.className = 'check none';
    note.textContent = result.run.request.timingOnly
      ? 'timing-only: tensors have no values, so there is nothing to check'
      : 'values from seeded random inputs, not checked here (test/api/onnx-models.test.ts compares models with onnxruntime)';
    ui.checks.appendChild(note);
    if (result.run.error !== null) {
      setState('error', `The model did not run: ${result.run.error}`);
      return;
    }
    layers = layerRows(result.run, result.model!.nodes);
    ui.layersPanel.hidden = false;
    renderLayerTable();
    const mode = result.run.request.timingOnly ? 'timing-only (no values)' : 'with values (seeded random inputs)';
    setState('done', `${opened.fileName}: ${layers.length} layers, ${result.run.ops.length} ops, ${mode}; simulated ${simulatedSpans(result.run).join(', ')}; ${result.run.wallMs.toFixed(0)} ms on this machine.`);
  } catch (error) {
    setState('error', `The model did not run: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  } finally {
    ui.run.disabled = false;
  }
}

/** Opens the files the user chose or dropped: one .onnx and, optionally, its external data files; then runs it. */
async function openFiles(files: readonly File[]): Promise<void> {
  if (document.body.dataset.state === 'running') return;
  const models = files.filter((f) => f.name.toLowerCase().endsWith('.onnx'));
  if (models.length !== 1) {
    setState('error', models.length === 0
      ? `No .onnx file among ${files.map((f) => `'${f.name}'`).join(', ') || 'the files given'}: open or drop one .onnx model (with its external data files, if any).`
      : `${models.length} .onnx files given (${models.map((f) => f.name).join(', ')}): open one model at a time.`);
    return;
  }
  const file = models[0]!;
  const dataFiles = files.filter((f) => f !== file);
  ui.modelInfo.hidden = false;
  ui.modelSummary.textContent = `${file.name} (${formatBytes(file.size)})`;
  ui.modelDims.replaceChildren();
  if (file.size >= FILE_LIMIT_BYTES) {
    opened = undefined;
      ui.modelNote.textContent = '';
    opened = undefined;
    ui.workload.querySelector(`option[value="${MODEL}"]`)?.remove();
    if (ui.code.readOnly) {
      ui.workload.value = workloads[0]!.id;
      loadWorkload(workloads[0]!.id);
    }
    setState('error', `${file.name} is ${formatBytes(file.size)}: an .onnx file cannot exceed 2 GB (protobuf's limit), so a model that large keeps its weights in external data files. ` +
      'Open the small .onnx alone: it runs timing-only here. For values, use `mtia-sim run` in Node.');
    return;
  }
  setState('running', `Opening ${file.name}…`); // at once, before the file is read
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const tooLarge = dataFiles.filter((f) => f.size >= FILE_LIMIT_BYTES);
  const timingOnly = totalBytes > VALUES_LIMIT_BYTES;
  opened = { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()), dataFiles, externalData: {}, totalBytes };
  ui.timingOnly.checked = timingOnly;
  let entry = ui.workload.querySelector<HTMLOptionElement>(`option[value="${MODEL}"]`);
  if (entry === null) {
    option(ui.workload, MODEL, '');
    entry = ui.workload.querySelector<HTMLOptionElement>(`option[value="${MODEL}"]`)!;
  }
  entry.textContent = `ONNX model: ${file.name}`;
  ui.workload.value = MODEL;
  ui.code.readOnly = true;
  ui.code.wrap = 'soft';
  ui.scriptHint.hidden = true;
  ui.code.value = modelCode = `// ${file.name}: loading…`;
  numberLines();
  ui.modelNote.textContent = timingOnly
    ? `The model is ${formatBytes(totalBytes)}, over the ${formatBytes(VALUES_LIMIT_BYTES)} above which the playground runs timing-only by default ` +
      `(shapes and simulated time, no values)${tooLarge.length > 0 ? `; ${tooLarge.map((f) => f.name).join(', ')} is over 2 GB and cannot be read into a page at all` : ''}. Untick timing-only and press Run to compute values.`
    : '';
  layerSort = 'time';
  await runOpenedModel();
}

function setUp(): void {
  for (const p of profileChoices) option(ui.profile, p.id, p.title);
  for (let n = 1; n <= MAX_DEVICES; n++) option(ui.devices, String(n), String(n));
  ui.devices.value = '2';
  for (const w of workloads) option(ui.workload, w.id, w.title);
  option(ui.workload, CUSTOM, 'Your script (edited)');
  loadWorkload(workloads[0]!.id);
  ui.workload.addEventListener('change', () => {
    ui.modelInfo.hidden = ui.workload.value !== MODEL;
    if (ui.workload.value !== MODEL) loadWorkload(ui.workload.value);
    else {
      ui.code.readOnly = true;
      ui.code.wrap = 'soft';
      ui.scriptHint.hidden = true;
      ui.code.value = modelCode;
      numberLines();
    }
  });
  ui.code.addEventListener('input', () => {
    ui.workload.value = CUSTOM;
  });
  ui.run.addEventListener('click', runChosen);
  // Ctrl+Enter (⌘+Enter on a Mac) runs, from the editor or anywhere on the page.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    event.preventDefault();
    runChosen();
  });
  for (const control of [ui.profile, ui.devices, ui.timingOnly, ui.workload]) control.addEventListener('change', saveToUrl);
  ui.code.addEventListener('input', saveToUrl);
  ui.code.addEventListener('scroll', () => {
    ui.lineNumbers.scrollTop = ui.code.scrollTop;
  });
  ui.code.addEventListener('input', () => {
    for (const number of ui.lineNumbers.querySelectorAll('.error-line')) number.classList.remove('error-line');
    numberLines();
  });
  ui.modelFile.addEventListener('change', () => {
    const files = [...(ui.modelFile.files ?? [])];
    ui.modelFile.value = ''; // choosing the same file again runs it again
    if (files.length > 0) void openFiles(files);
  });
  // Drag and drop anywhere on the page.
  const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
  document.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    ui.dropOverlay.hidden = false;
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) ui.dropOverlay.hidden = true;
  });
  document.addEventListener('drop', (event) => {
    ui.dropOverlay.hidden = true;
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (document.body.dataset.state === 'running') return;
    void openFiles([...(event.dataTransfer?.files ?? [])]);
  });
  ui.downloadTrace.addEventListener('click', () => {
    if (last?.trace.trace) downloadText('mtia-sim-trace.json', JSON.stringify(last.trace.trace));
  });
  ui.downloadSnapshot.addEventListener('click', () => {
    if (last) downloadBytes('mtia-sim-snapshot.pickle', last.snapshotPickle);
  });
  let resizing: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      if (last === undefined) return;
      drawCharts(last); // keeps the selection (the view goes back to the whole run)
    }, 150);
  });
  const available = mtia.isAvailable();
  ui.environment.textContent =
    `cross-origin isolated: ${globalThis.crossOriginIsolated ? 'yes' : 'no'} · devices can run here: ${available ? 'yes' : 'no'}`;
  void restoreFromUrl().then((problem) => {
    const ready = available ? 'Ready: choose a workload and press Run (Ctrl+Enter).' : 'This browser cannot run the simulated devices here (see above).';
    setState('ready', problem === null ? ready : `${ready} Note: ${problem}.`);
  });
}

/** Runs what the workload menu says: the opened model or the editor's script; nothing while a run is on. */
function runChosen(): void {
  if (ui.run.disabled || document.body.dataset.state === 'running') return;
  void (ui.workload.value === MODEL ? runOpenedModel() : run());
}

/** Bumped by each save, so a slower earlier encoding never overwrites a later one. */
let saves = 0;

/** Writes the controls and (for an edited script) the script into the URL's hash, without a history entry. */
function saveToUrl(): void {
  if (ui.workload.value === MODEL) return; // a model's bytes are not in the URL
  const save = ++saves;
  const custom = ui.workload.value === CUSTOM;
  void writeHash({
    profile: ui.profile.value, devices: Number(ui.devices.value), timingOnly: ui.timingOnly.checked,
    workload: ui.workload.value, ...(custom && { script: ui.code.value }),
  }).then((hash) => {
    if (save === saves && hash !== location.hash) history.replaceState(null, '', hash);
  });
}

/** Sets the controls and the script from the URL's hash; resolves to a problem to mention, or null. */
async function restoreFromUrl(): Promise<string | null> {
  if (location.hash.length <= 1) return null;
  const { state, problem } = await readHash(location.hash);
  const known = (select: HTMLSelectElement, value: string | undefined) =>
    value !== undefined && [...select.options].some((o) => o.value === value);
  if (known(ui.profile, state.profile)) ui.profile.value = state.profile!;
  if (known(ui.devices, state.devices === undefined ? undefined : String(state.devices))) ui.devices.value = String(state.devices);
  if (state.workload !== undefined && state.workload !== CUSTOM && known(ui.workload, state.workload)) {
    ui.workload.value = state.workload;
    loadWorkload(state.workload);
  } else if (state.script !== undefined) {
    ui.workload.value = CUSTOM;
    ui.code.value = state.script;
    numberLines();
  }
  // After the workload, whose own timing-only setting loadWorkload applied.
  if (state.timingOnly !== undefined) ui.timingOnly.checked = state.timingOnly;
  return problem;
}

setUp();

mountScaleSimPanel(document.querySelector<HTMLElement>('#scalesim-panel')!);
