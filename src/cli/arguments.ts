// The mtia-sim command line: its commands, their options, the help text, and the parser that
// turns argv into a command or a UsageError (exit code 2, as POSIX utilities and most CLIs
// report misuse), naming the flag and what was expected.

import { parseArgs } from 'node:util';

/** The commands, with what each takes: its options and whether it takes a script. */
export const COMMANDS = {
  demo: { options: ['devices', 'profile', 'elements', 'json'], script: false, summary: 'start the simulated devices, run a small workload on each, check its results' },
  info: { options: ['devices', 'profile', 'json'], script: false, summary: 'print the properties of the simulated devices' },
  validate: { options: ['write', 'json'], script: false, summary: 'time the published MTIA 2i targets in timing-only mode and compare (exit 1 if one fails)' },
  trace: { options: ['out', 'devices', 'profile'], script: true, summary: "run SCRIPT (an .mjs/.js file importing 'mtia-sim') under the profiler and write its Chrome trace" },
  run: { options: ['input', 'output-dir', 'profile', 'timing-only', 'json'], script: true, summary: 'run MODEL.onnx on one simulated device: outputs as .npy files, the simulated time of every node' },
  serve: { options: ['port', 'dir', 'no-isolation'], script: false, summary: 'serve the browser playground (dist/playground/) on 127.0.0.1 and print its address' },
  scalesim: { options: ['config', 'topology', 'input-type', 'path', 'json'], script: false, summary: "run a SCALE-Sim v2 config and topology (-c CONFIG -t TOPOLOGY.csv [-i gemm] [-p OUTDIR]); write its reports" },
  help: { options: [], script: false, summary: 'show this help' },
} as const;

/** A command's name. */
export type CommandName = keyof typeof COMMANDS;

/** Every option, with its type and help line. */
const OPTIONS = {
  devices: { type: 'string', help: '--devices <n>      demo, info, trace: number of simulated devices (default 2)' },
  profile: { type: 'string', help: '--profile <name>   demo, info, trace, run: hardware profile mtia-v2 (MTIA 2i, default) or mtia-v1' },
  elements: { type: 'string', help: '--elements <n>     demo: elements per tensor (default 1048576)' },
  json: { type: 'boolean', help: '--json             demo, info, validate, run: print the report as JSON on stdout' },
  input: { type: 'string', multiple: true, help: '--input NAME=FILE  run: the model input NAME from a .npy file (repeat for each; others get seeded random values)' },
  'output-dir': { type: 'string', help: '--output-dir <dir> run: where to write <output name>.npy for each output (default: the current folder)' },
  'timing-only': { type: 'boolean', help: '--timing-only      run: time the model without computing values (no output files)' },
  write: { type: 'string', help: '--write <file>     validate: also write the table, as Markdown, to <file>' },
  out: { type: 'string', help: '--out <file>       trace: where to write the trace (default trace.json)' },
  port: { type: 'string', help: '--port <n>         serve: port on 127.0.0.1 (default 8080; 0: any free port)' },
  dir: { type: 'string', help: '--dir <folder>     serve: the folder to serve (default: the package\'s dist/playground/)' },
  'no-isolation': { type: 'boolean', help: '--no-isolation     serve: without the COOP/COEP headers (a page that is not cross-origin isolated)' },
  config: { type: 'string', short: 'c', help: '-c, --config <file>    scalesim: the SCALE-Sim config (.cfg)' },
  topology: { type: 'string', short: 't', help: '-t, --topology <file>  scalesim: the SCALE-Sim topology (.csv)' },
  'input-type': { type: 'string', short: 'i', help: '-i <conv|gemm>         scalesim: read the topology as conv layers (default) or M, N, K rows' },
  path: { type: 'string', short: 'p', help: '-p <folder>            scalesim: write the reports to <folder>/<run_name>/ (default: the current folder)' },
  help: { type: 'boolean', short: 'h', help: '-h, --help         show this help' },
  version: { type: 'boolean', short: 'v', help: '-v, --version      print the version of mtia-sim' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The help text: every command and option. */
export const usage = `Usage: mtia-sim <command> [options]
       mtia-sim trace SCRIPT [--out FILE]
       mtia-sim run MODEL.onnx [--input NAME=FILE.npy]... [--output-dir DIR] [--profile NAME] [--timing-only] [--json]
       mtia-sim scalesim -c CONFIG -t TOPOLOGY.csv [-i gemm] [-p OUTDIR]

Commands:
${Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(9)} ${summary}`).join('\n')}

Options:
${Object.values(OPTIONS).map(({ help }) => `  ${help}`).join('\n')}

Exit codes: 0 success, 1 a check or the work failed, 2 a usage error.
`;

/** Misuse of the command line: reported on stderr with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command line asks for. */
export interface Invocation {
  /** undefined with --help or --version alone. */
  readonly command: CommandName | undefined;
  /** The script of `trace`, the model of `run`. */
  readonly script: string | undefined;
  /** run's --input NAME=FILE pairs, in order. */
  readonly inputs: readonly { readonly name: string; readonly file: string }[];
  readonly outputDir: string | undefined;
  readonly timingOnly: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly json: boolean;
  readonly noIsolation: boolean;
  readonly devices: number | undefined;
  readonly profile: string | undefined;
  readonly elements: number | undefined;
  readonly write: string | undefined;
  readonly out: string | undefined;
  readonly port: number | undefined;
  readonly dir: string | undefined;
  /** scalesim: -c, -t, -i, -p. */
  readonly config: string | undefined;
  readonly topology: string | undefined;
  readonly inputType: 'conv' | 'gemm' | undefined;
  readonly path: string | undefined;
}

/** `value` of `--flag` as an integer from `min` to `max`; a UsageError naming the flag otherwise. */
function integer(flag: string, value: string | undefined, min: number, max: number, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${flag}: expected ${expected}, got '${value}'`);
  }
  return number;
}

