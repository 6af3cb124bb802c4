// The module the browser build generates from shaders/*.wgsl (see scripts/build-browser.ts).
declare module 'dawngrad:shader-sources' {
  /** Each shader's WGSL text by name (the file name without .wgsl). */
  export const SHADER_SOURCES: Readonly<Record<string, string>>;
}
