// The playground's SCALE-Sim panel: paste or drop a SCALE-Sim config and a topology CSV (its own
// files, unchanged), see each layer's cycles, utilisation, SRAM bandwidth and energy in the three
// dataflows side by side. The work is mtia.scalesim.run (src/scalesim/, no device needed), once
// per dataflow with the config's Dataflow replaced; an input error shows its file, line and column.

import { mtia } from 'mtia-sim';

/** The default config: test/fixtures/scalesim/configs/scalesim_32x32_os_calc.cfg (SCALE-Sim v2's scale.cfg at 32 × 32). */
const DEFAULT_CONFIG = `[general]
run_name = scalesim_32x32_os_calc

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     32
IfmapSramSzkB:   64
FilterSramSzkB:  64
OfmapSramSzkB:   64
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : os
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC
`;

/** The default topology: the first five layers of test/fixtures/scalesim/topologies/Resnet18.csv (SCALE-Sim's ResNet-18). */
const DEFAULT_TOPOLOGY = `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
Conv1,224,224,7,7,3,64,2,
Conv2_1a,56,56,3,3,64,64,1,
Conv2_1b,56,56,3,3,64,64,1,
Conv3_1a,56,56,3,3,64,128,2,
Conv3_1b,28,28,3,3,128,128,1,
`;

/** The dataflows, in the order the panel shows them. */
export const DATAFLOWS = ['os', 'ws', 'is'] as const;

/** The columns shown per dataflow: header, value of a layer, digits. */
const COLUMNS: readonly { header: string; title: string; value: (r: ScaleSimRow) => number; digits: number }[] = [
  { header: 'cycles', title: 'Total Cycles (COMPUTE_REPORT.csv)', value: (r) => r.cycles, digits: 0 },
  { header: 'util %', title: 'Overall Util % (COMPUTE_REPORT.csv)', value: (r) => r.utilPercent, digits: 1 },
  { header: 'SRAM BW', title: 'Avg IFMAP + FILTER + OFMAP SRAM BW, words per cycle (BANDWIDTH_REPORT.csv)', value: (r) => r.sramWordsPerCycle, digits: 1 },
  { header: 'energy µJ', title: 'Total Energy (ENERGY_REPORT.csv, MTIA 2i per-access energies)', value: (r) => r.energyMicrojoules, digits: 2 },
];

/** One layer in one dataflow, as the panel shows it. */
export interface ScaleSimRow {
  readonly cycles: number;
  readonly utilPercent: number;
  readonly sramWordsPerCycle: number;
  readonly energyMicrojoules: number;
}

/** Each layer's rows in the three dataflows: what the panel's table shows (also what the browser test recomputes). */
export function scaleSimRows(config: string, topology: string, inputType: 'conv' | 'gemm'): { names: string[]; rows: Record<string, ScaleSimRow[]> } {
  const parsed = mtia.scalesim.parseConfig(config, 'config');
  const rows: Record<string, ScaleSimRow[]> = {};
  let names: string[] = [];
  for (const dataflow of DATAFLOWS) {
    const result = mtia.scalesim.run({ ...parsed, dataflow }, topology, { inputType, topologyFile: 'topology' });
    names = result.layers.map((l) => l.name);
    rows[dataflow] = result.layers.map((l, i) => ({
      cycles: l.totalCycles,
      utilPercent: l.overallUtilPercent,
      sramWordsPerCycle: l.avgIfmapSramBw + l.avgFilterSramBw + l.avgOfmapSramBw,
      energyMicrojoules: result.energy[i]!.totalPj * 1e-6,
    }));
  }
  return { names, rows };
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== '') e.textContent = text;
  if (className !== '') e.className = className;
  return e;
}

/** A textarea that also takes a dropped file, with its label. */
function fileArea(label: string, id: string, text: string): { box: HTMLElement; area: HTMLTextAreaElement } {
  const box = element('label', '', 'scalesim-file');
  box.append(element('span', label));
  const area = element('textarea');
  area.id = id;
  area.wrap = 'off';
  area.spellcheck = false;
  area.rows = 8;
  area.value = text;
  area.addEventListener('dragover', (event) => event.preventDefault());
  area.addEventListener('drop', (event) => {
    event.preventDefault();
    event.stopPropagation(); // not the page's .onnx drop
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) void file.text().then((t) => { area.value = t; area.dispatchEvent(new Event('input')); });
  });
  box.append(area);
  return { box, area };
}

