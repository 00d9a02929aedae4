import type { TransferEvent } from '../../domain/transfer/index.js';
import type { TransferDocument } from '../documents.js';
import { toLong } from '../position.js';
import { occurredAt, type RecordedEvent } from '../recorded-event.js';
import type { Projection } from './projection.js';

/** transfers: one document per transfer stream, with its status and, when refunded, the reason. */
export const transfersProjection: Projection<TransferDocument> = {
  name: 'transfers',
  project(recorded) {
    if (!recorded.streamId.startsWith('transfer-')) return [];
    const event = recorded as RecordedEvent<TransferEvent>;
    const id = event.streamId.slice('transfer-'.length);
    const stamp = {
      revision: event.revision,
      position: toLong(event.position.commit),
      updatedAt: occurredAt(event),
    };
    const guard = { _id: id, revision: { $lt: event.revision } };
    switch (event.type) {
      case 'TransferInitiated': {
        const { transferId: _, ...data } = event.data as Extract<
          TransferEvent,
          { type: 'TransferInitiated' }
        >['data'];
        return [
          {
            updateOne: {
              filter: { _id: id },
              update: {
                $setOnInsert: { ...data, status: 'PENDING', createdAt: stamp.updatedAt, ...stamp },
              },
              upsert: true,
            },
          },
        ];
      }
      case 'TransferCompleted':
        return [
          { updateOne: { filter: guard, update: { $set: { status: 'COMPLETED', ...stamp } } } },
        ];
      case 'TransferRejected': {
        const { reason } = event.data as { reason: string };
        return [
          {
            updateOne: {
              filter: guard,
              update: { $set: { status: 'REFUNDED', reason, ...stamp } },
            },
          },
        ];
      }
      default:
        return [];
    }
  },
};
