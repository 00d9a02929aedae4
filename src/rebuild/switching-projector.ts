import { CheckpointedSubscription } from '../read/checkpointed-subscription.js';
import type { ProjectionSwitching } from './projection-switching.js';

/** The read-model projector, with the rebuild and backfill switches it takes part in. */
export class SwitchingProjector extends CheckpointedSubscription {
  constructor(
    args: ConstructorParameters<typeof CheckpointedSubscription>,
    readonly switching: ProjectionSwitching,
  ) {
    super(...args);
  }

  override async start(): Promise<void> {
    const newcomers = await this.switching.init();
    await super.start();
    this.switching.start(newcomers);
  }

  override async stop(): Promise<void> {
    await this.switching.stop();
    await super.stop();
  }
}
