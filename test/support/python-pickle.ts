// Reads a pickle with Python's own pickle module, the reference unpickler (python3 on the PATH,
// as test/api/memory.test.ts uses it): tuples come back as JSON arrays.

import { execFileSync } from 'node:child_process';

const UNPICKLE_TO_JSON = `
import json, pickle, sys
def lists(x):
    if isinstance(x, (list, tuple)): return [lists(i) for i in x]
    if isinstance(x, dict): return {k: lists(v) for k, v in x.items()}
    return x
print(json.dumps(lists(pickle.loads(open(sys.argv[1], 'rb').read()))))`;

/** The object the pickle file at `path` holds, as Python's pickle.loads reads it, through JSON. */
export function unpickleWithPython(path: string): unknown {
  return JSON.parse(execFileSync('python3', ['-c', UNPICKLE_TO_JSON, path], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}
