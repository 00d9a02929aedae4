import type { Collection, Db, Long } from 'mongodb';

/**
 * The state of one projection's rebuild, one document per projection in `rebuilds`; the only
 * channel between whoever builds the copy (the CLI, or the leader's backfill) and whoever
 * switches it in (the leader's projector, or the CLI when no Tally runs):
 *
 *   building  -> the builder writes the copy; nobody else touches it
 *   requested -> the copy is near the head; the builder has stopped writing it
 *   switching -> claimed by one switcher (its lease token), which catches the copy up to the
 *                live projector's position, renames it over the live collection, and then
 *   switched  -> the copy is live; `position` is where it took over
 *
 * Each transition is one atomic single-document update, so two switchers never both claim.
 */
export type RebuildState = 'building' | 'requested' | 'switching' | 'switched';

export interface RebuildDocument {
  _id: string;
  state: RebuildState;
  /** True for a read model new to a running ledger: it has no live copy yet, and no checkpoint. */
  backfill: boolean;
  startedAt: Date;
  requestedAt?: Date;
  /** Who claimed the switch: the leader's lease token (0 without leadership), or -1 for the CLI. */
  claimedBy?: number;
  switchedAt?: Date;
  position?: Long;
}

/** The CLI's claim, when no projector runs to switch the copy in. */
export const CLI_CLAIM = -1;

export class RebuildRequests {
  static readonly COLLECTION = 'rebuilds';
  readonly #collection: Collection<RebuildDocument>;

  constructor(db: Db) {
    this.#collection = db.collection<RebuildDocument>(RebuildRequests.COLLECTION);
  }

  get(projection: string): Promise<RebuildDocument | null> {
    return this.#collection.findOne({ _id: projection });
  }

  /** Starts (or restarts after a switch) a rebuild; an unfinished one is left as it is. */
  async begin(projection: string, backfill: boolean, now: Date): Promise<RebuildDocument> {
    await this.#collection.updateOne(
      { _id: projection, state: 'switched' },
      {
        $set: { state: 'building', backfill, startedAt: now },
        $unset: { claimedBy: '', switchedAt: '', position: '', requestedAt: '' },
      },
    );
    const doc = await this.#collection.findOneAndUpdate(
      { _id: projection },
      { $setOnInsert: { state: 'building', backfill, startedAt: now } },
      { upsert: true, returnDocument: 'after' },
    );
    return doc!;
  }

  /** The builder has stopped writing the copy: a switcher may take it. */
  async request(projection: string, now: Date): Promise<void> {
    await this.#collection.updateOne(
      { _id: projection, state: 'building' },
      { $set: { state: 'requested', requestedAt: now } },
    );
  }

  /** Takes a request back (a restarted builder resumes writing); false once a switcher claimed it. */
  async withdraw(projection: string): Promise<boolean> {
    const result = await this.#collection.updateOne(
      { _id: projection, state: 'requested' },
      { $set: { state: 'building' } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Claims the switch: a request, or a switch claimed by an older leader term (that leader died
   * mid-switch; its successor redoes it, every step being idempotent). Never a CLI's claim.
   */
  async claim(projection: string, token: number): Promise<boolean> {
    const result = await this.#collection.updateOne(
      {
        _id: projection,
        $or: [
          { state: 'requested' },
          ...(token >= 0
            ? [{ state: 'switching' as const, claimedBy: { $gte: 0, $lte: token } }]
            : [{ state: 'switching' as const, claimedBy: CLI_CLAIM }]),
        ],
      },
      { $set: { state: 'switching', claimedBy: token } },
    );
    return result.modifiedCount === 1;
  }

  /** Still ours: no newer leader took the switch over meanwhile. */
  async holds(projection: string, token: number): Promise<boolean> {
    const doc = await this.#collection.findOne({ _id: projection });
    return doc?.state === 'switching' && doc.claimedBy === token;
  }

  async complete(projection: string, token: number, position: Long, now: Date): Promise<void> {
    await this.#collection.updateOne(
      { _id: projection, state: 'switching', claimedBy: token },
      { $set: { state: 'switched', switchedAt: now, position } },
    );
  }

  /** What a switcher should look at: requests, and switches a dead leader left half-done. */
  pending(): Promise<RebuildDocument[]> {
    return this.#collection.find({ state: { $in: ['requested', 'switching'] } }).toArray();
  }
}
