#!/usr/bin/env node
// The `dawngrad` command. In a checkout (src/ present) it runs the TypeScript source through
// tsx, so `npx dawngrad serve ...` needs no build; an installed package runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/serve/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import(new URL('../dist/src/serve/cli.js', import.meta.url).href);
}
await cli.main(process.argv);
