// Starts `mtia-sim serve` (dist/cli.js, the command behind `npm run serve`) on a free port of
// 127.0.0.1 as a child process and resolves once it prints its address, for the screenshot
// script and the browser test. Stop it with the returned stop().

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * Serves the built playground with (default) or without the COOP/COEP headers; resolves to its
 * origin (http://127.0.0.1:PORT) and a stop() that ends the server and resolves when it has.
 */
export function servePlayground({ isolation = true } = {}) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...(isolation ? [] : ['--no-isolation'])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((done) => child.once('exit', done));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((done, fail) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      fail(new Error(`mtia-sim serve printed no address within 20 s; it printed: ${output}`));
    }, 20_000);
    const read = (chunk) => {
      output += chunk;
      const address = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (address === null) return;
      clearTimeout(timer);
      done({ origin: address[0], stop });
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`mtia-sim serve exited with code ${code}: ${output}`));
    });
  });
}
