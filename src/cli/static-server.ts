// A static file server for the browser pages (the playground, test pages): files under one
// folder on 127.0.0.1, GET and HEAD only, nothing outside the folder, and by default the
// headers that make a page cross-origin isolated, so that SharedArrayBuffer (and so the
// simulator's shared device memory) is available to it:
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp
// (https://developer.mozilla.org/docs/Web/API/Window/crossOriginIsolated). Without them the
// page runs as on most static hosts (GitHub Pages).

import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

/** Options of serveStatic(). */
export interface StaticServerOptions {
  /** The folder to serve. */
  readonly root: string;
  /** Port on 127.0.0.1; 0 (default) takes any free port. */
  readonly port?: number;
  /** Send the cross-origin isolation headers (default true). */
  readonly isolation?: boolean;
  /** Files to serve at given paths instead of from the folder, e.g. { '/': 'test/page.html' }. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A running static server. */
export interface StaticServer {
  readonly server: Server;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** Stops it, closing open connections. */
  close(): Promise<void>;
}

/** Content types by file extension; anything else is application/octet-stream. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file a request path names under `root` (a folder's index.html for a folder), or null if outside it. */
function fileFor(pathname: string, root: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, `.${decoded}`);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return decoded.endsWith('/') ? join(file, 'index.html') : file;
}

/** Serves `options.root` on 127.0.0.1; resolves once it listens. */
export async function serveStatic(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const isolation = options.isolation ?? true;
  const files = options.files ?? {};
  const server = createServer((request, response) => {
    if (isolation) {
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
    // The raw path, not `new URL()`, which would normalise '..' away before it can be refused.
    const pathname = (request.url ?? '/').split(/[?#]/, 1)[0]!;
    const file = files[pathname] ?? fileFor(pathname, root);
    if (file === null) return finish(403);
    void (async () => {
      try {
        let path = file;
        if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
        const body = await readFile(path);
        response.setHeader('Content-Type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
        response.setHeader('Content-Length', body.length);
        finish(200, body);
      } catch {
        // favicon.ico answers 204 when there is none, so that a page's console stays clean.
        finish(pathname === '/favicon.ico' ? 204 : 404);
      }
    })();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
