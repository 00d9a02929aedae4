/**
 * ISO 4217 active currencies and their minor-unit exponents.
 * Written out rather than taken from Intl: CLDR's display digits differ from ISO 4217
 * for some codes (IDR, HUF, ...), and a ledger must follow ISO.
 * Codes without a minor unit (funds, precious metals, XXX) are not accepted.
 */
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_4 = 'CLF UYW';
const EXPONENT_2 = `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP
  BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
  GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL
  MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP
  PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP
  TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`;

const minorDigitsByCode = new Map<string, number>();
for (const [codes, digits] of [
  [EXPONENT_0, 0],
  [EXPONENT_2, 2],
  [EXPONENT_3, 3],
  [EXPONENT_4, 4],
] as const) {
  for (const code of codes.split(/\s+/).filter(Boolean)) minorDigitsByCode.set(code, digits);
}

export type CurrencyCode = string & { readonly __brand: 'CurrencyCode' };

export function isCurrencyCode(code: string): code is CurrencyCode {
  return minorDigitsByCode.has(code);
}

export function minorDigits(currency: CurrencyCode): number {
  const digits = minorDigitsByCode.get(currency);
  if (digits === undefined) throw new Error(`unknown currency ${currency}`);
  return digits;
}
