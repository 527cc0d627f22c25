// The page's settings and script in its URL's hash, so a reload keeps an edited script and a
// link shares it: '#profile=mtia-v2&devices=2&timing-only=0&workload=mlp', and for an edited
// script '&workload=custom&script=z.<data>'. The script is UTF-8 compressed with deflate-raw
// (the browser's CompressionStream) in base64url ('z.'), or plain UTF-8 in base64url ('u.')
// where it would not be shorter or CompressionStream is missing. Pure: no DOM; main.ts reads
// and writes location.hash.

/** What the hash keeps. */
export interface PageState {
  readonly profile: string;
  readonly devices: number;
  readonly timingOnly: boolean;
  /** A built-in workload's id, or 'custom' for an edited script. */
  readonly workload: string;
  /** The edited script (workload 'custom' only). */
  readonly script?: string;
}

/** Bytes as base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (padded or not) as bytes; throws on characters outside its alphabet. */
export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** `bytes` through a compression or decompression stream of deflate-raw. */
async function throughStream(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const piped = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

/** The script as the hash's `script` value: 'z.' + compressed, or 'u.' + plain UTF-8, whichever is shorter. */
export async function encodeScript(script: string): Promise<string> {
  const utf8 = new TextEncoder().encode(script);
  const plain = `u.${toBase64Url(utf8)}`;
  if (typeof CompressionStream !== 'function') return plain;
  const compressed = `z.${toBase64Url(await throughStream(utf8, new CompressionStream('deflate-raw')))}`;
  return compressed.length < plain.length ? compressed : plain;
}

/** The script of a hash's `script` value; throws when it is not one encodeScript wrote. */
export async function decodeScript(value: string): Promise<string> {
  const kind = value.slice(0, 2);
  const bytes = fromBase64Url(value.slice(2));
  if (kind === 'u.') return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (kind === 'z.') {
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot decompress the script (no DecompressionStream)');
    return new TextDecoder('utf-8', { fatal: true }).decode(await throughStream(bytes, new DecompressionStream('deflate-raw')));
  }
  throw new Error(`a script must start with 'z.' or 'u.', not '${kind}'`);
}

/** The hash (with its '#') for `state`. */
export async function writeHash(state: PageState): Promise<string> {
  const params = new URLSearchParams({
    profile: state.profile,
    devices: String(state.devices),
    'timing-only': state.timingOnly ? '1' : '0',
    workload: state.workload,
  });
  if (state.script !== undefined) params.set('script', await encodeScript(state.script));
  return `#${params}`;
}

/**
 * What `hash` says, each field only if present and well formed (the page keeps its default for
 * the others); `problem` says why a script could not be read.
 */
export async function readHash(hash: string): Promise<{ state: Partial<PageState>; problem: string | null }> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state: { -readonly [K in keyof PageState]?: PageState[K] } = {};
  const profile = params.get('profile');
  if (profile !== null && profile !== '') state.profile = profile;
  const devices = Number(params.get('devices'));
  if (Number.isSafeInteger(devices) && devices >= 1) state.devices = devices;
  const timingOnly = params.get('timing-only');
  if (timingOnly === '1' || timingOnly === '0') state.timingOnly = timingOnly === '1';
  const workload = params.get('workload');
  if (workload !== null && workload !== '') state.workload = workload;
  const script = params.get('script');
  let problem: string | null = null;
  if (script !== null) {
    try {
      state.script = await decodeScript(script);
    } catch (error) {
      problem = `the script in the link could not be read (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  return { state, problem };
}
