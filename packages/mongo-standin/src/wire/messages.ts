import { calculateObjectSize } from 'bson';
import { type Document, decodeDocument, encodeDocument } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import { crc32c } from './crc32c.js';
import {
  MAX_BSON_OBJECT_BYTES,
  MSG_FLAG_CHECKSUM,
  MSG_FLAG_EXHAUST_ALLOWED,
  MSG_FLAG_MORE_TO_COME,
  OP_MSG,
  OP_QUERY,
  OP_REPLY,
} from './opcodes.js';

/** A decoded request, whichever opcode carried it. */
export interface WireRequest {
  requestId: number;
  opCode: number;
  db: string;
  body: Document;
  /** The client expects no reply (OP_MSG moreToCome). */
  moreToCome: boolean;
  /** The client accepts a stream of replies to this request (OP_MSG exhaustAllowed). */
  exhaustAllowed: boolean;
}

/** A message that cannot be understood; the reply carries mongod's code for it. */
export class ProtocolError extends MongoCommandError {}

function readDocument(frame: Buffer, offset: number, end: number): { doc: Document; next: number } {
  if (offset + 5 > end)
    throw new ProtocolError(22, 'Invalid BSON: document runs past the message', 'InvalidBSON');
  const size = frame.readInt32LE(offset);
  if (size < 5 || offset + size > end) {
    throw new ProtocolError(
      22,
      `Invalid BSON: document length ${size} does not fit the message`,
      'InvalidBSON',
    );
  }
  if (size > MAX_BSON_OBJECT_BYTES + 16 * 1024) {
    throw new ProtocolError(
      10334,
      `BSONObj size: ${size} (0x${size.toString(16)}) is invalid. Size must be between 0 and 16793600(16MB)`,
      'BSONObjectTooLarge',
    );
  }
  try {
    return { doc: decodeDocument(frame.subarray(offset, offset + size)), next: offset + size };
  } catch (error) {
    throw new ProtocolError(22, `Invalid BSON: ${(error as Error).message}`, 'InvalidBSON');
  }
}

function readCString(frame: Buffer, offset: number, end: number): { text: string; next: number } {
  const zero = frame.indexOf(0, offset);
  if (zero < 0 || zero >= end)
    throw new ProtocolError(22, 'Invalid message: unterminated string', 'InvalidBSON');
  return { text: frame.toString('utf8', offset, zero), next: zero + 1 };
}

/** Parses one complete frame (header included). Throws ProtocolError for malformed input. */
export function parseMessage(frame: Buffer): WireRequest {
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(frame, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(frame, requestId);
  throw new ProtocolError(Number.NaN, `Unsupported opcode ${opCode}`, 'UnsupportedOpcode');
}

function parseOpMsg(frame: Buffer, requestId: number): WireRequest {
  if (frame.length < 21) throw new ProtocolError(22, 'Invalid OP_MSG: too short', 'InvalidBSON');
  const flags = frame.readUInt32LE(16);
  let end = frame.length;
  if (flags & MSG_FLAG_CHECKSUM) {
    end -= 4;
    const expected = frame.readUInt32LE(end);
    if (crc32c(frame.subarray(0, end)) !== expected) {
      throw new ProtocolError(40420, 'Invalid OP_MSG: checksum mismatch', 'Location40420');
    }
  }
  // Required flag bits (0-15) other than checksum/moreToCome are unknown to us: refuse them.
  if (flags & 0xfffc)
    throw new ProtocolError(40421, `Unrecognized OP_MSG flags ${flags}`, 'Location40421');
  let offset = 20;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = frame[offset]!;
    offset += 1;
    if (kind === 0) {
      if (body) throw new ProtocolError(40430, 'Multiple body sections in OP_MSG', 'Location40430');
      const read = readDocument(frame, offset, end);
      body = read.doc;
      offset = read.next;
    } else if (kind === 1) {
      if (offset + 4 > end)
        throw new ProtocolError(22, 'Invalid OP_MSG: truncated sequence', 'InvalidBSON');
      const size = frame.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end)
        throw new ProtocolError(22, 'Invalid OP_MSG: sequence size', 'InvalidBSON');
      const name = readCString(frame, offset + 4, seqEnd);
      const docs: Document[] = [];
      let at = name.next;
      while (at < seqEnd) {
        const read = readDocument(frame, at, seqEnd);
        docs.push(read.doc);
        at = read.next;
      }
      sequences.push([name.text, docs]);
      offset = seqEnd;
    } else {
      throw new ProtocolError(40432, `Unknown section kind ${kind}`, 'Location40432');
    }
  }
  if (!body) throw new ProtocolError(40587, 'OP_MSG requires a body', 'Location40587');
  for (const [name, docs] of sequences) {
    if (name in body)
      throw new ProtocolError(40433, `Duplicate field ${name} in OP_MSG`, 'Location40433');
    body[name] = docs;
  }
  const db = typeof body.$db === 'string' ? body.$db : '';
  if (!db)
    throw new ProtocolError(40571, 'OP_MSG requests require a $db argument', 'Location40571');
  return {
    requestId,
    opCode: OP_MSG,
    db,
    body,
    moreToCome: (flags & MSG_FLAG_MORE_TO_COME) !== 0,
    exhaustAllowed: (flags & MSG_FLAG_EXHAUST_ALLOWED) !== 0,
  };
}

function parseOpQuery(frame: Buffer, requestId: number): WireRequest {
  const name = readCString(frame, 20, frame.length);
  const offset = name.next + 8; // numberToSkip, numberToReturn
  const { doc } = readDocument(frame, offset, frame.length);
  const body = (doc.$query as Document | undefined) ?? doc;
  const dot = name.text.indexOf('.');
  const db = dot < 0 ? name.text : name.text.slice(0, dot);
  if (!name.text.endsWith('.$cmd')) {
    throw new ProtocolError(
      352,
      'Unsupported OP_QUERY command: legacy queries are not supported',
      'UnsupportedOpQueryCommand',
    );
  }
  return { requestId, opCode: OP_QUERY, db, body, moreToCome: false, exhaustAllowed: false };
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  head.writeInt32LE(responseTo, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

/**
 * The reply for an OP_MSG request: one body section. `moreToCome` marks a reply of an exhaust
 * stream, after which the server sends another without a request (awaitable hello).
 */
export function encodeOpMsgReply(responseTo: number, reply: Document, moreToCome = false): Buffer {
  const body = encodeReplyDocument(reply);
  const prefix = Buffer.alloc(5); // flagBits + section kind 0
  if (moreToCome) prefix.writeUInt32LE(MSG_FLAG_MORE_TO_COME, 0);
  return Buffer.concat([header(16 + 5 + body.length, responseTo, OP_MSG), prefix, body]);
}

/** The legacy OP_REPLY that answers an OP_QUERY handshake. */
export function encodeOpReply(responseTo: number, reply: Document): Buffer {
  const body = encodeReplyDocument(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(16 + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}

function encodeReplyDocument(reply: Document): Buffer {
  try {
    return encodeDocument(reply);
  } catch (error) {
    return encodeDocument({
      ok: 0,
      errmsg: `Cannot encode reply: ${(error as Error).message}`,
      code: 10334,
      codeName: 'BSONObjectTooLarge',
    });
  }
}

export function documentSize(doc: Document): number {
  return calculateObjectSize(doc, { ignoreUndefined: true });
}
