// The core imports its memory as shared (asconfig.json sharedMemory), and a WebAssembly import
// must match exactly: a module that imports shared memory cannot be instantiated on a memory
// that is not shared, which is all the postMessage transport can make where memory cannot be
// shared. The core only uses atomic loads and stores, which are valid on unshared memory too
// (WebAssembly threads proposal), so the firmware runs a copy of the module whose memory import
// is the same but for the shared flag. Only that one byte changes: the limits flags of the
// memory import (binary format: import section, id 2; flags 0x03 = shared with a maximum).
// https://webassembly.github.io/spec/core/binary/modules.html#import-section and
// https://github.com/WebAssembly/threads/blob/main/proposals/threads/Overview.md

const SECTION_IMPORT = 2;
const SHARED_FLAG = 0x02;

/** Reads an unsigned LEB128 number at `at`; returns it and the position after it. */
function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

/** A copy of the WebAssembly binary `wasm` whose imported memory is not shared. */
export function unshareMemoryImport(wasm: ArrayBuffer | Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(wasm).slice() as Uint8Array<ArrayBuffer>;
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, body] = leb(bytes, at + 1);
    if (id === SECTION_IMPORT) {
      let [count, p] = leb(bytes, body);
      for (; count > 0; count--) {
        let length: number;
        [length, p] = leb(bytes, p); // module name
        [length, p] = leb(bytes, p + length); // field name
        p += length;
        const kind = bytes[p++]!;
        if (kind === 0) [, p] = leb(bytes, p); // function: type index
        else if (kind === 3) p += 2; // global: value type, mutability
        else {
          if (kind === 1) p++; // table: element type, then limits
          const flags = bytes[p]!;
          if (kind === 2) {
            bytes[p] = flags & ~SHARED_FLAG;
            return bytes;
          }
          [, p] = leb(bytes, p + 1); // minimum
          if (flags & 0x01) [, p] = leb(bytes, p); // maximum
        }
      }
    }
    at = body + size;
  }
  throw new Error('the core imports no memory');
}
