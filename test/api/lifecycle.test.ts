// The built package, with real device workers: a Node process that used the library exits by
// itself, and the command-line demo works.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('process lifetime', () => {
  test('a script that adds 1 M-element tensors on mtia:1 exits by itself, without shutdown()', () => {
    const script = fileURLToPath(new URL('./scripts/add-on-device-1.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined(); // a timeout would show up here
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ device: 'mtia:1', numel: 1 << 20, wrong: 0 });
  });

  // Issue 21 finding 1: over postMessage the shutdown closed the data port before the boot
  // handed it over, the handoff threw and the spawned worker was never terminated: the process
  // never exited. Each case runs in its own process over both transports.
  for (const transport of ['postMessage', 'shared-memory']) {
    test.each([
      ['plain', 'tensor'],
      ['deferred', 'DeferredMtiaCallError, init: DeferredMtiaCallError'],
    ])(`over ${transport}: a device shut down before it booted (%s) lets the process exit by itself`, (mode, used) => {
      const script = fileURLToPath(new URL('./scripts/shutdown-before-boot.mjs', import.meta.url));
      const started = performance.now();
      const run = spawnSync(process.execPath, [script, transport, mode], { cwd: root, encoding: 'utf8', timeout: 20_000 });
      expect(run.error).toBeUndefined(); // a hang shows up here as a timeout
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ used, initialized: false });
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }

  test('`mtia-sim demo` prints its summary and exits 0 by itself', () => {
    const run = spawnSync(process.execPath, ['dist/cli.js', 'demo'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('2 simulated MTIA 2i devices (profile mtia-v2');
    // 2 uploads, 3 adds, 1 fill, 1 read-back: 7 ops the profiler saw, 0.450 ms of simulated
    // MTIA 2i time between the demo's timing events (docs/timing-model.md works it out).
    expect(run.stdout).toMatch(/mtia:0\s+7\s+1,048,576\s+0\.450 ms\s+passed/);
    expect(run.stdout).toMatch(/mtia:1\s+7\s+1,048,576\s+0\.450 ms\s+passed/);
    expect(run.stdout).toContain('All checks passed');
  });

  test('`mtia-sim --help` lists the commands; a bad option is a clear error', () => {
    const help = spawnSync(process.execPath, ['dist/cli.js', '--help'], { cwd: root, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/demo\s+start the simulated devices/);
    expect(help.stdout).toMatch(/info\s+print the properties/);
    const bad = spawnSync(process.execPath, ['dist/cli.js', 'demo', '--devices', '0'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--devices: expected a positive integer, got '0'");
    const tooMany = spawnSync(process.execPath, ['dist/cli.js', 'demo', '--devices', '65'], { cwd: root, encoding: 'utf8' });
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toContain('--devices: configure(): deviceCount must be an integer in [1, 64], but got: 65');
  });
});
