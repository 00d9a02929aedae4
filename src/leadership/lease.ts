import type { Collection, Db } from 'mongodb';

/** The lease document: who holds it, until when, and the fencing token of the current term. */
export interface LeaseDocument {
  _id: string;
  holder: string;
  /** Incremented at every change of holder; writes of an older term are refused. */
  token: number;
  expiresAt: Date;
  acquiredAt: Date;
}

/** The holder of a lease for one term: its fencing token identifies the term. */
export interface LeaseTerm {
  holder: string;
  token: number;
  expiresAt: Date;
}

/**
 * A named lease in MongoDB (`leases` collection). Taking it over bumps the fencing token; the
 * holder renews it before it expires. Each operation is one single-document update, atomic on
 * the server, so two instances can never both get a term with the same token.
 *
 * Expiry is judged by the clock of the instance that takes over, so clocks must agree to within
 * a small fraction of the lease (NTP does this); the fencing token makes a disagreement harmless
 * for the read models anyway: the old holder's writes are refused once the new term has written.
 */
export class MongoLease {
  static readonly COLLECTION = 'leases';
  readonly #collection: Collection<LeaseDocument>;

  constructor(
    db: Db,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.#collection = db.collection<LeaseDocument>(MongoLease.COLLECTION);
  }

  /** Takes the lease if it is free or expired; undefined when another holder still has it. */
  async tryAcquire(): Promise<LeaseTerm | undefined> {
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    try {
      const taken = await this.#collection.findOneAndUpdate(
        { _id: this.name, expiresAt: { $lte: now } },
        {
          $set: { holder: this.holder, expiresAt, acquiredAt: now },
          $inc: { token: 1 },
        },
        { upsert: true, returnDocument: 'after' },
      );
      if (!taken) return undefined;
      return { holder: taken.holder, token: taken.token, expiresAt: taken.expiresAt };
    } catch (error) {
      // The upsert collided with a live lease held by someone else: not ours.
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  /** Extends this term; false when the lease has passed to another term meanwhile. */
  async renew(term: LeaseTerm): Promise<LeaseTerm | undefined> {
    const expiresAt = new Date(this.clock().getTime() + this.ttlMs);
    const result = await this.#collection.updateOne(
      { _id: this.name, holder: this.holder, token: term.token },
      { $set: { expiresAt } },
    );
    return result.matchedCount === 1 ? { ...term, expiresAt } : undefined;
  }

  /** Gives the lease up at once (graceful shutdown), so another instance need not wait for it to expire. */
  async release(term: LeaseTerm): Promise<void> {
    await this.#collection.updateOne(
      { _id: this.name, holder: this.holder, token: term.token },
      { $set: { expiresAt: new Date(0) } },
    );
  }

  /** The current lease, whoever holds it. */
  current(): Promise<LeaseDocument | null> {
    return this.#collection.findOne({ _id: this.name });
  }
}

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000;
}
