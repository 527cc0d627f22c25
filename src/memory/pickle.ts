// A protocol-4 pickle writer for plain data (dict, list, tuple, int, float, str, bool, None),
// restricted to the opcodes pytorch.org/memory_viz's unpickler reads
// (pytorch/pytorch torch/utils/viz/MemoryViz.js): PROTO, EMPTY_DICT,
// EMPTY_LIST, EMPTY_TUPLE, MARK, SETITEMS, APPENDS, TUPLE, TUPLE1-3, BININT, BININT1, BININT2,
// LONG1, BINFLOAT, SHORT_BINUNICODE, BINUNICODE, NONE, NEWTRUE, NEWFALSE, STOP. No memo and no
// frames (both optional), no classes. Python's `pickle.load` reads the result as well.

const PROTO = 0x80;
const STOP = 0x2e; // '.'
const MARK = 0x28; // '('
const EMPTY_DICT = 0x7d; // '}'
const SETITEMS = 0x75; // 'u'
const EMPTY_LIST = 0x5d; // ']'
const APPENDS = 0x65; // 'e'
const EMPTY_TUPLE = 0x29; // ')'
const TUPLE = 0x74; // 't'
const TUPLE1 = 0x85;
const BININT = 0x4a; // 'J'
const BININT1 = 0x4b; // 'K'
const BININT2 = 0x4d; // 'M'
const LONG1 = 0x8a;
const BINFLOAT = 0x47; // 'G'
const SHORT_BINUNICODE = 0x8c;
const BINUNICODE = 0x58; // 'X'
const NONE = 0x4e; // 'N'
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;

/** Items per SETITEMS/APPENDS, as CPython's pickler batches them. */
const BATCH = 1000;
/** Strings up to this length have their UTF-8 bytes cached: snapshot keys and frames repeat a lot. */
const CACHED_STRING_LENGTH = 256;
const MAX_CACHED_STRINGS = 65536;

const tupleMark = Symbol('pickle tuple');

/** An array that pickles as a Python tuple (and is a plain array in JSON and JavaScript). */
export function pickleTuple<T extends unknown[]>(...items: T): T {
  Object.defineProperty(items, tupleMark, { value: true });
  return items;
}

/** True for arrays made by pickleTuple. */
function isTuple(value: unknown[]): boolean {
  return (value as { [tupleMark]?: boolean })[tupleMark] === true;
}

const encoder = new TextEncoder();

/** Serialises plain data to protocol-4 pickle bytes. */
class PickleWriter {
  private bytes = new Uint8Array(1 << 16);
  private view = new DataView(this.bytes.buffer);
  private length = 0;
  private readonly strings = new Map<string, Uint8Array>();

  /** The pickle of `value`: PROTO 4, the value, STOP. */
  write(value: unknown): Uint8Array {
    this.byte(PROTO);
    this.byte(4);
    this.value(value);
    this.byte(STOP);
    return this.bytes.slice(0, this.length);
  }

  private reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + count) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  private byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  private value(value: unknown): void {
    switch (typeof value) {
      case 'number':
        if (Number.isInteger(value)) this.int(value);
        else this.float(value);
        return;
      case 'bigint':
        this.long(value);
        return;
      case 'string':
        this.string(value);
        return;
      case 'boolean':
        this.byte(value ? NEWTRUE : NEWFALSE);
        return;
      case 'undefined':
        this.byte(NONE);
        return;
      case 'object':
        if (value === null) this.byte(NONE);
        else if (Array.isArray(value)) this.array(value);
        else this.dict(value as Record<string, unknown>);
        return;
      default:
        throw new TypeError(`pickle: cannot serialise a ${typeof value}`);
    }
  }

  private int(value: number): void {
    if (value >= 0 && value < 0x100) {
      this.reserve(2);
      this.bytes[this.length++] = BININT1;
      this.bytes[this.length++] = value;
    } else if (value >= 0 && value < 0x10000) {
      this.reserve(3);
      this.bytes[this.length++] = BININT2;
      this.view.setUint16(this.length, value, true);
      this.length += 2;
    } else if (value >= -0x80000000 && value < 0x80000000) {
      this.reserve(5);
      this.bytes[this.length++] = BININT;
      this.view.setInt32(this.length, value, true);
      this.length += 4;
    } else {
      this.long(BigInt(value));
    }
  }

  /** LONG1: little-endian two's complement in as few bytes as keep the sign. */
  private long(value: bigint): void {
    const digits: number[] = [];
    let rest = value;
    for (;;) {
      const low = Number(rest & 0xffn);
      digits.push(low);
      rest >>= 8n;
      if ((rest === 0n && low < 0x80) || (rest === -1n && low >= 0x80)) break;
    }
    if (digits.length > 255) throw new RangeError('pickle: integer too large for LONG1');
    this.reserve(2 + digits.length);
    this.bytes[this.length++] = LONG1;
    this.bytes[this.length++] = digits.length;
    for (const digit of digits) this.bytes[this.length++] = digit;
  }

  /** BINFLOAT: an IEEE double, big-endian. */
  private float(value: number): void {
    this.reserve(9);
    this.bytes[this.length++] = BINFLOAT;
    this.view.setFloat64(this.length, value, false);
    this.length += 8;
  }

  private string(value: string): void {
    let utf8 = value.length <= CACHED_STRING_LENGTH ? this.strings.get(value) : undefined;
    if (utf8 === undefined) {
      utf8 = encoder.encode(value);
      if (value.length <= CACHED_STRING_LENGTH && this.strings.size < MAX_CACHED_STRINGS) this.strings.set(value, utf8);
    }
    if (utf8.length < 0x100) {
      this.reserve(2 + utf8.length);
      this.bytes[this.length++] = SHORT_BINUNICODE;
      this.bytes[this.length++] = utf8.length;
    } else {
      this.reserve(5 + utf8.length);
      this.bytes[this.length++] = BINUNICODE;
      this.view.setUint32(this.length, utf8.length, true);
      this.length += 4;
    }
    this.bytes.set(utf8, this.length);
    this.length += utf8.length;
  }

  private array(items: readonly unknown[]): void {
    if (isTuple(items as unknown[])) {
      if (items.length === 0) {
        this.byte(EMPTY_TUPLE);
      } else if (items.length <= 3) {
        for (const item of items) this.value(item);
        this.byte(TUPLE1 + items.length - 1);
      } else {
        this.byte(MARK);
        for (const item of items) this.value(item);
        this.byte(TUPLE);
      }
      return;
    }
    this.byte(EMPTY_LIST);
    for (let start = 0; start < items.length; start += BATCH) {
      this.byte(MARK);
      const end = Math.min(items.length, start + BATCH);
      for (let i = start; i < end; i++) this.value(items[i]);
      this.byte(APPENDS);
    }
  }

  /** A dict with string keys; properties whose value is undefined are left out, as JSON does. */
  private dict(object: Record<string, unknown>): void {
    this.byte(EMPTY_DICT);
    let inBatch = 0;
    for (const key in object) {
      const item = object[key];
      if (item === undefined || !Object.hasOwn(object, key)) continue;
      if (inBatch === 0) this.byte(MARK);
      this.string(key);
      this.value(item);
      if (++inBatch === BATCH) {
        this.byte(SETITEMS);
        inBatch = 0;
      }
    }
    if (inBatch > 0) this.byte(SETITEMS);
  }
}

/** The protocol-4 pickle of plain data (what Python's `pickle.dumps(value, protocol=4)` would load as). */
export function toPickle(value: unknown): Uint8Array {
  return new PickleWriter().write(value);
}
