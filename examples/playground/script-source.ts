// The user's script as code: compiled into an async function whose stack frames name it
// (`//# sourceURL=your-script.js`), and the line and column in the editor's text of an error it
// threw. The engine numbers lines of the function's whole source, whose header (the parameter
// list) comes before the script's first line; that offset is measured once, not assumed.
// A syntax error is thrown by the Function constructor without a position, so the script is
// parsed again as a classic <script> from a blob: URL, whose window 'error' event carries the
// line and column (preventDefault keeps it off the console).

/** The file name the script's stack frames carry. */
export const SCRIPT_FILE = 'your-script.js';

/** A position in the script, 1-based as editors number them. */
export interface ScriptPosition {
  readonly line: number;
  readonly column: number;
}

/** An async function built from source text, taking its scope's values by name. */
type AsyncFunctionConstructor = new (...argsAndBody: string[]) => (...args: unknown[]) => Promise<unknown>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as AsyncFunctionConstructor;

/** The script compiled into an async function of `names`; throws the engine's SyntaxError. */
export function compileScript(names: readonly string[], code: string): (...values: unknown[]) => Promise<unknown> {
  return new AsyncFunction(...names, `${code}\n//# sourceURL=${SCRIPT_FILE}`);
}

/**
 * The first frame of `stack` in the script, moved up by `headerLines` (the function source's
 * lines before the script's first), or null when no frame is in the script or it falls outside
 * its `lineCount` lines.
 */
export function positionInStack(stack: string, headerLines: number, lineCount: number): ScriptPosition | null {
  const frame = new RegExp(`${SCRIPT_FILE.replace('.', '\\.')}:(\\d+):(\\d+)`).exec(stack);
  if (frame === null) return null;
  const line = Number(frame[1]) - headerLines;
  return line >= 1 && line <= lineCount ? { line, column: Number(frame[2]) } : null;
}

let headerLines: Promise<number> | undefined;

/** Lines of a compiled script's function source before its first line (2 in V8), measured once. */
export function scriptHeaderLines(): Promise<number> {
  headerLines ??= compileScript(['a', 'b'], 'throw new Error()')().then(
    () => 0,
    (error: unknown) => {
      const frame = error instanceof Error && error.stack !== undefined ? positionInStack(error.stack, 0, Infinity) : null;
      return frame === null ? 0 : frame.line - 1;
    },
  );
  return headerLines;
}

/** Where in the script `error` (thrown while running it) was thrown, or null if no stack frame says. */
export async function runtimeErrorPosition(error: unknown, code: string): Promise<ScriptPosition | null> {
  if (!(error instanceof Error) || error.stack === undefined) return null;
  return positionInStack(error.stack, await scriptHeaderLines(), code.split('\n').length);
}

/**
 * Where the syntax error of `code` is: the script is parsed (not run: it is the body of a
 * function expression nobody calls) as a classic script, whose error event says where the
 * parser stopped. Null outside a page, or when it parses.
 */
export function syntaxErrorPosition(code: string): Promise<ScriptPosition | null> {
  if (typeof document === 'undefined') return Promise.resolve(null);
  const url = URL.createObjectURL(new Blob([`(async function () {\n${code}\n});`], { type: 'text/javascript' }));
  const script = document.createElement('script');
  let onError: ((event: ErrorEvent) => void) | undefined;
  return new Promise<ScriptPosition | null>((done) => {
    onError = (event: ErrorEvent) => {
      if (event.filename !== url) return;
      event.preventDefault();
      const line = event.lineno - 1;
      done(line >= 1 && line <= code.split('\n').length ? { line, column: event.colno } : null);
    };
    window.addEventListener('error', onError);
    script.onload = () => done(null);
    script.onerror = () => done(null);
    script.src = url;
    document.head.appendChild(script);
  }).finally(() => {
    window.removeEventListener('error', onError!);
    script.remove();
    URL.revokeObjectURL(url);
  });
}

/** The script's line `line` with a caret under `column`: what the status shows under an error. */
export function excerpt(code: string, { line, column }: ScriptPosition): string {
  const text = code.split('\n')[line - 1] ?? '';
  const gutter = `${line} | `;
  return `${gutter}${text}\n${' '.repeat(gutter.length + Math.max(0, column - 1))}^`;
}
