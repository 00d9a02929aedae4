import type { AccountEvent, AccountEventType } from '../../domain/account/index.js';
import type { HoldStatus } from '../../domain/banking-errors.js';
import type { HoldDocument } from '../documents.js';
import { toLong } from '../position.js';
import type { RecordedEvent } from '../recorded-event.js';
import type { Projection } from './projection.js';

type Data<T extends AccountEventType> = Extract<AccountEvent, { type: T }>['data'];

/**
 * holds: one document per hold, created by FundsReserved with $setOnInsert and settled by its
 * capture, release or expiry only where the document is at an earlier account revision, so
 * replays and duplicates change nothing.
 */
export const holdsProjection: Projection<HoldDocument> = {
  name: 'holds',
  project(recorded) {
    if (!recorded.streamId.startsWith('account-')) return [];
    const event = recorded as RecordedEvent<AccountEvent>;
    const stamp = { revision: event.revision, position: toLong(event.position.commit) };
    const settle = (holdId: string, status: HoldStatus, settledAt: string, more = {}) => [
      {
        updateOne: {
          filter: { _id: holdId, revision: { $lt: event.revision } },
          update: { $set: { status, settledAt: new Date(settledAt), ...more, ...stamp } },
        },
      },
    ];
    switch (event.type) {
      case 'FundsReserved': {
        const {
          holdId,
          placedAt,
          expiresAt,
          heldAfter: _,
          ...data
        } = event.data as Data<'FundsReserved'>;
        const fields: Omit<HoldDocument, '_id'> = {
          ...data,
          status: 'ACTIVE',
          placedAt: new Date(placedAt),
          expiresAt: new Date(expiresAt),
          placedRevision: event.revision,
          ...stamp,
        };
        return [
          {
            updateOne: { filter: { _id: holdId }, update: { $setOnInsert: fields }, upsert: true },
          },
        ];
      }
      case 'HoldCaptured': {
        const { holdId, amount, capturedAt } = event.data as Data<'HoldCaptured'>;
        return settle(holdId, 'CAPTURED', capturedAt, { capturedAmount: amount });
      }
      case 'FundsReleased': {
        const { holdId, releasedAt } = event.data as Data<'FundsReleased'>;
        return settle(holdId, 'RELEASED', releasedAt);
      }
      case 'HoldExpired': {
        const { holdId, expiredAt } = event.data as Data<'HoldExpired'>;
        return settle(holdId, 'EXPIRED', expiredAt);
      }
      default:
        return [];
    }
  },
};
