// SCALE-Sim's config file, read as SCALE-Sim v2 reads it (scalesim/scale_config.py,
// read_conf_file, scalesim-project/scale-sim-v2 @ 22f88b1): an INI file in Python configparser's
// syntax (`key: value` or `key = value`, keys case-insensitive, `#`/`;` comment lines) with
// [general] run_name, [architecture_presets] ArrayHeight, ArrayWidth, IfmapSramSzkB,
// FilterSramSzkB, OfmapSramSzkB, IfmapOffset, FilterOffset, OfmapOffset, Bandwidth, Dataflow,
// MemoryBanks and [run_presets] InterfaceBandwidth (CALC or USER). SCALE-Sim v3's extra
// sections and keys are accepted and listed in `unsupported`: this model does not apply them.

import { ScaleSimInputError } from './errors.js';

/** A dataflow: output, weight or input stationary (SCALE-Sim's `Dataflow`). */
export type ScaleSimDataflow = 'os' | 'ws' | 'is';

/** A parsed SCALE-Sim config (field names are SCALE-Sim's keys, camel-cased). */
export interface ScaleSimConfig {
  /** [general] run_name: the folder SCALE-Sim writes its reports under. */
  readonly runName: string;
  /** ArrayHeight: rows of MAC units (R). */
  readonly arrayHeight: number;
  /** ArrayWidth: columns of MAC units (C). */
  readonly arrayWidth: number;
  /** IfmapSramSzkB: the IFMAP SRAM in KiB (double-buffered, half active). */
  readonly ifmapSramSzkB: number;
  /** FilterSramSzkB: the filter SRAM in KiB. */
  readonly filterSramSzkB: number;
  /** OfmapSramSzkB: the OFMAP SRAM in KiB. */
  readonly ofmapSramSzkB: number;
  /** IfmapOffset: the IFMAP operand's first address. */
  readonly ifmapOffset: number;
  /** FilterOffset: the filter operand's first address. */
  readonly filterOffset: number;
  /** OfmapOffset: the OFMAP operand's first address. */
  readonly ofmapOffset: number;
  /** Bandwidth: DRAM words per cycle, read in USER mode only (a list, as SCALE-Sim parses it). */
  readonly bandwidth: readonly number[];
  /** Dataflow: os, ws or is. */
  readonly dataflow: ScaleSimDataflow;
  /** MemoryBanks: read but not used by SCALE-Sim v2 (1 when absent). */
  readonly memoryBanks: number;
  /** [run_presets] InterfaceBandwidth: CALC (bandwidth estimated, no stalls) or USER. */
  readonly interfaceBandwidth: 'CALC' | 'USER';
  /** Sections or keys given that this model does not apply (SCALE-Sim v3's, for example), as `section.key`. */
  readonly unsupported: readonly string[];
}

/** Keys SCALE-Sim v2 reads, per section (lower case, as configparser stores them). */
const KNOWN: Record<string, readonly string[]> = {
  general: ['run_name'],
  architecture_presets: [
    'arrayheight', 'arraywidth', 'ifmapsramszkb', 'filtersramszkb', 'ofmapsramszkb',
    'ifmapoffset', 'filteroffset', 'ofmapoffset', 'bandwidth', 'dataflow', 'memorybanks',
  ],
  run_presets: ['interfacebandwidth'],
};

interface Entry { value: string; line: number; column: number }

/** Parses SCALE-Sim config text; `file` names it in errors. */
export function parseScaleSimConfig(text: string, file = 'config'): ScaleSimConfig {
  const sections = new Map<string, Map<string, Entry>>();
  const unsupported: string[] = [];
  let current: Map<string, Entry> | undefined;
  let currentName = '';
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const section = /^\[([^\]]+)\]$/.exec(trimmed);
    if (section) {
      currentName = section[1]!.trim();
      current = sections.get(currentName) ?? new Map();
      sections.set(currentName, current);
      if (!(currentName in KNOWN)) unsupported.push(currentName);
      return;
    }
    const separator = raw.search(/[:=]/);
    if (separator < 0) throw new ScaleSimInputError(file, line, raw.search(/\S/) + 1, `expected 'key: value' or '[section]', got '${trimmed}'`);
    if (current === undefined) throw new ScaleSimInputError(file, line, 1, `'${trimmed}' comes before any [section]`);
    const key = raw.slice(0, separator).trim().toLowerCase();
    const valueText = raw.slice(separator + 1);
    const value = valueText.trim();
    const column = separator + 2 + (valueText.length - valueText.trimStart().length);
    current.set(key, { value, line, column });
    const known = KNOWN[currentName];
    if (known !== undefined && !known.includes(key)) unsupported.push(`${currentName}.${key}`);
  });

  const entry = (section: string, key: string): Entry => {
    const found = sections.get(section)?.get(key.toLowerCase());
    if (found === undefined) {
      throw new ScaleSimInputError(file, lines.length, 0, `missing '${key}' in [${section}] (SCALE-Sim's config needs it)`);
    }
    return found;
  };
  const integer = (section: string, key: string, min: number): number => {
    const { value, line, column } = entry(section, key);
    const number = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < min) {
      throw new ScaleSimInputError(file, line, column, `${key}: expected an integer ≥ ${min}, got '${value}'`);
    }
    return number;
  };

  const mode = entry('run_presets', 'InterfaceBandwidth');
  if (mode.value !== 'CALC' && mode.value !== 'USER') {
    throw new ScaleSimInputError(file, mode.line, mode.column, `InterfaceBandwidth: expected CALC or USER, got '${mode.value}'`);
  }
  const flow = entry('architecture_presets', 'Dataflow');
  if (flow.value !== 'os' && flow.value !== 'ws' && flow.value !== 'is') {
    throw new ScaleSimInputError(file, flow.line, flow.column, `Dataflow: expected os, ws or is, got '${flow.value}'`);
  }
  let bandwidth: number[] = [];
  if (mode.value === 'USER') {
    const given = entry('architecture_presets', 'Bandwidth');
    bandwidth = given.value.split(',').map((part) => {
      const number = /^\s*\d+\s*$/.test(part) ? Number(part) : NaN;
      if (!(number > 0)) throw new ScaleSimInputError(file, given.line, given.column, `Bandwidth: expected positive integers (words per cycle), got '${given.value}'`);
      return number;
    });
  }
  const banks = sections.get('architecture_presets')?.has('memorybanks') ? integer('architecture_presets', 'MemoryBanks', 1) : 1;
  return {
    runName: entry('general', 'run_name').value,
    arrayHeight: integer('architecture_presets', 'ArrayHeight', 1),
    arrayWidth: integer('architecture_presets', 'ArrayWidth', 1),
    ifmapSramSzkB: integer('architecture_presets', 'IfmapSramSzkB', 1),
    filterSramSzkB: integer('architecture_presets', 'FilterSramSzkB', 1),
    ofmapSramSzkB: integer('architecture_presets', 'OfmapSramSzkB', 1),
    ifmapOffset: integer('architecture_presets', 'IfmapOffset', 0),
    filterOffset: integer('architecture_presets', 'FilterOffset', 0),
    ofmapOffset: integer('architecture_presets', 'OfmapOffset', 0),
    bandwidth,
    dataflow: flow.value,
    memoryBanks: banks,
    interfaceBandwidth: mode.value,
    unsupported,
  };
}
