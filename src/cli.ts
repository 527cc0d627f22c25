// The mtia-sim command (dist/cli.js): parses the command line (cli/arguments.ts) and runs one
// command, each in its own module under cli/. Reports go to stdout (as JSON with --json),
// errors to stderr; exit code 0 on success, 1 when a check or the work failed, 2 on a usage
// error. `mtia-sim help` lists everything.

import { readFileSync } from 'node:fs';
import { mtia } from './index.js';
import { parseCommandLine, usage, UsageError, type Invocation } from './cli/arguments.js';
import { formatDemo, runDemo } from './cli/demo.js';
import { deviceInfo, formatInfo } from './cli/info.js';
import { startServe } from './cli/serve.js';
import { formatRun, runModel } from './cli/run.js';
import { formatScaleSim, runScaleSim } from './cli/scalesim.js';
import { runTrace } from './cli/trace.js';
import { formatValidation, runValidation } from './cli/validate.js';

/** The package's version, from the package.json beside dist/ (and beside src/). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Prints `value` as JSON, or `text` without --json. */
function report(json: boolean, value: unknown, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}

/** Applies --devices and --profile before the devices start; an out-of-range count names the flag. */
function configure(invocation: Invocation): void {
  const { devices, profile } = invocation;
  try {
    mtia.configure({
      ...(devices !== undefined && { deviceCount: devices }),
      ...(profile !== undefined && { profile: profile as mtia.ProfileName }),
    });
  } catch (error) {
    throw new UsageError(`--devices: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs the command line `argv`; resolves to the exit code (serve resolves when it listens). */
async function main(argv: readonly string[]): Promise<number> {
  const invocation = parseCommandLine(argv, Object.keys(mtia.profiles));
  if (invocation.version && !invocation.help) {
    console.log(packageVersion());
    return 0;
  }
  if (invocation.help) {
    console.log(usage);
    return 0;
  }
  switch (invocation.command!) {
    case 'demo': {
      configure(invocation);
      const result = await runDemo(invocation.elements ?? 1 << 20);
      report(invocation.json, result, () => formatDemo(result));
      return result.passed ? 0 : 1;
    }
    case 'info': {
      configure(invocation);
      const devices = deviceInfo();
      report(invocation.json, devices, () => formatInfo(devices));
      return 0;
    }
    case 'validate': {
      const result = await runValidation(invocation.write);
      report(invocation.json, result, () => formatValidation(result, invocation.write));
      return result.passed ? 0 : 1;
    }
    case 'trace': {
      configure(invocation);
      const result = await runTrace(invocation.script!, invocation.out ?? 'trace.json');
      if (result.error !== undefined) {
        const { error } = result;
        console.error(`mtia-sim trace: ${invocation.script} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      console.log(`Wrote ${result.out} (${result.ops} op${result.ops === 1 ? '' : 's'}); open it at https://ui.perfetto.dev`);
      return result.error === undefined ? 0 : 1;
    }
    case 'run': {
      try {
        mtia.configure({ deviceCount: 1, timingOnly: invocation.timingOnly, ...(invocation.profile !== undefined && { profile: invocation.profile as mtia.ProfileName }) });
      } catch (error) {
        throw new UsageError(`--profile: ${error instanceof Error ? error.message : String(error)}`);
      }
      const result = await runModel({ model: invocation.script!, inputs: invocation.inputs, outputDir: invocation.outputDir ?? '.', timingOnly: invocation.timingOnly });
      if (invocation.json) console.log(JSON.stringify(result));
      else console.log(formatRun(result));
      return 0;
    }
    case 'serve': {
      const served = await startServe(invocation.dir, invocation.port ?? 8080, !invocation.noIsolation);
      console.log(
        `Serving ${invocation.dir ?? 'the playground'} at ${served.origin}/ ` +
          `(${invocation.noIsolation ? 'without' : 'with'} cross-origin isolation); Ctrl+C stops it`,
      );
      return 0;
    }
    case 'scalesim': {
      const result = runScaleSim(invocation.config!, invocation.topology!, invocation.inputType ?? 'conv', invocation.path ?? '.');
      report(invocation.json, result, () => formatScaleSim(result));
      return 0;
    }
    case 'help':
      return 0; // answered above
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`mtia-sim: ${error.message}\nRun 'mtia-sim help' for the commands and options.`);
    process.exitCode = 2;
  } else {
    console.error(`mtia-sim: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
