import type { Metadata, ServerErrorResponse, StatusObject } from '@grpc/grpc-js';
import { grpc } from '../protocol.js';

export type RpcError = ServerErrorResponse & Partial<StatusObject>;

/** A gRPC error status with EventStoreDB's trailing metadata (`exception` and friends). */
export function rpcError(
  code: number,
  details: string,
  trailers: Record<string, string> = {},
): RpcError {
  const metadata: Metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  const error = new Error(details) as RpcError;
  error.code = code;
  error.details = details;
  error.metadata = metadata;
  return error;
}

export const Status = grpc.status;

/** EventStoreDB's numbers for expected versions in error metadata. */
export function expectedVersionNumber(
  expected: import('../store/types.js').ExpectedRevision,
): string {
  switch (expected.kind) {
    case 'any':
      return '-2';
    case 'no_stream':
      return '-1';
    case 'stream_exists':
      return '-4';
    case 'revision':
      return expected.revision.toString();
  }
}

export function wrongExpectedVersionError(
  stream: string,
  expected: import('../store/types.js').ExpectedRevision,
  current: bigint | undefined,
): RpcError {
  const actual = current === undefined ? '-1' : current.toString();
  return rpcError(
    Status.FAILED_PRECONDITION,
    `Append failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersionNumber(expected)}, Actual version: ${actual}`,
    {
      exception: 'wrong-expected-version',
      'stream-name': stream,
      'expected-version': expectedVersionNumber(expected),
      'actual-version': actual,
    },
  );
}

export function streamDeletedError(stream: string): RpcError {
  return rpcError(Status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });
}

export function invalidArgument(details: string): RpcError {
  return rpcError(Status.INVALID_ARGUMENT, details);
}

export function maximumAppendSizeExceeded(limit: number): RpcError {
  return rpcError(Status.INVALID_ARGUMENT, `Maximum Append Size of ${limit} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': String(limit),
  });
}

export function missingMetadataProperty(): RpcError {
  return rpcError(
    Status.INVALID_ARGUMENT,
    'Required Metadata Properties Missing: type, content-type',
    {
      exception: 'missing-required-metadata-property',
      'required-metadata-properties': 'type,content-type',
    },
  );
}

/**
 * Wraps a gRPC event handler so that a bug in it answers the call with INTERNAL instead of
 * throwing out of an event listener, which would take the whole process down.
 */
export function guarded<A extends unknown[]>(
  onError: (error: RpcError) => void,
  handler: (...args: A) => void,
): (...args: A) => void {
  return (...args: A) => {
    try {
      handler(...args);
    } catch (error) {
      onError(rpcError(Status.INTERNAL, `internal error: ${(error as Error).message}`));
    }
  };
}
