// Out-of-memory observers (torch.mtia.attach_out_of_memory_observer; pytorch/pytorch
// torch/mtia/memory.py, PR #152160). Process-wide like PyTorch's: they are kept from the moment
// they are attached, before or after the devices start, across shutdown, and never removed.

/** Called when an allocation fails for good: device index, bytes that failed, device total, device free. */
export type OutOfMemoryObserver = (device: number, alloc: number, total: number, free: number) => void;

/** @internal Every attached observer, in registration order; the allocators call them in this order. */
export const outOfMemoryObservers: OutOfMemoryObserver[] = [];
