// The browser tier's static server: the package's own (src/cli/static-server.ts, what
// `mtia-sim serve` runs) on a free port of 127.0.0.1, with or without the cross-origin isolation
// headers, plus what the tests need besides: a page at /, files from outside the folder, and
// paths answered 404 although the file exists (to test how a page reports a missing file).

import { get } from 'node:http';
import { join } from 'node:path';
import { serveStatic, type StaticServer } from '../../src/cli/static-server.js';

export type { StaticServer };

/** What a test's static server serves. */
export interface StaticServerOptions {
  /** The folder served. */
  readonly root: string;
  /** The file served at / and /index.html (default: root/index.html). */
  readonly page?: string;
  /** Request paths answered with 404 although the file exists. */
  readonly missing?: readonly string[];
  /** Send the cross-origin isolation headers (default true). */
  readonly isolated?: boolean;
  /** Request paths answered with files outside the folder. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** A file no folder holds: a path mapped to it is answered 404. */
const ABSENT = join('/nonexistent', 'mtia-sim-test-absent');

/** Starts a static server on a free port of 127.0.0.1, with cross-origin isolation headers unless `isolated` is false. */
export function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const files: Record<string, string> = { ...options.extra };
  if (options.page !== undefined) files['/'] = files['/index.html'] = options.page;
  for (const path of options.missing ?? []) files[path] = ABSENT;
  return serveStatic({ root: options.root, isolation: options.isolated ?? true, files });
}

/** Status of a GET for a raw (un-normalised) path. */
export function statusOf(origin: string, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const request = get(`${origin}/`, { path }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    });
    request.on('error', fail);
  });
}
