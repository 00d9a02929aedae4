import { formatMoney, type Money } from '../../domain/money.js';
import { builder } from '../builder.js';

export const MoneyType = builder.objectRef<Money>('Money').implement({
  description:
    'An amount in one currency. The amount has exactly the minor digits of the currency.',
  fields: (t) => ({
    amount: t.field({ type: 'Decimal', resolve: (money) => formatMoney(money) }),
    currency: t.exposeString('currency', { description: 'ISO 4217 code' }),
  }),
});
