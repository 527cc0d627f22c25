// SCALE-Sim's topology CSVs, read as SCALE-Sim v2 reads them (scalesim/topology_utils.py,
// load_arrays_conv / load_arrays_gemm / append_topo_arrays, scale-sim-v2 @ 22f88b1):
//
//   conv: Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
//         (v2 also takes a ninth column, the stride in width; without it the stride is square)
//   gemm: Layer Name, M, N, K,         (read with `-i gemm`; becomes an M × K ifmap, N filters of 1 × K)
//
// Quirks reproduced: the first line is a header and is skipped whatever it says; blank lines are
// skipped; every row should end with a comma, because SCALE-Sim drops the text after the last
// comma (`row.split(',')[:-1]`): a row without it loses its last column, here as there, with a
// warning naming the line (a conv row of 8 columns then lacks its Strides, an error here where
// SCALE-Sim crashes with an IndexError; one of 9 loses its stride in width, which becomes the
// stride in height; a GEMM row lacks its K); a layer whose name contains "DP" is depthwise and becomes one
// layer per channel ("<name>Channel_<i>", 1 channel, the row's Num Filter filters), as
// load_arrays_conv expands it. SCALE-Sim v3's sparsity column is refused by name.

import { ScaleSimInputError } from './errors.js';

/** One layer as SCALE-Sim simulates it: a convolution (a GEMM row becomes one too). */
export interface ScaleSimLayer {
  /** The layer's name (a depthwise layer's channels are named "<name>Channel_<i>"). */
  readonly name: string;
  readonly ifmapHeight: number;
  readonly ifmapWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly channels: number;
  readonly numFilters: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
}

/** A GEMM row of a `-i gemm` topology: C[M×N] = A[M×K] · B[K×N]. */
export interface ScaleSimGemm {
  readonly name: string;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** A parsed topology: its name (the file's stem, as SCALE-Sim names runs) and its layers. */
export interface ScaleSimTopology {
  readonly name: string;
  readonly layers: readonly ScaleSimLayer[];
  /** What SCALE-Sim reads differently from what the file seems to say (a row without its trailing comma), as `file:line:column: text`. */
  readonly warnings?: readonly string[];
}

const CONV_COLUMNS = ['Layer name', 'IFMAP Height', 'IFMAP Width', 'Filter Height', 'Filter Width', 'Channels', 'Num Filter', 'Strides', 'Stride Width'];
const GEMM_COLUMNS = ['Layer Name', 'M', 'N', 'K'];

/** The GEMM as SCALE-Sim's load_arrays_gemm maps it: [name, M, K, 1, K, 1, N, 1, 1]. */
export function gemmLayer({ name, m, n, k }: ScaleSimGemm): ScaleSimLayer {
  return { name, ifmapHeight: m, ifmapWidth: k, filterHeight: 1, filterWidth: k, channels: 1, numFilters: n, strideHeight: 1, strideWidth: 1 };
}

/** The stem of a file name, as SCALE-Sim's topology name: 'conv_nets/alexnet.csv' → 'alexnet'. */
function stem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const parts = base.split('.');
  return parts.length > 1 ? parts[parts.length - 2]! : base;
}

/** Splits a row into fields with their 1-based columns, SCALE-Sim's last field dropped; `dropped` gets that field if it held text. */
function fields(raw: string, dropped: { text: string; column: number }[]): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  let start = 0;
  for (;;) {
    const comma = raw.indexOf(',', start);
    const end = comma < 0 ? raw.length : comma;
    out.push({ text: raw.slice(start, end).trim(), column: start + 1 + (raw.slice(start, end).length - raw.slice(start, end).trimStart().length) });
    if (comma < 0) break;
    start = comma + 1;
  }
  const last = out.pop()!;
  if (last.text !== '') dropped.push(last);
  return out;
}

