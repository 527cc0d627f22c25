// Offers run results as files: the Chrome trace (Perfetto and chrome://tracing open it) and the
// memory snapshot (pytorch.org/memory_viz opens it). Built in the page, no server involved.

/** Saves `text` as a file called `name` through a temporary link. */
export function downloadText(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
