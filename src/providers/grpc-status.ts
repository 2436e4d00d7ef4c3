/**
 * What a gRPC status means for a record. The class is the status's name (`DEADLINE_EXCEEDED`,
 * `UNAVAILABLE`...), as gRPC clients print it; the status follows the HTTP providers' split.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { InvokeResult } from '../core/provider.ts';

/** RESOURCE_EXHAUSTED is gRPC's 429; no answer or no answer in time is a transport error. */
export function statusOfGrpc(code: number): InvokeResult['status'] {
  switch (code) {
    case GrpcStatus.OK:
      return 'ok';
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return 'throttled';
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.CANCELLED:
      return 'transport-error';
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.NOT_FOUND:
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.PERMISSION_DENIED:
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.FAILED_PRECONDITION:
    case GrpcStatus.OUT_OF_RANGE:
    case GrpcStatus.UNIMPLEMENTED:
      return 'rejected';
    default:
      // UNKNOWN (what servers answer for a handler's exception), INTERNAL, ABORTED, DATA_LOSS.
      return 'function-error';
  }
}

/** `DEADLINE_EXCEEDED` for 4; a code outside the enum keeps its number. */
export function grpcStatusName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string | undefined>)[code] ?? `GRPC ${code}`;
}
