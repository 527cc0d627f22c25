// The error a malformed SCALE-Sim config or topology raises: it names the file, the line and the
// column (1-based, as editors count them), so a teacher can fix the lab file it points at.

import { ValueError } from '../errors.js';

/** A config or topology that SCALE-Sim's rules reject, located as `file:line:column`. */
export class ScaleSimInputError extends ValueError {
  override name = 'ScaleSimInputError';
  /** The file as the caller named it ('config' or 'topology' when given as text). */
  readonly file: string;
  /** 1-based line of the offending text. */
  readonly line: number;
  /** 1-based column of the offending text (0 when the whole file is at fault). */
  readonly column: number;

  constructor(file: string, line: number, column: number, message: string) {
    super(`${file}:${line}${column > 0 ? `:${column}` : ''}: ${message}`);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}
