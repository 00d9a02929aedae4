import { Timestamp } from 'bson';

/**
 * The replica set's logical clock: every write gets a strictly increasing Timestamp
 * (seconds, counter), reported as `operationTime`/`$clusterTime` and used by
 * `startAtOperationTime`.
 */
export class ClusterClock {
  private seconds = Math.floor(Date.now() / 1000);
  private counter = 1;

  now(): Timestamp {
    return new Timestamp({ t: this.seconds, i: this.counter });
  }

  tick(): Timestamp {
    const wall = Math.floor(Date.now() / 1000);
    if (wall > this.seconds) {
      this.seconds = wall;
      this.counter = 1;
    } else this.counter += 1;
    return this.now();
  }
}
