import { accountsProjection } from './accounts.js';
import { correlationsProjection } from './correlations.js';
import { holdsProjection } from './holds.js';
import { ledgerIntegrityProjection } from './integrity.js';
import { ownersProjection } from './owners.js';
import type { Projection } from './projection.js';
import { transactionsProjection } from './transactions.js';
import { transfersProjection } from './transfers.js';

export type { Projection } from './projection.js';

export const readModelProjections: readonly Projection[] = [
  accountsProjection as unknown as Projection,
  transactionsProjection as unknown as Projection,
  transfersProjection as unknown as Projection,
  ledgerIntegrityProjection as unknown as Projection,
  holdsProjection as unknown as Projection,
  correlationsProjection as unknown as Projection,
  ownersProjection as unknown as Projection,
];
