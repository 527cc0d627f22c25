// How the playground writes simulated times, byte counts and cycle counts.

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

/** A fraction as a percentage with one decimal. */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}
