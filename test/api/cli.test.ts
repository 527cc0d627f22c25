// The mtia-sim command (dist/cli.js, built by npm run build), spawned as a user would run it:
// exit codes, what goes to stdout and stderr, --json that parses, a traced script sharing the
// CLI's library instance, the static server's headers, and the dist/ freshness check of npm start.

import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const freshness = fileURLToPath(new URL('../../scripts/dist-up-to-date.mjs', import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), 'mtia-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node file ...args` to the end. */
function run(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; file?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [options.file ?? cli, ...args], { cwd: options.cwd ?? work, env: { ...process.env, ...options.env }, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('mtia-sim --version and help', () => {
  test.each([['--version'], ['-v']])('%s prints the package version', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test.each([['help'], ['--help'], ['-h'], ['demo', '--help']])('%s lists every command and option on stdout', async (...args) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const command of ['demo', 'info', 'validate', 'trace', 'serve', 'scalesim', 'help']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const option of ['--devices', '--profile', '--elements', '--json', '--write', '--out', '--port', '--dir', '--no-isolation', '--help', '--version']) {
      expect(stdout).toContain(option);
    }
  });
});

describe('usage errors: stderr, exit code 2, the flag named', () => {
  test.each([
    [[], /no command given: expected one of demo, info, validate, trace, run, serve, scalesim, help/],
    [['frobnicate'], /unknown command 'frobnicate': expected one of demo, /],
    [['demo', '--devices', 'abc'], /--devices: expected a positive integer, got 'abc'/],
    [['demo', '--devices', '0'], /--devices: expected a positive integer, got '0'/],
    [['demo', '--devices', '1000000'], /--devices: configure\(\): deviceCount/],
    [['demo', '--devices'], /--devices: expected a value after it/],
    [['demo', '--elements', '1.5'], /--elements: expected a positive integer, got '1.5'/],
    [['demo', 'extra'], /demo: unexpected argument 'extra' \(it takes no arguments\)/],
    [['demo', '--frob'], /unknown option '--frob'/],
    [['demo', '-x'], /unknown option '-x'/],
    [['demo', '--write', 'out.md'], /--write is not an option of 'demo' \(its options: --devices, --profile, --elements, --json\)/],
    [['demo', '--json=yes'], /--json: takes no value, got 'yes'/],
    [['info', '--profile', 'mtia-v9'], /--profile: expected one of mtia-v1, mtia-v2, got 'mtia-v9'/],
    [['serve', '--port', '70000'], /--port: expected an integer from 0 to 65535, got '70000'/],
    [['serve', '--dir', 'no-such-folder'], /--dir: expected a folder to serve, got 'no-such-folder', which does not exist/],
    [['trace'], /trace: expected a script to run, as in 'mtia-sim trace SCRIPT'/],
    [['trace', 'a.mjs', 'b.mjs'], /trace: unexpected argument 'b.mjs' \(it takes one script\)/],
    [['trace', 'no-such-script.mjs'], /trace: expected a script file, got 'no-such-script.mjs', which does not exist/],
    [['trace', 'x.mjs', '--out', ''], /--out: expected a file name, got ''/],
  ])('mtia-sim %j', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^mtia-sim: /);
    expect(stderr).toContain("Run 'mtia-sim help'");
  });
});

