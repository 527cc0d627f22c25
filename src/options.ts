// Options objects, the library's Python keyword arguments: checked where they are passed, so a
// misspelled option is an error (as Python's "got an unexpected keyword argument") instead of
// being silently ignored.

/** Edit distance of two short strings (for the "did you mean" hint). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** A value as an error message shows it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/**
 * Checks the options object of `fn`: undefined passes; anything but a plain object, or a key
 * not in `accepted`, throws a TypeError naming it, the accepted keys and the closest one.
 */
export function checkOptions<T extends object>(fn: string, options: T | undefined, accepted: readonly string[]): T | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${fn}(): options must be an object like { ${accepted.join(', ')} }, but got: ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    const closest = accepted.reduce<string | undefined>(
      (best, name) => (distance(key, name) <= 2 && (best === undefined || distance(key, name) < distance(key, best)) ? name : best),
      undefined,
    );
    throw new TypeError(
      `${fn}() got an unexpected keyword argument '${key}'${closest === undefined ? '' : ` (did you mean '${closest}'?)`}; ` +
        `accepted: ${accepted.join(', ')}`,
    );
  }
  return options;
}
