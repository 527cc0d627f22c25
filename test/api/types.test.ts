// The shipped declarations type-check in a user's project. A temp project gets the package's
// package.json and dist/types as node_modules/mtia-sim (so 'mtia-sim' resolves through the
// `exports` "types" condition, and nothing outside the package is within reach) and a small
// program using the API, `using` included; tsc checks it with skipLibCheck off, so every shipped
// .d.ts is checked too. Run `npm run build` first.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules', '.bin', 'tsc');

/** A browser-style program: tensors, an op, a device scope with `using`, a Disposable, an ONNX model from bytes. */
const PROGRAM = `import { add, loadOnnx, mtia, tensor, type OnnxModel, type Tensor } from 'mtia-sim';

mtia.configure({ deviceCount: 1 });
const a: Tensor = tensor([1, 2, 3], { device: 'mtia:0' });
const held: Disposable = add(a, a);
export async function run(): Promise<number[]> {
  using scope = mtia.device(0);
  void scope;
  held[Symbol.dispose]();
  return Array.from(await add(a, 1).toArray());
}
export async function infer(bytes: Uint8Array): Promise<Record<string, Tensor>> {
  using model: OnnxModel = await loadOnnx(bytes, { externalData: {} });
  const names: string[] = model.inputs.map((i) => i.name + i.dtype);
  return model.run({ [names[0]!]: a });
}
export async function ids(): Promise<bigint[]> {
  return Array.from(await tensor([1n, 2n]).toArray<BigInt64Array>());
}
`;

let project = '';

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'types', 'index.d.ts'))) throw new Error('dist/types is missing: run `npm run build` first.');
  project = mkdtempSync(join(tmpdir(), 'mtia-sim-types-'));
  const installed = join(project, 'node_modules', 'mtia-sim');
  mkdirSync(join(installed, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(installed, 'package.json'));
  cpSync(join(root, 'dist', 'types'), join(installed, 'dist', 'types'), { recursive: true });
  writeFileSync(join(project, 'main.ts'), PROGRAM);
  writeFileSync(join(project, 'wrong.ts'), `import { tensor } from 'mtia-sim';\nexport const t = tensor([1], { device: 2n });\n`);
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Runs tsc on `files` of the temp project with these compiler options; its output. */
function check(files: string[], options: Record<string, unknown>): { status: number | null; output: string } {
  const config = {
    compilerOptions: {
      target: 'es2022', module: 'esnext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: false,
      ...options,
    },
    files,
  };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(config));
  const run = spawnSync(tsc, ['-p', project], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: run.stdout + run.stderr };
}

test('a browser project (lib es2022 + dom, no @types/node) type-checks against the package', () => {
  expect(check(['main.ts'], { lib: ['es2022', 'dom'], types: [] })).toEqual({ status: 0, output: '' });
});

test('so does one with lib esnext, whose Disposable types merge with the package\'s', () => {
  expect(check(['main.ts'], { lib: ['esnext', 'dom'], types: [] })).toEqual({ status: 0, output: '' });
});

test('so does one with @types/node, which declares Disposable too', () => {
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
  symlinkSync(join(root, 'node_modules', 'undici-types'), join(project, 'node_modules', 'undici-types'));
  try {
    expect(check(['main.ts'], { lib: ['es2022', 'dom'], types: ['node'] })).toEqual({ status: 0, output: '' });
  } finally {
    rmSync(join(project, 'node_modules', '@types'), { recursive: true });
    rmSync(join(project, 'node_modules', 'undici-types'));
  }
});

test('so does a Node project without the dom lib (lib es2022, @types/node)', () => {
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
  symlinkSync(join(root, 'node_modules', 'undici-types'), join(project, 'node_modules', 'undici-types'));
  try {
    expect(check(['main.ts'], { lib: ['es2022'], types: ['node'] })).toEqual({ status: 0, output: '' });
  } finally {
    rmSync(join(project, 'node_modules', '@types'), { recursive: true });
    rmSync(join(project, 'node_modules', 'undici-types'));
  }
});

test('the check sees the package\'s types: a wrong argument is an error', () => {
  const { status, output } = check(['wrong.ts'], { lib: ['es2022', 'dom'], types: [] });
  expect(status).not.toBe(0);
  expect(output).toMatch(/wrong\.ts\(2,\d+\): error TS2322: Type 'bigint' is not assignable/);
});

test('only the declarations index.d.ts reaches ship, without the internals', () => {
  const shipped = readdirSync(join(root, 'dist', 'types'), { recursive: true, encoding: 'utf8' });
  expect(shipped).toContain('index.d.ts');
  expect(shipped).toContain('disposable.d.ts');
  expect(shipped).toContain('host-types.d.ts');
  // Internal modules no public declaration names (the wasm core's layout, the current scope).
  expect(shipped).not.toContain(join('runtime', 'layout.d.ts'));
  expect(shipped).not.toContain(join('runtime', 'current-scope.d.ts'));
  expect(shipped).toContain(join('tensor', 'tensor.d.ts'));
  // Nor the machinery public classes hold (issue 23 finding 11): members and exports marked
  // @internal are stripped, so the device, its queues, the allocator and the trace builder stay out.
  for (const internal of [
    'runtime/simulated-device', 'runtime/stream-queue', 'runtime/command-ring', 'runtime/heap', 'runtime/lazy-calls',
    'memory/caching-allocator', 'memory/blocks', 'memory/private-pools', 'tensor/storage', 'tensor/launch', 'profiler/op-log',
  ]) expect(shipped).not.toContain(`${join(...internal.split('/'))}.d.ts`);
  const stream = readFileSync(join(root, 'dist', 'types', 'mtia', 'stream.d.ts'), 'utf8');
  expect(stream).toContain('readonly streamId: number;');
  expect(stream).not.toMatch(/StreamQueue|SimulatedDevice/);
});
