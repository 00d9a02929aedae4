import type { Document } from '../data/bson-values.js';
import { keyOf } from '../data/index-key.js';

/**
 * Replies of writes that carried `lsid` + `txnNumber`, so a retry of the same statement is
 * answered from here instead of being applied twice (MongoDB's retryable writes). Bounded,
 * oldest first out; the driver only ever retries the most recent write of a session.
 */
export class RetryableWrites {
  private readonly replies = new Map<string, Document>();

  constructor(private readonly capacity = 50_000) {}

  key(body: Document): string | undefined {
    if (body.lsid === undefined || body.txnNumber === undefined) return undefined;
    const lsid = body.lsid as Document;
    return `${keyOf(lsid.id)}|${keyOf(body.txnNumber)}`;
  }

  get(key: string): Document | undefined {
    return this.replies.get(key);
  }

  remember(key: string, reply: Document): void {
    this.replies.set(key, reply);
    if (this.replies.size > this.capacity) {
      const oldest = this.replies.keys().next().value;
      if (oldest !== undefined) this.replies.delete(oldest);
    }
  }
}
