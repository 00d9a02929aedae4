/** Wire protocol opcodes and limits, as documented in MongoDB's "Wire Protocol" reference. */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const MSG_FLAG_CHECKSUM = 1 << 0;
export const MSG_FLAG_MORE_TO_COME = 1 << 1;
export const MSG_FLAG_EXHAUST_ALLOWED = 1 << 16;

/** mongod's maxMessageSizeBytes and maxBsonObjectSize. */
export const MAX_MESSAGE_BYTES = 48_000_000;
export const MAX_BSON_OBJECT_BYTES = 16 * 1024 * 1024;
export const MAX_WRITE_BATCH_SIZE = 100_000;
