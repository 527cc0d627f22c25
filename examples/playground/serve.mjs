// Serves the built playground (dist/playground/) on 127.0.0.1 and prints its address.
// By default with the headers that make the page cross-origin isolated (COOP/COEP, so devices
// share WebAssembly memory with their workers); `--no-isolation` serves it as most static hosts
// do, without them. `npm run serve [-- --port N] [-- --no-isolation]`; Ctrl-C stops it.

import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The built playground. */
export const playgroundRoot = fileURLToPath(new URL('../../dist/playground/', import.meta.url));

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/** The file under `root` a request path names (index.html for directories), or null if outside it. */
function fileFor(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

/**
 * Starts a static server for `root` on `host`:`port` (0: a free port). With `isolation` (the
 * default) every response carries COOP same-origin, COEP require-corp and CORP same-origin.
 * Resolves to the server and its origin, `http://127.0.0.1:PORT`.
 */
export async function startPlaygroundServer({ root = playgroundRoot, port = 0, host = '127.0.0.1', isolation = true } = {}) {
  const server = createServer((request, response) => {
    if (isolation) {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    }
    response.setHeader('Cache-Control', 'no-store');
    const finish = (status, body) => {
      response.statusCode = status;
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return finish(405);
    // The raw path: new URL() would normalise '..' away before it could be refused.
    const pathname = (request.url ?? '/').split(/[?#]/, 1)[0];
    if (pathname === '/favicon.ico') return finish(204);
    const file = fileFor(root, pathname);
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
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  return { server, origin: `http://${host}:${server.address().port}` };
}

/** The command line: [--port N] [--no-isolation]. Usage errors go to stderr with exit code 2. */
async function main(args) {
  let port;
  let isolation = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--no-isolation') isolation = false;
    else if (arg === '--port') {
      const value = args[++i];
      port = Number(value);
      if (value === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`serve: --port expects an integer from 0 to 65535, but got: ${value ?? '(nothing)'}\n`);
        process.exit(2);
      }
    } else {
      process.stderr.write(`serve: unknown argument '${arg}'; usage: serve.mjs [--port N] [--no-isolation]\n`);
      process.exit(2);
    }
  }
  try {
    await stat(`${playgroundRoot}index.html`);
  } catch {
    process.stderr.write(`serve: ${playgroundRoot} has no built playground; run \`npm run build\` first\n`);
    process.exit(1);
  }
  // 8080 unless --port says otherwise; a free port when 8080 is taken.
  let started;
  try {
    started = await startPlaygroundServer({ port: port ?? 8080, isolation });
  } catch (error) {
    if (port !== undefined || error?.code !== 'EADDRINUSE') throw error;
    started = await startPlaygroundServer({ port: 0, isolation });
  }
  const { origin } = started;
  process.stdout.write(
    `mtia-sim playground: ${origin}/ (${isolation ? 'cross-origin isolated: COOP/COEP headers' : 'no COOP/COEP headers'}); Ctrl-C stops it\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