describe('reports', () => {
  test('demo --json: one passed entry per device, with its ops and simulated time', async () => {
    const { code, stdout, stderr } = await run(['demo', '--json', '--devices', '3', '--elements', '4096']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as { profile: string; passed: boolean; devices: { device: string; ops: number; elements: number; simulatedMs: number; mismatches: number }[] };
    expect(report.profile).toBe('mtia-v2');
    expect(report.passed).toBe(true);
    expect(report.devices.map((d) => d.device)).toEqual(['mtia:0', 'mtia:1', 'mtia:2']);
    for (const d of report.devices) {
      // two uploads, three adds, the zeros' fill, one download
      expect(d).toMatchObject({ ops: 7, elements: 4096, mismatches: 0 });
      expect(d.simulatedMs).toBeGreaterThan(0);
    }
  });

  test('demo prints its table and exits 0', async () => {
    const { code, stdout, stderr } = await run(['demo', '--devices', '1', '--elements', '1000', '--profile', 'mtia-v1']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^mtia-sim demo: 1 simulated MTIA 1 device \(profile mtia-v1,/);
    expect(stdout).toMatch(/^mtia:0 +7 +1,000 +[\d.]+ ms +passed$/m);
    expect(stdout).toContain('All checks passed');
  });

  test('info --json: the properties of each device', async () => {
    const { code, stdout, stderr } = await run(['info', '--json', '--devices', '1', '--profile', 'mtia-v1']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const devices = JSON.parse(stdout) as { profile: string; name: string }[];
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ profile: 'mtia-v1', name: 'MTIA 1 (simulated)' });
  });

  test('validate --json --write: every row passes, the file holds the table', async () => {
    const file = join(work, 'validation.md');
    const { code, stdout, stderr } = await run(['validate', '--json', '--write', file]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as { passed: boolean; rows: { target: string; pass: boolean }[] };
    expect(report.passed).toBe(true);
    expect(report.rows.length).toBeGreaterThan(5);
    expect(report.rows.every((row) => row.pass)).toBe(true);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toMatch(/^# Validation against the published MTIA 2i figures/);
    for (const row of report.rows) expect(markdown).toContain(`| ${row.target} |`);
  }, 120_000);
});

describe('mtia-sim trace', () => {
  const folder = join(work, 'user-project');
  mkdirSync(folder, { recursive: true });
  copyFileSync(fileURLToPath(new URL('./scripts/two-streams.mjs', import.meta.url)), join(folder, 'two-streams.mjs'));

  test("runs a script importing 'mtia-sim' from a folder without node_modules on the CLI's library, and writes trace.json", async () => {
    expect(existsSync(join(folder, 'node_modules'))).toBe(false);
    const { code, stdout, stderr } = await run(['trace', 'two-streams.mjs'], { cwd: folder });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('script read 16384 values');
    expect(stdout).toContain('Wrote trace.json (4 ops); open it at https://ui.perfetto.dev');
    const trace = JSON.parse(readFileSync(join(folder, 'trace.json'), 'utf8')) as { traceEvents: { name: string; ph: string; cat?: string; bind_id?: number; flow_in?: boolean; flow_out?: boolean }[] };
    // The profiler the CLI started saw the script's ops: both ran on one library instance.
    expect(trace.traceEvents.filter((e) => e.cat === 'op').map((e) => e.name)).toEqual(['randn', 'matmul', 'add', 'copy_d2h']);
    const record = trace.traceEvents.find((e) => e.name === 'event record')!;
    const wait = trace.traceEvents.find((e) => e.name === 'event wait')!;
    expect(record).toMatchObject({ flow_out: true, bind_id: expect.any(Number) });
    expect(wait).toMatchObject({ flow_in: true, bind_id: record.bind_id });
  });

  test('--out names the file; a script that throws exits 1, naming the error, and its trace is still written', async () => {
    const out = join(work, 'failed.json');
    const { code, stdout, stderr } = await run(['trace', join(folder, 'two-streams.mjs'), '--out', out], { env: { FAIL_AFTER_WORK: '1' } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/mtia-sim trace: .*two-streams\.mjs failed: Error: the script failed on purpose/);
    expect(stdout).toContain(`Wrote ${out} (4 ops)`);
    expect(JSON.parse(readFileSync(out, 'utf8')).traceEvents.length).toBeGreaterThan(0);
  });
});

describe('mtia-sim serve', () => {
  const site = join(work, 'site');
  mkdirSync(join(site, 'sub'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site, 'sub', 'core.wasm'), new Uint8Array([0, 97, 115, 109]));

  /** Starts `mtia-sim serve ...args`; resolves with the origin it printed and a stop function. */
  function serve(args: readonly string[]): Promise<{ origin: string; line: string; stop: () => void }> {
    const child = spawn(process.execPath, [cli, 'serve', '--dir', site, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const origin = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
        if (origin !== undefined) done({ origin, line: out, stop: () => child.kill() });
      });
      child.on('exit', (code) => fail(new Error(`serve exited with ${code} before printing its address: ${out}`)));
    });
  }

  /** Status and headers of a GET of a raw (un-normalised) path. */
  function fetchRaw(origin: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
    return new Promise((done, fail) => {
      get(`${origin}/`, { path }, (response) => {
        response.resume();
        done({ status: response.statusCode ?? 0, headers: response.headers });
      }).on('error', fail);
    });
  }

  test('serves the folder on 127.0.0.1 with the cross-origin isolation headers, and nothing outside it', async () => {
    const { origin, line, stop } = await serve([]);
    try {
      expect(line).toMatch(/^Serving .* at http:\/\/127\.0\.0\.1:\d+\/ \(with cross-origin isolation\)/);
      const page = await fetchRaw(origin, '/');
      expect(page.status).toBe(200);
      expect(page.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
      });
      expect((await fetchRaw(origin, '/sub/core.wasm')).headers['content-type']).toBe('application/wasm');
      expect((await fetchRaw(origin, '/missing.js')).status).toBe(404);
      expect((await fetchRaw(origin, '/../../etc/passwd')).status).toBe(403);
      expect((await fetchRaw(origin, '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(403);
    } finally {
      stop();
    }
  });

  test('a port in use is an error naming it (exit 1)', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', () => done()));
    try {
      const { port } = holder.address() as AddressInfo;
      const { code, stdout, stderr } = await run(['serve', '--dir', site, '--port', String(port)]);
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toContain(`mtia-sim: --port ${port}: 127.0.0.1:${port} is already in use; choose another port, or --port 0 for any free one`);
    } finally {
      await new Promise<void>((done) => holder.close(() => done()));
    }
  });

  test('--no-isolation serves without the COOP/COEP headers', async () => {
    const { origin, line, stop } = await serve(['--no-isolation']);
    try {
      expect(line).toContain('(without cross-origin isolation)');
      const page = await fetchRaw(origin, '/index.html');
      expect(page.status).toBe(200);
      expect(page.headers['cross-origin-opener-policy']).toBeUndefined();
      expect(page.headers['cross-origin-embedder-policy']).toBeUndefined();
    } finally {
      stop();
    }
  });
});

describe('npm start: scripts/dist-up-to-date.mjs', () => {
  const pkg = join(work, 'package');
  const put = (file: string, seconds: number) => {
    mkdirSync(join(pkg, file, '..'), { recursive: true });
    writeFileSync(join(pkg, file), '');
    utimesSync(join(pkg, file), seconds, seconds);
  };

  test('exits 0 when every output is newer than every source, 1 when a source is newer or an output is missing', async () => {
    for (const file of ['src/index.ts', 'assembly/index.ts', 'workers/device-worker.ts', 'package.json']) put(file, 1_000);
    for (const file of ['dist/cli.js', 'dist/index.js', 'dist/device-worker.js', 'dist/core-relaxed.wasm', 'dist/kernel-thread.wasm', 'dist/kernel-thread-relaxed.wasm']) put(file, 2_000);
    expect((await run([pkg], { file: freshness })).code).toBe(1); // dist/core.wasm missing
    put('dist/core.wasm', 2_000);
    expect(await run([pkg], { file: freshness })).toEqual({ code: 0, stdout: '', stderr: '' });
    put('src/tensor/ops.ts', 3_000);
    const stale = await run([pkg], { file: freshness });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('dist/ is older than the sources');
  });
});
