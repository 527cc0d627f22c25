// How the playground writes simulated times, byte counts, cycle counts, percentages and plurals.

/** Nanoseconds as ns, µs or ms with 3 significant digits. */
export function formatNs(ns: number): string {
  const abs = Math.abs(ns);
  if (abs >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (abs >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  return `${ns.toPrecision(3)} ns`;
}

/** Bytes in B, KB, MB or GB (powers of 1000), 3 significant digits. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1e9) return `${(bytes / 1e9).toPrecision(3)} GB`;
  if (abs >= 1e6) return `${(bytes / 1e6).toPrecision(3)} MB`;
  if (abs >= 1e3) return `${(bytes / 1e3).toPrecision(3)} KB`;
  return `${bytes} B`;
}

/** A count with thousands separators, rounded. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/**
 * A fraction as a percentage: one decimal from 1 % up, two significant digits below it (so a
 * 0.1 % op shows 0.12 %, not 0.0 %), "0 %" only for exactly 0.
 */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  if (percent === 0) return '0 %';
  if (Math.abs(percent) >= 1) return `${percent.toFixed(1)} %`;
  if (percent > 0 && percent < 1e-4) return '< 0.0001 %';
  return `${Number(percent.toPrecision(2))} %`;
}

/** A percentage short enough for a heat-map cell: whole from 10 % up, else two significant digits. */
export function formatCellPercent(fraction: number): string {
  const percent = fraction * 100;
  if (percent === 0) return '0 %';
  if (percent >= 9.95) return `${Math.round(percent)} %`;
  if (percent < 0.001) return '<0.001 %';
  return `${Number(percent.toPrecision(2))} %`;
}

/** `count` and `noun`, the noun in the plural unless the count is 1 ("1 PE", "64 PEs", "2 output tiles"). */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : nouns}`;
}
