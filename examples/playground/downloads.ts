// Offers run results as files, built in the page, no server involved: the Chrome trace (open it
// on ui.perfetto.dev) and the memory snapshot as a protocol-4 pickle, what
// torch.cuda.memory._dump_snapshot writes and what pytorch.org/memory_viz opens (its
// MemoryViz.js only unpickles: a JSON snapshot fails there with `UNKNOWN OPCODE: 123`).

/** Saves `text` as a file called `name` through a temporary link. */
export function downloadText(name: string, text: string, type = 'application/json'): void {
  download(name, new Blob([text], { type }));
}

/** Saves `bytes` (a memory snapshot's pickle) as a file called `name`. */
export function downloadBytes(name: string, bytes: Uint8Array, type = 'application/octet-stream'): void {
  download(name, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
}

/** Saves `blob` as a file called `name` through a temporary link. */
function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
