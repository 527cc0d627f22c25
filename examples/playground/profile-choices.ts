// The hardware profiles the playground offers: the two MTIA generations and the systolic
// teaching profile (docs/teaching.md) in its output- and weight-stationary dataflows.

import type { mtia } from 'mtia-sim';
import type { ArrayShape } from './pe-grid.js';

/** A profile in the playground's menu. */
export interface ProfileChoice {
  /** Its key in the menu and the URL hash. */
  readonly id: string;
  /** Its name in the menu. */
  readonly title: string;
  /** What mtia.configure() receives. */
  readonly profile: mtia.ProfileName | mtia.CustomProfile;
  /** The systolic array, for the teaching profiles. */
  readonly array?: ArrayShape;
}

/** A teaching profile: MTIA 2i with its DPEs replaced by one 32 × 32 systolic array. */
function teaching(dataflow: 'os' | 'ws'): ProfileChoice {
  const array: ArrayShape = { rows: 32, cols: 32, dataflow };
  return {
    id: `systolic-32x32-${dataflow}`,
    title: `Teaching: 32×32 systolic array, ${dataflow === 'os' ? 'output' : 'weight'} stationary`,
    profile: { name: `systolic-32x32-${dataflow}`, base: 'mtia-v2', systolic: array },
    array,
  };
}

/** The menu, default first. */
export const profileChoices: readonly ProfileChoice[] = [
  { id: 'mtia-v2', title: 'MTIA 2i (mtia-v2)', profile: 'mtia-v2' },
  { id: 'mtia-v1', title: 'MTIA v1 (mtia-v1)', profile: 'mtia-v1' },
  teaching('os'),
  teaching('ws'),
];
