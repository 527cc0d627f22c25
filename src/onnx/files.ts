// Where an ONNX model's bytes come from: given bytes anywhere; a path, and the external data
// files beside it, in Node only. The Node code sits behind `isNode` (src/runtime/environment.ts),
// a constant false in the browser build, which drops it and its node: imports.

import { MtiaError } from '../errors.js';
import { isNode } from '../runtime/environment.js';
import type { ExternalData } from './read.js';

/** The model bytes and how to read its external data files. */
export interface ModelSource {
  readonly bytes: Uint8Array;
  /** Reads external data (Node: files beside the model; anywhere: given bytes), or undefined. */
  readonly external: ExternalData | undefined;
  /** A name for messages: the path, or 'the given bytes'. */
  readonly label: string;
}

/** Reads from given external data files' bytes, by location. */
function fromGivenFiles(files: Readonly<Record<string, Uint8Array>>): ExternalData {
  return async (location, offset, length) => {
    const bytes = files[location];
    if (bytes === undefined) {
      throw new MtiaError(`loadOnnx(): the model keeps tensors in the external file '${location}', which options.externalData does not hold (it holds: ${Object.keys(files).join(', ') || 'nothing'})`);
    }
    return bytes.subarray(offset, length === undefined ? undefined : offset + length);
  };
}

/** Reads external data from files in `folder` (Node), a slice at a time: files over 2 GB are never read whole. */
function fromFolder(folder: string): ExternalData {
  return async (location, offset, length) => {
    const { open } = await import('node:fs/promises');
    const { isAbsolute, join, normalize } = await import('node:path');
    if (isAbsolute(location) || normalize(location).startsWith('..')) {
      throw new MtiaError(`loadOnnx(): external data location '${location}' must be a path inside the model's folder`);
    }
    const path = join(folder, location);
    let file;
    try {
      file = await open(path, 'r');
    } catch (error) {
      throw new MtiaError(`loadOnnx(): cannot open the external data file '${path}': ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      const size = (await file.stat()).size;
      const count = length ?? size - offset;
      if (offset + count > size) {
        throw new MtiaError(`loadOnnx(): the external data file '${path}' has ${size} bytes, but a tensor is stored at ${offset} to ${offset + count} (a truncated file?)`);
      }
      const bytes = new Uint8Array(count);
      for (let at = 0; at < count;) {
        const { bytesRead } = await file.read(bytes, at, Math.min(count - at, 1 << 30), offset + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return bytes;
    } finally {
      await file.close();
    }
  };
}

/** The bytes of `source` (bytes, or a path in Node) and its external data reader. */
export async function modelSource(source: unknown, externalData: Readonly<Record<string, Uint8Array>> | undefined): Promise<ModelSource> {
  const given = externalData === undefined ? undefined : fromGivenFiles(externalData);
  if (source instanceof Uint8Array) return { bytes: source, external: given, label: 'the given bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), external: given, label: 'the given bytes' };
  if (typeof source === 'string') {
    if (!isNode) {
      throw new MtiaError(`loadOnnx(): '${source}' is a path, which only Node can read; in a browser pass the model's bytes (a Uint8Array or ArrayBuffer, e.g. from fetch())`);
    }
    const { readFile } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw new MtiaError(`loadOnnx(): cannot read '${source}': ${error instanceof Error ? error.message : String(error)}`);
    }
    return { bytes, external: given ?? fromFolder(dirname(source)), label: source };
  }
  throw new TypeError(`loadOnnx(): source must be the model's bytes (Uint8Array or ArrayBuffer) or, in Node, a path, but got: ${source === null ? 'null' : typeof source}`);
}
