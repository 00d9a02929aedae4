import type { UUIDMessage } from '../protocol.js';
import type { ProposedEvent } from '../store/types.js';
import {
  invalidArgument,
  maximumAppendSizeExceeded,
  missingMetadataProperty,
  type RpcError,
} from './errors.js';
import { uuidBytes } from './uuid.js';

/** EventStoreDB's default MaxAppendSize: data + metadata + 2 × type length over one append. */
export const MAX_APPEND_SIZE = 1024 * 1024;
/** Longest stream name accepted, in UTF-8 bytes (the log stores it with a 16-bit length). */
export const MAX_STREAM_NAME_BYTES = 4096;

export function validateStreamName(name: string): RpcError | undefined {
  if (name.length === 0) return invalidArgument('Stream name must not be empty.');
  if (Buffer.byteLength(name, 'utf8') > MAX_STREAM_NAME_BYTES) {
    return invalidArgument(`Stream name is longer than ${MAX_STREAM_NAME_BYTES} bytes.`);
  }
  return undefined;
}

interface ProposedMessage {
  getId(): UUIDMessage | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** Accumulates the events of one append, enforcing what EventStoreDB enforces per event. */
export class AppendAccumulator {
  readonly events: ProposedEvent[] = [];
  #size = 0;

  add(message: ProposedMessage): RpcError | undefined {
    const id = uuidBytes(message.getId());
    if (!id) return invalidArgument('Event id is missing or is not a valid UUID.');
    const metadata = message.getMetadataMap();
    const type = metadata.get('type');
    const contentType = metadata.get('content-type');
    if (type === undefined || contentType === undefined) return missingMetadataProperty();
    if (type.length === 0) return invalidArgument('Event type must not be empty.');
    if (Buffer.byteLength(type, 'utf8') > 65535 || Buffer.byteLength(contentType, 'utf8') > 65535) {
      return invalidArgument('Event type or content type is too long.');
    }
    const data = Buffer.from(message.getData_asU8());
    const custom = Buffer.from(message.getCustomMetadata_asU8());
    this.#size += data.length + custom.length + type.length * 2;
    if (this.#size > MAX_APPEND_SIZE) return maximumAppendSizeExceeded(MAX_APPEND_SIZE);
    this.events.push({ id, type, contentType, data, metadata: custom });
    return undefined;
  }
}