/** Renders the table of `names` × the three dataflows into `table`. */
function renderTable(table: HTMLTableElement, names: readonly string[], rows: Record<string, ScaleSimRow[]>): void {
  table.replaceChildren();
  const head = table.createTHead();
  const groups = head.insertRow();
  groups.append(element('th'));
  for (const dataflow of DATAFLOWS) {
    const th = element('th', dataflow, 'group');
    th.colSpan = COLUMNS.length;
    groups.append(th);
  }
  const headers = head.insertRow();
  headers.append(element('th', 'layer'));
  for (let d = 0; d < DATAFLOWS.length; d++) {
    for (const c of COLUMNS) {
      const th = element('th', c.header);
      th.title = c.title;
      headers.append(th);
    }
  }
  const body = table.createTBody();
  names.forEach((name, i) => {
    const tr = body.insertRow();
    tr.append(element('td', name));
    for (const dataflow of DATAFLOWS) {
      const row = rows[dataflow]![i]!;
      const best = Math.min(...DATAFLOWS.map((d) => rows[d]![i]!.cycles));
      for (const c of COLUMNS) {
        const value = c.value(row);
        const td = element('td', value.toFixed(c.digits), 'number');
        td.dataset.dataflow = dataflow;
        td.dataset.column = c.header;
        td.dataset.value = String(value);
        if (c.header === 'cycles' && row.cycles === best) td.classList.add('best');
        tr.append(td);
      }
    }
  });
}

/** Builds the SCALE-Sim panel inside `container` and runs the defaults. */
export function mountScaleSimPanel(container: HTMLElement): void {
  container.replaceChildren();
  const heading = element('h2', 'SCALE-Sim ');
  heading.append(element('span', 'its config and topology files, unchanged; the three dataflows side by side (mtia.scalesim.run, CALC or USER bandwidth mode as the config says; energy: ENERGY_REPORT.csv)', 'sub'));
  const config = fileArea('Config (.cfg)', 'scalesim-config', DEFAULT_CONFIG);
  const topology = fileArea('Topology (.csv)', 'scalesim-topology', DEFAULT_TOPOLOGY);
  const files = element('div', '', 'scalesim-files');
  files.append(config.box, topology.box);
  const inputType = element('select');
  inputType.id = 'scalesim-input-type';
  for (const [value, text] of [['conv', 'conv layers'], ['gemm', 'GEMM (M, N, K; -i gemm)']]) {
    const option = element('option', text);
    option.value = value!;
    inputType.append(option);
  }
  const typeLabel = element('label', 'Topology ');
  typeLabel.append(inputType);
  const runButton = element('button', 'Run all three dataflows');
  runButton.id = 'scalesim-run';
  runButton.type = 'button';
  const controls = element('div', '', 'row');
  controls.append(typeLabel, runButton);
  const status = element('p', '', 'hint');
  status.id = 'scalesim-status';
  const error = element('pre', '', 'scalesim-error');
  error.id = 'scalesim-error';
  error.hidden = true;
  const table = element('table', '', 'op-table scalesim-table');
  table.id = 'scalesim-table';
  const wrap = element('div', '', 'op-table-wrap');
  wrap.append(table);
  container.append(heading, files, controls, status, error, wrap);

  const update = () => {
    const start = performance.now();
    try {
      const { names, rows } = scaleSimRows(config.area.value, topology.area.value, inputType.value as 'conv' | 'gemm');
      const ms = performance.now() - start;
      renderTable(table, names, rows);
      error.hidden = true;
      status.dataset.ms = String(ms);
      status.textContent = `${names.length} layer${names.length === 1 ? '' : 's'} × 3 dataflows in ${ms.toFixed(1)} ms in this tab (SCALE-Sim: seconds to minutes). Fewest cycles in bold.`;
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      status.textContent = '';
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  };
  config.area.addEventListener('input', later);
  topology.area.addEventListener('input', later);
  inputType.addEventListener('change', update);
  runButton.addEventListener('click', update);
  update();
}
