/** Where a projection is rebuilt: a collection beside the live one, with a checkpoint of its own. */
export const shadowCollectionName = (projection: string) => `${projection}__rebuild`;

/** The rebuild's checkpoint, in the checkpoints collection beside the projector's. */
export const rebuildCheckpointName = (projection: string) => `rebuild:${projection}`;

/** The live projector's checkpoint of a projection. */
export const projectionCheckpointName = (projection: string) => `projection:${projection}`;
