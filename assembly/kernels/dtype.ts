// Element sizes of the ABI's dtypes.

import {
  DTYPE_BFLOAT16, DTYPE_BOOL, DTYPE_FLOAT16, DTYPE_FLOAT32, DTYPE_INT32, DTYPE_INT8,
} from "../abi";
import { DTYPE_INT64 } from "../abi";

/** Bytes per element of `dtype`, or 0 if the code is unknown. */
export function dtypeBytes(dtype: u32): u32 {
  switch (dtype) {
    case DTYPE_INT64:
      return 8;
    case DTYPE_FLOAT32:
    case DTYPE_INT32:
      return 4;
    case DTYPE_FLOAT16:
    case DTYPE_BFLOAT16:
      return 2;
    case DTYPE_INT8:
    case DTYPE_BOOL:
      return 1;
    default:
      return 0;
  }
}