/** A positive integer field, as Python's int() reads it, else an error naming its column. */
function positive(field: { text: string; column: number }, name: string, file: string, line: number): number {
  const number = /^[+-]?\d+$/.test(field.text) ? Number(field.text) : NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new ScaleSimInputError(file, line, field.column, `${name}: expected a positive integer, got '${field.text}'`);
  }
  return number;
}

/**
 * Parses a SCALE-Sim topology CSV (`kind` 'conv', or 'gemm' as `-i gemm`); `file` names it in
 * errors and gives the topology its name.
 */
export function parseScaleSimTopology(text: string, kind: 'conv' | 'gemm' = 'conv', file = 'topology.csv'): ScaleSimTopology {
  const lines = text.split(/\r?\n/);
  const layers: ScaleSimLayer[] = [];
  const warnings: string[] = [];
  const header = lines[0] ?? '';
  const sparsity = header.toLowerCase().indexOf('sparsity');
  if (sparsity >= 0) {
    throw new ScaleSimInputError(file, 1, sparsity + 1, "SCALE-Sim v3's sparsity column is not supported: remove it (v2's format)");
  }
  const columns = kind === 'gemm' ? GEMM_COLUMNS : CONV_COLUMNS;
  for (let index = 1; index < lines.length; index++) {
    const raw = lines[index]!;
    const line = index + 1;
    if (raw.trim() === '') continue;
    const dropped: { text: string; column: number }[] = [];
    const row = fields(raw, dropped);
    const noComma = dropped.length > 0
      ? `no trailing comma: SCALE-Sim drops the text after a row's last comma, here '${dropped[0]!.text}' (${columns[row.length] ?? 'an extra column'})`
      : undefined;
    const needed = kind === 'gemm' ? 4 : 8;
    if (row.length < needed) {
      const at = dropped.length > 0 ? dropped[0]!.column : raw.trimEnd().length + 1;
      throw new ScaleSimInputError(file, line, at,
        `missing column '${columns[row.length]}' (a ${kind} row has ${columns.slice(0, needed).join(', ')},)${noComma === undefined ? '' : `: ${noComma}; end the row with a comma`}`);
    }
    if (noComma !== undefined) warnings.push(`${file}:${line}:${dropped[0]!.column}: ${noComma}`);
    if (kind === 'conv' && row.length > 9) {
      throw new ScaleSimInputError(file, line, row[9]!.column, `unexpected 10th column '${row[9]!.text}': a conv row has at most ${CONV_COLUMNS.join(', ')},`);
    }
    const name = row[0]!.text;
    const at = (i: number): number => positive(row[i]!, columns[i]!, file, line);
    if (kind === 'gemm') {
      layers.push(gemmLayer({ name, m: at(1), n: at(2), k: at(3) }));
      continue;
    }
    const layer: ScaleSimLayer = {
      name, ifmapHeight: at(1), ifmapWidth: at(2), filterHeight: at(3), filterWidth: at(4),
      channels: at(5), numFilters: at(6), strideHeight: at(7), strideWidth: row.length > 8 ? at(8) : at(7),
    };
    if (layer.filterHeight > layer.ifmapHeight) {
      throw new ScaleSimInputError(file, line, row[3]!.column, `Filter Height ${layer.filterHeight} is larger than IFMAP Height ${layer.ifmapHeight}`);
    }
    if (layer.filterWidth > layer.ifmapWidth) {
      throw new ScaleSimInputError(file, line, row[4]!.column, `Filter Width ${layer.filterWidth} is larger than IFMAP Width ${layer.ifmapWidth}`);
    }
    if (name.includes('DP')) {
      for (let channel = 0; channel < layer.channels; channel++) {
        layers.push({ ...layer, name: `${name}Channel_${channel}`, channels: 1 });
      }
    } else {
      layers.push(layer);
    }
  }
  if (layers.length === 0) throw new ScaleSimInputError(file, lines.length, 0, 'no layers: a topology has a header line and then one row per layer');
  return { name: stem(file), layers, warnings };
}
