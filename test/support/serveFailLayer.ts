// A layer that throws inside forward when its batch holds the marker value, for the server's
// "a model that throws answers 500 and the server keeps serving" test. The serve child process
// loads this file with `node --import`, so the layer is registered before the model is read.
// It reads the batch synchronously from the cpu backend's handle, as only a test may.
import * as dg from '../../src/index.js';
import type { CpuHandle } from '../../src/backend/cpu/index.js';

export const FAIL_MARKER = 666;

export class FailOnMarker extends dg.nn.Module {
  override forward(x: dg.Tensor): dg.Tensor {
    const data = (x.handle as CpuHandle).data;
    if (data.includes(FAIL_MARKER)) throw new Error(`FailOnMarker: the batch holds the marker ${FAIL_MARKER}`);
    return x;
  }
}
dg.nn.registerLayer('FailOnMarker', FailOnMarker, () => new FailOnMarker());
