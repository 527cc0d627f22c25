// Setup of the "postMessage" test project (vitest.config.ts): the api suites it lists run
// again with every device reached over messages, as in a page without cross-origin isolation.
// A suite's own mtia.configure() calls merge over this one, so the transport stays.

import { mtia } from 'mtia-sim';

mtia.configure({ transport: 'postMessage' });
