#!/usr/bin/env node
// The `dawngrad` command. In a checkout (src/ present, tsx installed) it runs the TypeScript
// source through tsx, so `npx dawngrad serve ...` needs no build; an installed package (no src/)
// or a checkout without dev dependencies runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/serve/cli.ts', import.meta.url);
const built = new URL('../dist/src/serve/cli.js', import.meta.url);

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return null;
  }
}

let cli;
const loader = existsSync(source) ? await tsx() : null;
if (loader) {
  loader.register();
  cli = await import(source.href);
} else if (existsSync(built)) {
  cli = await import(built.href);
} else {
  console.error('dawngrad: neither tsx (npm install) to run src/ nor a build (npm run build) to run dist/ is here');
  process.exit(1);
}
await cli.main(process.argv);
