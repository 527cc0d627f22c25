// A static file server on 127.0.0.1 for the browser tier: serves `root` (and `page` at /), with
// or without the COOP/COEP headers that cross-origin isolation needs.

import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The file a request path names: `page` at /, a file of `extra`, else a file under `root`; null if outside. */
function resolveRequest(pathname: string, root: string, page: string, extra: Readonly<Record<string, string>>): string | null {
  if (pathname === '/' || pathname === '/index.html') return page;
  if (Object.hasOwn(extra, pathname)) return extra[pathname]!;
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

/**
 * Starts the server on a free port; `isolated` adds the cross-origin isolation headers;
 * `extra` maps request paths to files outside `root`.
 */
export async function startStaticServer(
  root: string, page: string, isolated: boolean, extra: Readonly<Record<string, string>> = {},
): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    if (isolated) {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    response.setHeader('Cache-Control', 'no-store');
    const finish = (status: number, body?: Buffer) => {
      response.statusCode = status;
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return finish(405);
    const pathname = (request.url ?? '/').split(/[?#]/, 1)[0]!;
    if (pathname === '/favicon.ico') return finish(204);
    const file = resolveRequest(pathname, root, page, extra);
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
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** Closes `server` and its connections. */
export async function stopStaticServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
}
