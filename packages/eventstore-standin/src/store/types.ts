export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: bigint };

export interface ProposedEvent {
  /** 16 raw UUID bytes. */
  id: Buffer;
  type: string;
  contentType: string;
  data: Buffer;
  metadata: Buffer;
}

export interface LogPosition {
  commit: number;
  prepare: number;
}

export type WriteResult =
  | { kind: 'success'; currentRevision: bigint; position: LogPosition }
  /** `currentRevision` undefined means the stream does not exist. */
  | { kind: 'wrong_expected_version'; currentRevision: bigint | undefined }
  | { kind: 'stream_deleted' };

export type ReadStart = 'start' | 'end';

/** The server clock: milliseconds since the Unix epoch, sub-millisecond precise. */
export type Clock = () => number;

export const systemClock: Clock = () => performance.timeOrigin + performance.now();
