// A page cannot force a collection, and needs none: the browser frees bind groups' native
// descriptor sets on its own schedule (the exhaustion collectGarbage.ts guards against is a
// Node + Dawn one, where V8 sees only the tiny wrappers).
import type * as node from './collectGarbage.js';

export const collectGarbage: typeof node.collectGarbage = () => undefined;
