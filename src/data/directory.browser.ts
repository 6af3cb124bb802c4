// The browser build's flowFromDirectory: a page has no folders to walk.
import type * as node from './directory.js';
import { nodeOnly } from './nodeOnly.js';

export type { ClassMode, DirectoryIterator, FlowFromDirectoryOptions } from './directory.js';

export const flowFromDirectory: typeof node.flowFromDirectory = () => {
  throw nodeOnly('flowFromDirectory', 'it reads image files from a folder on disk', 'decode the images yourself (e.g. createImageBitmap and a canvas) into a tensor and use ImageDataGenerator.flow');
};
