/**
 * A Decimal as the API prints it ("1234.50", JPY "1234") in integer minor units. The page shows
 * amounts exactly as printed; this is only for drawing the sparkline, with no float rounding.
 */
export function minorUnits(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}

/** "100.00 USD": the API's string, with the currency's digits as it printed them. */
export function formatMoney(money: { amount: string; currency: string }): string {
  return `${money.amount} ${money.currency}`;
}
