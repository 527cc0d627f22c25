// JavaScript call stacks as memory-snapshot frames: `{ filename, line, name }`, innermost
// first, as PyTorch records Python frames ("Frame" of torch.cuda.memory._snapshot, pytorch/pytorch
// torch/cuda/memory.py).
// The library's own frames are dropped so that the user's call site comes first. Only called
// while memory history is enabled: capturing a stack costs microseconds.
//
// In a browser, a frame in a script with a source map is mapped to its original file and line
// (source-maps.ts): a bundled page's frames name the user's source, and the library's frames,
// mapped into the library's src/, are dropped. A bundle without a map keeps its file URL and
// line; its frames cannot be told apart, so none is dropped unless the file is the library's.
// Maps load asynchronously: a stack captured while a map it needs is still loading keeps its
// generated positions until settledFrames() (called when a snapshot is taken) parses it again.

import { originalPosition, sourceMapPending, type OriginalPosition } from './source-maps.js';

/** One stack frame of a memory snapshot (PyTorch's Frame dict). */
export interface Frame {
  /** Source file: a path for local files, else the URL. */
  readonly filename: string;
  /** 1-based line number. */
  readonly line: number;
  /** Function name, or '<anonymous>' for top-level code and unnamed functions. */
  readonly name: string;
}

/** @internal The frames of a stack that has none (history off, or nothing outside the library). */
export const NO_FRAMES: readonly Frame[] = Object.freeze([]);

/** Most frames kept per stack; PyTorch keeps the whole Python stack, which is rarely deeper. */
const MAX_FRAMES = 64;
/** Parsed stacks kept for reuse: a loop allocating from one call site parses its stack once. */
const MAX_CACHED_STACKS = 4096;

// V8 (Node, Chromium): "    at name (file:line:col)", "    at file:line:col", either after "async ".
const V8_FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
// SpiderMonkey and JavaScriptCore: "name@file:line:col".
const GECKO_FRAME = /^(.*?)@(.+?):(\d+):(\d+)$/;

/** @internal Maps a generated position (script URL, 1-based line and column) to its original one. */
export type PositionMapper = (url: string, line: number, column: number) => OriginalPosition | undefined;

/** A frame's location: its original source and line where a source map gives them. */
function locate(match: RegExpExecArray, map: PositionMapper): { filename: string; line: number } {
  const position = map(match[2]!, Number(match[3]), Number(match[4]));
  return position === undefined
    ? { filename: toPath(match[2]!), line: Number(match[3]) }
    : { filename: toPath(position.source), line: position.line };
}

/** A location string without its file:// scheme, so URLs and paths compare alike. */
function toPath(location: string): string {
  return location.startsWith('file://') ? decodeURI(location.slice('file://'.length)) : location;
}

/** @internal
 * Where the library's code lives as stack traces name it, found from the location of this
 * module's own frame: the src/ folder when run from source or through source maps (this file
 * is src/memory/stack-frames.ts), else the folder of the library's bundle (dist/ or
 * dist/browser/). Inside someone else's bundle with no source map, the library's frames share
 * a file with the user's: '\0', which no frame is under, so none is dropped.
 */
export function libraryRootOf(ownLocation: string): string {
  const depth = /\/memory\/stack-frames\.[jt]s$/.test(ownLocation) ? 2 : /\/dist\/(browser\/)?index\.js$/.test(ownLocation) ? 1 : 0;
  return depth === 0 ? '\0' : ownLocation.split('/').slice(0, -depth).join('/') + '/';
}

/** The library root, from the first stack captured (computed once). */
let libraryRoot: string | undefined;

const parsedStacks = new Map<string, readonly Frame[]>();
/** Frames parsed while a source map they need was loading, with the stack to parse again. */
const unsettled = new WeakMap<readonly Frame[], string>();

/** The script URLs of a stack's frames. */
function scriptsOf(stack: string): string[] {
  return stack.split('\n').map((text) => (V8_FRAME.exec(text) ?? GECKO_FRAME.exec(text))?.[2]).filter((url) => url !== undefined);
}

/** True while any script of `stack` has its source map loading (starting the loads not yet started). */
function mapsPending(stack: string): boolean {
  let pending = false;
  for (const url of new Set(scriptsOf(stack))) pending = sourceMapPending(url) || pending;
  return pending;
}

/** Parses `stack` for captureFrames: cached once its maps are settled, else kept to be parsed again. */
function framesOf(stack: string): readonly Frame[] {
  const pending = mapsPending(stack);
  let root = libraryRoot;
  if (root === undefined) {
    const own = stack.split('\n').map((text) => V8_FRAME.exec(text) ?? GECKO_FRAME.exec(text)).find((match) => match !== null);
    root = own == null ? '\0' : libraryRootOf(locate(own, originalPosition).filename);
    if (!pending) libraryRoot = root; // found through this module's own map, once it has loaded
  }
  const frames = parseStack(stack, root);
  if (pending) {
    if (frames !== NO_FRAMES) unsettled.set(frames, stack);
  } else {
    if (parsedStacks.size >= MAX_CACHED_STACKS) parsedStacks.clear();
    parsedStacks.set(stack, frames);
  }
  return frames;
}

/** @internal
 * `frames` as captureFrames would give them now: parsed again through the source maps that
 * were loading when they were captured, once those have loaded; the same array otherwise.
 */
export function settledFrames(frames: readonly Frame[]): readonly Frame[] {
  const stack = unsettled.get(frames);
  if (stack === undefined || mapsPending(stack)) return frames;
  return parsedStacks.get(stack) ?? framesOf(stack);
}

/** @internal
 * Parses a V8 or Gecko stack string into frames, mapped through source maps by `map`, dropping
 * those under `root` (the library's folder; by default where captureFrames found itself).
 */
export function parseStack(stack: string, root = libraryRoot ?? '\0', map: PositionMapper = originalPosition): readonly Frame[] {
  const frames: Frame[] = [];
  for (const text of stack.split('\n')) {
    const match = V8_FRAME.exec(text) ?? GECKO_FRAME.exec(text);
    if (match === null) continue;
    const { filename, line } = locate(match, map);
    if (filename.startsWith(root)) continue;
    frames.push(Object.freeze({ filename, line, name: match[1] || '<anonymous>' }));
    if (frames.length === MAX_FRAMES) break;
  }
  // Frozen: parsed stacks are cached and shared by every entry from the same call site, and
  // snapshots hand them out, so a caller must not be able to change later entries' frames.
  return frames.length === 0 ? NO_FRAMES : Object.freeze(frames);
}

/** @internal The caller's stack as snapshot frames, innermost user frame first. */
export function captureFrames(): readonly Frame[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = MAX_FRAMES + 16; // room for the library's own frames
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return parsedStacks.get(stack) ?? framesOf(stack);
}
