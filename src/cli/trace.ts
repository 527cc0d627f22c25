// `mtia-sim trace SCRIPT`: runs a user's script under mtia.profiler and writes the Chrome trace.
//
// The script must drive the same library instance as the profiler: the CLI bundle does not
// carry a copy of the library but imports dist/index.js (scripts/build.mjs keeps it external),
// and a module resolve hook (node:module register, in every Node that package.json's engines
// allow: 20.16 and newer) resolves the script's `import ... from 'mtia-sim'` to that same file,
// wherever the script lives.

import { existsSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mtia } from '../index.js';
import { UsageError } from './arguments.js';

/** The library the CLI runs (dist/index.js next to dist/cli.js), which scripts must share. */
const libraryUrl = new URL('./index.js', import.meta.url).href;

/** A resolve hook mapping the bare specifier 'mtia-sim' to `libraryUrl`. */
const resolveHook = `export async function resolve(specifier, context, next) {
  return specifier === 'mtia-sim' ? { url: ${JSON.stringify(libraryUrl)}, shortCircuit: true } : next(specifier, context);
}`;

/** What `mtia-sim trace` did. */
export interface TraceResult {
  /** The file written. */
  readonly out: string;
  /** Ops in the trace. */
  readonly ops: number;
  /** What the script threw, if it failed (the trace of what it ran is written all the same). */
  readonly error: unknown;
}

/** Runs `script` under the profiler and writes the trace to `out`. */
export async function runTrace(script: string, out: string): Promise<TraceResult> {
  const path = resolve(script);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`trace: expected a script file, got '${script}', which does not exist`);
  register(`data:text/javascript,${encodeURIComponent(resolveHook)}`);
  mtia.profiler.start();
  let error: unknown;
  try {
    await import(pathToFileURL(path).href);
  } catch (thrown) {
    error = thrown;
  }
  if (mtia.profiler.running) await mtia.profiler.stop();
  const { ops } = await mtia.profiler.exportChromeTrace(out);
  return { out, ops, error };
}
