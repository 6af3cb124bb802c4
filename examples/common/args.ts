// The flags every example takes, parsed with Node's built-in util.parseArgs.
import { parseArgs } from 'node:util';
import type { BackendName } from '../../src/index.js';

export interface ExampleArgs {
  epochs: number;
  batchSize: number;
  /** Train on the first `limit` training examples (all when undefined). */
  limit: number | undefined;
  /** Validate and test on the first `evalLimit` held-out examples (all when undefined): for quick tries. */
  evalLimit: number | undefined;
  backend: BackendName;
  /** Where the model and chart go; `runs/<example>` by default. */
  out: string;
}

/** An example's own flags by name, with their defaults: a number default makes a positive-integer flag. */
export type ExtraFlags = Record<string, string | number>;
type Parsed<E extends ExtraFlags> = { [K in keyof E]: E[K] extends number ? number : string };

interface Defaults<E extends ExtraFlags> {
  epochs: number;
  batchSize: number;
  extra?: E;
}

function positiveInt(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${flag} must be a positive integer, got '${text}'`);
  return v;
}

/** Parses process.argv (or `argv`) with the example's defaults; `--help` prints usage, a bad flag the reason, and exit. */
export function exampleArgs<E extends ExtraFlags = Record<never, never>>(name: string, defaults: Defaults<E>, argv = process.argv.slice(2)): ExampleArgs & { extra: Parsed<E> } {
  const extra = Object.entries(defaults.extra ?? {}).map(([flag, v]) => ` [--${flag} ${v}]`).join('');
  const usage = `usage: ${name} [--epochs ${defaults.epochs}] [--batch-size ${defaults.batchSize}]${extra} [--limit N] [--eval-limit N] [--backend webgpu|cpu] [--out runs/${name}]`;
  try {
    return parse(name, defaults, argv, usage);
  } catch (e) {
    // A command-line mistake deserves one clear line, not a stack trace.
    console.error(`${name}: ${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}

function parse<E extends ExtraFlags>(name: string, defaults: Defaults<E>, argv: string[], usage: string): ExampleArgs & { extra: Parsed<E> } {
  const extras = Object.entries(defaults.extra ?? {});
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      limit: { type: 'string' },
      'eval-limit': { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
      ...Object.fromEntries(extras.map(([flag]) => [flag, { type: 'string' as const }])),
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const backend = values.backend ?? 'webgpu';
  if (backend !== 'webgpu' && backend !== 'cpu') throw new Error(`--backend must be 'webgpu' or 'cpu', got '${backend}'`);
  return {
    epochs: values.epochs === undefined ? defaults.epochs : positiveInt('epochs', values.epochs),
    batchSize: values['batch-size'] === undefined ? defaults.batchSize : positiveInt('batch-size', values['batch-size']),
    limit: values.limit === undefined ? undefined : positiveInt('limit', values.limit),
    evalLimit: values['eval-limit'] === undefined ? undefined : positiveInt('eval-limit', values['eval-limit']),
    backend,
    out: values.out ?? `runs/${name}`,
    extra: Object.fromEntries(extras.map(([flag, v]) => {
      const given = (values as Record<string, string | boolean | undefined>)[flag] as string | undefined;
      return [flag, given === undefined ? v : typeof v === 'number' ? positiveInt(flag, given) : given];
    })) as Parsed<E>,
  };
}