/** A string option's value, refusing an empty one. */
function text(flag: string, value: string | undefined, expected: string): string | undefined {
  if (value === '') throw new UsageError(`--${flag}: expected ${expected}, got ''`);
  return value;
}

/** Parses `argv` (without node and the script); throws UsageError on misuse. */
export function parseCommandLine(argv: readonly string[], profileNames: readonly string[]): Invocation {
  const options = Object.fromEntries(
    Object.entries(OPTIONS).map(([name, spec]) => [name, { type: spec.type, ...('short' in spec && { short: spec.short }) }]),
  ) as Record<OptionName, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  for (const [name, spec] of Object.entries(OPTIONS)) if ('multiple' in spec) options[name as OptionName].multiple = true;
  const { values, positionals, tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  const given: OptionName[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!(token.name in OPTIONS)) throw new UsageError(`unknown option '${token.rawName}' (mtia-sim help lists the options)`);
    const name = token.name as OptionName;
    const spec = OPTIONS[name];
    if (spec.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName}: expected a value after it`);
    if (spec.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName}: takes no value, got '${token.value}'`);
    given.push(name);
  }
  const [first, ...rest] = positionals;
  if (first !== undefined && !(first in COMMANDS)) {
    throw new UsageError(`unknown command '${first}': expected one of ${Object.keys(COMMANDS).join(', ')}`);
  }
  const command = first as CommandName | undefined;
  const help = values.help === true || command === 'help';
  const version = values.version === true;
  if (command === undefined && !help && !version) throw new UsageError('no command given: expected one of ' + Object.keys(COMMANDS).join(', '));
  let script: string | undefined;
  if (command !== undefined && !help) {
    const spec = COMMANDS[command];
    const allowed: readonly string[] = [...spec.options, 'help', 'version'];
    for (const name of given) {
      if (!allowed.includes(name)) {
        throw new UsageError(`--${name} is not an option of '${command}' (its options: ${spec.options.map((o) => `--${o}`).join(', ') || 'none'})`);
      }
    }
    if (spec.script) {
      script = rest.shift();
      if (script === undefined) {
        throw new UsageError(command === 'run' ? "run: expected a model, as in 'mtia-sim run MODEL.onnx'" : `${command}: expected a script to run, as in 'mtia-sim ${command} SCRIPT'`);
      }
    }
    if (rest.length > 0) {
      throw new UsageError(`${command}: unexpected argument '${rest[0]}' (${spec.script ? `it takes one ${command === 'run' ? 'model' : 'script'}` : 'it takes no arguments'})`);
    }
  }
  const profile = text('profile', values.profile as string | undefined, `one of ${profileNames.join(', ')}`);
  if (profile !== undefined && !profileNames.includes(profile)) {
    throw new UsageError(`--profile: expected one of ${profileNames.join(', ')}, got '${profile}'`);
  }
  const inputs = ((values.input as string[] | undefined) ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new UsageError(`--input: expected NAME=FILE.npy, got '${pair}'`);
    return { name: pair.slice(0, at), file: pair.slice(at + 1) };
  });
  const inputType = text('input-type', values['input-type'] as string | undefined, 'conv or gemm');
  if (inputType !== undefined && inputType !== 'conv' && inputType !== 'gemm') {
    throw new UsageError(`-i: expected conv or gemm, got '${inputType}'`);
  }
  if (command === 'scalesim' && !help) {
    if (values.config === undefined) throw new UsageError("scalesim: expected a config, as in 'mtia-sim scalesim -c scale.cfg -t net.csv'");
    if (values.topology === undefined) throw new UsageError("scalesim: expected a topology, as in 'mtia-sim scalesim -c scale.cfg -t net.csv'");
  }
  return {
    command,
    script,
    inputs,
    outputDir: text('output-dir', values['output-dir'] as string | undefined, 'a folder'),
    timingOnly: values['timing-only'] === true,
    help,
    version,
    json: values.json === true,
    noIsolation: values['no-isolation'] === true,
    devices: integer('devices', values.devices as string | undefined, 1, Number.MAX_SAFE_INTEGER, 'a positive integer'),
    profile,
    elements: integer('elements', values.elements as string | undefined, 1, Number.MAX_SAFE_INTEGER, 'a positive integer'),
    write: text('write', values.write as string | undefined, 'a file name'),
    out: text('out', values.out as string | undefined, 'a file name'),
    port: integer('port', values.port as string | undefined, 0, 65535, 'an integer from 0 to 65535'),
    dir: text('dir', values.dir as string | undefined, 'a folder'),
    config: text('config', values.config as string | undefined, 'a config file'),
    topology: text('topology', values.topology as string | undefined, 'a topology file'),
    inputType,
    path: text('path', values.path as string | undefined, 'a folder'),
  };
}
