// Tensor ops. Each one checks its arguments and computes the output's shape and dtype on the
// host, synchronously, so a bad call throws at the call site before anything is queued; then
// it allocates the output and enqueues one command on the device.

import { MtiaError } from '../errors.js';
import { OP_ADD } from '../runtime/layout.js';
import { checkAccesses } from '../runtime/stream-sanitizer.js';
import { broadcastShapes, sameShape } from './shape.js';
import { dtypeInfo } from './dtype.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

/** Throws PyTorch's error unless every tensor is on the same device. */
function checkSameDevice(op: string, tensors: readonly Tensor[]): void {
  const first = tensors[0]!.storage.device;
  for (const tensor of tensors) {
    if (tensor.storage.device !== first) {
      throw new MtiaError(
        `Expected all tensors to be on the same device, but found at least two devices, ` +
          `mtia:${first.index} and mtia:${tensor.storage.device.index}! (in ${op})`,
      );
    }
  }
}

/** a + b, elementwise (torch.add). Both tensors must have the same dtype and shape for now. */
export function add(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    throw new TypeError(`add(): arguments must be Tensors, but got: ${typeof a} and ${typeof b}`);
  }
  const sa = a.checkUsable('add');
  const sb = b.checkUsable('add');
  checkSameDevice('add', [a, b]);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!sameShape(a.shape, b.shape)) {
    throw new MtiaError(
      `add(): broadcasting [${a.shape.join(', ')}] with [${b.shape.join(', ')}] is not supported by mtia-sim yet; ` +
        'expand the tensors to the same shape',
    );
  }
  if (a.dtype !== b.dtype) {
    throw new MtiaError(
      `add(): type promotion (${a.dtype} + ${b.dtype}) is not supported by mtia-sim yet; use tensors of one dtype`,
    );
  }
  const info = dtypeInfo(a.dtype);
  const device = sa.device;
  const bytes = a.numel * info.bytes;
  const out = Storage.allocate(device, bytes);
  checkAccesses('add', device, [sa, sb], [out]);
  device.currentQueue.enqueue(OP_ADD, info.code, out.address, sa.address, sb.address, a.numel, 0, 0);
  return new Tensor(out, shape, a.dtype);
}
