// The error a Node-only function raises in a page (the browser build's stand-ins call it).
export function nodeOnly(op: string, why: string, instead: string): Error {
  return new Error(`${op}: runs in Node only (${why}); in a page, ${instead}`);
}
