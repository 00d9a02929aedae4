import type { Long } from 'mongodb';
import { correlationIdOf } from '../../events/recorded-event.js';
import { toLong } from '../position.js';
import type { Projection } from './projection.js';

/**
 * correlations: which events share a correlation id, so `correlated(correlationId)` finds a
 * request's whole story (the mutation, the debit, the credit or the refund, the delivery) with
 * one indexed query instead of scanning $all. One small document per event, keyed by stream and
 * revision, inserted once with $setOnInsert: a replay or a rebuild writes nothing new.
 */
export interface CorrelationDocument {
  /** `<streamId>@<revision>` */
  _id: string;
  correlationId: string;
  streamId: string;
  revision: number;
  commit: Long;
  prepare: Long;
}

export const correlationsProjection: Projection<CorrelationDocument> = {
  name: 'correlations',
  project(event) {
    const { commit, prepare } = event.position;
    return [
      {
        updateOne: {
          filter: { _id: `${event.streamId}@${event.revision}` },
          update: {
            $setOnInsert: {
              correlationId: correlationIdOf(event),
              streamId: event.streamId,
              revision: event.revision,
              commit: toLong(commit),
              prepare: toLong(prepare),
            },
          },
          upsert: true,
        },
      },
    ];
  },
};
