// A static file server on 127.0.0.1 for the browser tier: serves one folder (and a page at /)
// with the COOP/COEP headers that cross-origin isolation (SharedArrayBuffer, shared wasm
// memory) needs, or without them (as most static hosts serve pages), refuses paths outside the folder, and can answer chosen paths with 404 to
// test how the page reports a missing file.

import { readFile, stat } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** What a static server serves. */
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

/** A running static server. */
export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** The file a request path names: the page at /, else a file under `root`; null if outside. */
function resolveRequest(pathname: string, root: string, page: string): string | null {
  if (pathname === '/' || pathname === '/index.html') return page;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, `.${decoded}`);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

/** Starts a static server on a free port of 127.0.0.1, with cross-origin isolation headers unless `isolated` is false. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const page = options.page ?? resolve(root, 'index.html');
  const missing = new Set(options.missing ?? []);
  const server: Server = createServer((request, response) => {
    if (options.isolated ?? true) {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    }
    response.setHeader('Cache-Control', 'no-store');
    const finish = (status: number, body?: Buffer) => {
      response.statusCode = status;
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return finish(405);
    // The raw path, not `new URL()`: it would normalise '..' away before we can refuse it.
    const pathname = (request.url ?? '/').split(/[?#]/, 1)[0]!;
    if (pathname === '/favicon.ico') return finish(204);
    if (missing.has(pathname)) return finish(404);
    const file = options.extra !== undefined && Object.hasOwn(options.extra, pathname) ? options.extra[pathname]! : resolveRequest(pathname, root, page);
    if (file === null) return finish(403);
    void (async () => {
      try {
        if (!(await stat(file)).isFile()) return finish(404);
        const body = await readFile(file);
        response.setHeader('Content-Type', contentTypes[extname(file)] ?? 'application/octet-stream');
        response.setHeader('Content-Length', body.length);
        finish(200, body);
      } catch {
        finish(404);
      }
    })();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
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
