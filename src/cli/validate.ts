// `mtia-sim validate`: the timing model against the published MTIA 2i figures
// (src/validation.ts), as a table, or JSON, and optionally written to a Markdown file.

import { writeFile } from 'node:fs/promises';
import { validate, validationTable, type ValidationRow } from '../validation.js';
import { invariantsTable, runInvariants, type InvariantRow } from '../invariants.js';

/** What `mtia-sim validate --json` prints. */
export interface ValidationReport {
  readonly rows: readonly ValidationRow[];
  /** The timing model's invariants (src/invariants.ts): worst cases against their bounds. */
  readonly invariants: readonly InvariantRow[];
  readonly passed: boolean;
}

/** The header of the invariants section, below the targets' table. */
export const INVARIANTS_PREAMBLE = `## Invariants

Properties every timing must have whatever the published figures (issue 20: never faster than
physics, never cheaper for more work), run through the public API in timing-only mode on a
fresh \`mtia-v2\` device, each the worst case over the shapes it tried (src/invariants.ts; the
property tests behind them, over more shapes and cold operands too, are test/core/*-invariants.test.ts).
The physical floor is the op's work at the profile's raw peaks (no calibrated efficiency).
`;

/** The header docs/validation.md gets above the table. */
export const VALIDATION_PREAMBLE = `# Validation against the published MTIA 2i figures

Written by \`npm run validate\` (\`mtia-sim validate --write docs/validation.md\`); a test runs the
same checks. Each row is a performance figure published for MTIA 2i (Coburn et al., "Meta's
Second Generation AI Chip", ISCA'25; the source column names the section, and the row number
the figure's place among the published targets) that the timing model covers, run through the
public API in timing-only mode on a fresh \`mtia-v2\` device and measured with timing events, as
a user would. "error vs published" is the simulated figure minus the published one (a bound, or
the midpoint of a published range). Not covered yet: the fleet-level targets 11–13. The profile's
calibrated parameters (docs/timing-model.md) were set against rows 1, 2 and 6; rows 3, 4, 5 and
8 follow from them (row 4 from the DPE's published int8 rate and the quantization's RE and SE
passes, nothing tuned). The last four rows hold the energy model to the published power of
MTIA 2i and MTIA 1 (ISCA'25 Table 2: TDP and typical power; src/typical-power.ts defines the
workloads): nothing in the energy model was tuned to them (docs/timing-model.md, "Energy").
`;

/** Runs the validation; writes the Markdown table to `write` if given. */
export async function runValidation(write: string | undefined): Promise<ValidationReport> {
  const rows = await validate();
  const invariants = await runInvariants();
  if (write !== undefined) {
    await writeFile(write, `${VALIDATION_PREAMBLE}\n${validationTable(rows)}\n\n${INVARIANTS_PREAMBLE}\n${invariantsTable(invariants)}\n`);
  }
  return { rows, invariants, passed: rows.every((r) => r.pass) && invariants.every((r) => r.pass) };
}

/** The report as text. */
export function formatValidation(report: ValidationReport, write: string | undefined): string {
  const failed = report.rows.filter((r) => !r.pass).length;
  const broken = report.invariants.filter((r) => !r.pass).length;
  return (
    "mtia-sim validate: the published MTIA 2i figures (ISCA'25), timing-only mode, profile mtia-v2\n\n" +
    `${validationTable(report.rows)}\n\n` +
    `${failed === 0 ? `All ${report.rows.length} targets passed` : `${failed} of ${report.rows.length} targets FAILED`}.\n\n` +
    `Invariants:\n\n${invariantsTable(report.invariants)}\n\n` +
    `${broken === 0 ? `All ${report.invariants.length} invariants held` : `${broken} of ${report.invariants.length} invariants BROKEN`}.` +
    (write === undefined ? '' : `\nWrote ${write}.`)
  );
}
