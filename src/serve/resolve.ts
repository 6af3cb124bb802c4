// From a request's model name and optional version to the Servable that answers it, with the
// status TF Serving gives when there is none: 404 for a model or version it does not know,
// 503 for one that is known but has nothing loaded (loading, or every version failed).
import { badRequest, notFound, unavailable } from './errors.js';
import { type Registry, VERSION_PATTERN } from './registry.js';
import type { Servable } from './servable.js';

export function resolveServable(registry: Registry, name: string, version?: string): Servable {
  const entry = registry.model(name);
  if (version !== undefined && !VERSION_PATTERN.test(version)) throw badRequest(`a version is a positive integer, got '${version.slice(0, 40)}'`);
  const request = version === undefined ? `Latest(${name.slice(0, 128)})` : `Specific(${name.slice(0, 128)}, ${version})`;
  if (!entry) throw notFound(`Servable not found for request: ${request}`);
  const served = entry.served;
  if (version === undefined || (served && served.version === String(Number(version)))) {
    if (served) return served;
    const why = [...entry.versions.values()].map((v) => `version ${v.version} ${v.state}${v.errorMessage ? `: ${v.errorMessage}` : ''}`).join('; ');
    throw unavailable(`model '${name}' has no version available yet${why ? ` (${why})` : ''}`);
  }
  const status = entry.status(String(Number(version)));
  if (status?.state === 'LOADING') throw unavailable(`model '${name}' version ${version} is still loading`);
  throw notFound(`Servable not found for request: ${request}${status ? ` (state ${status.state}${status.errorMessage ? `: ${status.errorMessage}` : ''})` : ''}`);
}
