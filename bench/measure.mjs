// What every benchmark here reports besides its own figures: medians of repeated runs and the
// machine they ran on.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Median, minimum and maximum of `samples`. */
export function summarize(samples) {
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** The CPU model line of /proc/cpuinfo, or os.cpus()'s model where there is none. */
export function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1].trim();
  } catch {}
  return cpus()[0]?.model ?? 'unknown';
}
