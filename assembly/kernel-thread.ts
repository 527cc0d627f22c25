// The kernel-thread module: the shared float32 matmul alone (kernels/matmul-shared.ts), which a
// device's kernel threads run together on one large matmul (workers/kernel-threads.ts). Each
// thread instantiates it on the device's live memory, so it must carry no static data: an
// active data segment would be written over the core's own data at every instantiation.
// scripts/build.mjs checks that the built module has no data section and no start function.

export { matmulF32Shared } from "./kernels/matmul-shared";
