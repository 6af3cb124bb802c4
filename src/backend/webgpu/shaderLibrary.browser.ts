// A page: the WGSL sources embedded by the browser build (scripts/build-browser.ts generates
// the 'dawngrad:shader-sources' module from shaders/*.wgsl on every build, so they cannot drift).
import { SHADER_SOURCES } from 'dawngrad:shader-sources';
import type * as node from './shaderLibrary.js';

export const shaderNames: typeof node.shaderNames = () => Object.keys(SHADER_SOURCES).sort();

export const shaderText: typeof node.shaderText = (name) => {
  const text = SHADER_SOURCES[name];
  if (text === undefined) throw new Error(`dawngrad: no shader '${name}' in this bundle (it has ${shaderNames().join(', ')})`);
  return text;
};
