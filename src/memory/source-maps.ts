// Source maps (format v3, https://tc39.es/ecma426/) for memory-history frames in browsers: a
// bundled page's stack names the bundle, and its source map names the user's file and line.
// A script's map is found through its `//# sourceMappingURL=` comment (a URL beside it or a
// data: URL), loaded once per script and cached; its mappings are decoded per line when first
// asked for. Frames are captured synchronously (inside an allocation), but a map is loaded
// asynchronously (fetch), never with a synchronous XMLHttpRequest, which browsers deprecate on
// the main thread: the first time a frame names a script, its map is requested, and until it
// has loaded (or failed) the script is `pending`; stack-frames.ts maps such frames again when a
// snapshot is taken. Where fetch does not exist, a script is not http(s) (Node's file: URLs), or
// a script has no map, nothing is mapped.

/** A position in an original source, as a source map gives it. */
export interface OriginalPosition {
  /** The source's URL, resolved against the map's URL. */
  readonly source: string;
  /** 1-based line. */
  readonly line: number;
}

/** The parts of a v3 source map this module reads. */
interface RawSourceMap {
  readonly version: number;
  readonly sources: readonly (string | null)[];
  readonly sourceRoot?: string;
  readonly mappings: string;
}

/** One mapping segment: generated column, source index, original line (0-based). */
type Segment = readonly [number, number, number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64].map((char, value) => [char, value]));

/**
 * Decodes one line of a `mappings` string (segments separated by ','), continuing the running
 * source, line and column values of `state` ([source, line, column]), which carry over from
 * line to line; the generated column restarts at 0 on each line. Names are not read.
 */
function decodeLine(text: string, state: number[]): Segment[] {
  const segments: Segment[] = [];
  let column = 0;
  for (const part of text.split(',')) {
    if (part === '') continue;
    const fields: number[] = [];
    let value = 0;
    let shift = 0;
    for (const char of part) {
      const digit = BASE64_VALUE.get(char);
      if (digit === undefined) throw new Error(`bad base64 VLQ digit '${char}'`);
      value += (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
      } else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
    }
    column += fields[0]!;
    if (fields.length < 4) continue; // a generated position with no original one
    state[0]! += fields[1]!;
    state[1]! += fields[2]!;
    state[2]! += fields[3]!;
    segments.push([column, state[0]!, state[1]!]);
  }
  return segments;
}

/** A parsed source map: looks up original positions, decoding lines as they are asked for. */
export class SourceMap {
  private readonly lines: string[];
  /** Decoded lines, up to the last one asked for (the running state needs every line before). */
  private readonly decoded: Segment[][] = [];
  private readonly state = [0, 0, 0];
  private readonly sources: readonly string[];

  /** Parses `json`, a v3 source map at `url` (its sources are resolved against it). */
  constructor(json: string, url: string) {
    const raw = JSON.parse(json) as RawSourceMap;
    if (raw.version !== 3 || typeof raw.mappings !== 'string' || !Array.isArray(raw.sources)) {
      throw new Error(`${url} is not a version 3 source map`);
    }
    const root = raw.sourceRoot ? raw.sourceRoot.replace(/\/?$/, '/') : '';
    this.sources = raw.sources.map((source) => {
      try {
        return new URL(root + (source ?? ''), url).href;
      } catch {
        return root + (source ?? '');
      }
    });
    this.lines = raw.mappings.split(';');
  }

  /** The original position of 1-based generated `line` and `column`, or undefined if unmapped. */
  originalPosition(line: number, column: number): OriginalPosition | undefined {
    if (line < 1 || line > this.lines.length) return undefined;
    while (this.decoded.length < line) this.decoded.push(decodeLine(this.lines[this.decoded.length]!, this.state));
    const segments = this.decoded[line - 1]!;
    // The last segment that starts at or before the column (segments are sorted by column).
    let low = 0;
    let high = segments.length - 1;
    let found: Segment | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (segments[middle]![0] <= column - 1) {
        found = segments[middle];
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found === undefined) return undefined;
    const source = this.sources[found[1]];
    if (source === undefined) return undefined;
    return { source, line: found[2] + 1 };
  }
}

/** Source maps by script URL: null where a script has none or it could not be loaded; 'loading' until then. */
const mapsByScript = new Map<string, SourceMap | null | 'loading'>();

/** The text at `url`, or undefined if it cannot be fetched. */
async function fetchText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** The source map of the script at `url`, or undefined where none can be found. */
async function loadSourceMap(url: string): Promise<SourceMap | undefined> {
  const script = await fetchText(url);
  if (script === undefined) return undefined;
  // The last comment wins; it sits at the end of the script.
  const comment = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(script.slice(-4096));
  if (comment === null) return undefined;
  const mapUrl = new URL(comment[1]!, url).href;
  let json: string | undefined;
  if (mapUrl.startsWith('data:')) {
    const data = /^data:[^,]*?(;base64)?,(.*)$/s.exec(mapUrl);
    if (data === null) return undefined;
    const body = decodeURIComponent(data[2]!);
    json = data[1] ? new TextDecoder().decode(Uint8Array.from(atob(body), (char) => char.charCodeAt(0))) : body;
  } else {
    json = await fetchText(mapUrl);
  }
  if (json === undefined) return undefined;
  try {
    return new SourceMap(json, mapUrl);
  } catch {
    return undefined;
  }
}

/** True for a script whose map can be looked for here: an http(s) URL, where fetch exists. */
function mappable(url: string): boolean {
  return /^https?:/.test(url) && typeof fetch === 'function';
}

/**
 * True while the map of the script at `url` is being loaded; the first call for a script starts
 * loading it. False once it has loaded or failed, and for scripts that are not looked up.
 */
export function sourceMapPending(url: string): boolean {
  if (!mappable(url)) return false;
  const state = mapsByScript.get(url);
  if (state !== undefined) return state === 'loading';
  mapsByScript.set(url, 'loading');
  void loadSourceMap(url).then((map) => mapsByScript.set(url, map ?? null));
  return true;
}

/**
 * The original position of a generated position in the script at `url` (1-based line and
 * column), or undefined where it cannot be mapped (yet): not an http(s) script, no fetch here
 * (Node), no map, its map still loading (sourceMapPending), or no mapping at that position.
 */
export function originalPosition(url: string, line: number, column: number): OriginalPosition | undefined {
  if (sourceMapPending(url)) return undefined;
  const map = mapsByScript.get(url);
  return map instanceof SourceMap ? map.originalPosition(line, column) : undefined;
}
