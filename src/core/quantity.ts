/**
 * Kubernetes resource quantities ("500m", "2", "8Gi", "123456789n", "1e3"), parsed exactly.
 *
 * Grammar (k8s.io/apimachinery resource.Quantity):
 *   <quantity> ::= <sign>? <number> <suffix>
 *   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>   ::= Ki|Mi|Gi|Ti|Pi|Ei  |  n|u|m|""|k|M|G|T|P|E  |  (e|E)<sign>?<digits>
 *
 * Values are kept as an integer coefficient times powers of 10 and 2, so conversions are exact;
 * like the Go type's Value()/MilliValue(), the integer conversions round up.
 */

export interface Quantity {
  /** The text as given. */
  readonly text: string;
  /** value = coefficient * 10^pow10 * 2^pow2 (coefficient carries the sign). */
  readonly coefficient: bigint;
  readonly pow10: number;
  readonly pow2: number;
}

const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
/** Exponents beyond this are refused (the Go type caps far lower in practice). */
const MAX_EXPONENT = 100;

const QUANTITY_PATTERN =
  /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/;

export class QuantityError extends Error {
  constructor(text: string, reason = "not a Kubernetes quantity") {
    super(`invalid quantity ${JSON.stringify(text)}: ${reason}`);
    this.name = "QuantityError";
  }
}

/** Parses a quantity; throws QuantityError when the text does not follow the grammar. */
export function parseQuantity(text: string): Quantity {
  const match = QUANTITY_PATTERN.exec(text.trim());
  if (!match) throw new QuantityError(text);
  const [, sign, intPart, fracAfterInt, fracOnly, binary, exponent, decimal] = match;
  const fraction = fracAfterInt ?? fracOnly ?? "";
  const digits = `${intPart ?? ""}${fraction}` || "0";
  let pow10 = -fraction.length;
  let pow2 = 0;
  if (binary !== undefined) {
    pow2 = BINARY_SUFFIX[binary] ?? 0;
  } else if (exponent !== undefined) {
    const value = Number.parseInt(exponent, 10);
    if (Math.abs(value) > MAX_EXPONENT) throw new QuantityError(text, "exponent out of range");
    pow10 += value;
  } else {
    pow10 += DECIMAL_SUFFIX[decimal ?? ""] ?? 0;
  }
  const magnitude = BigInt(digits);
  return { text, coefficient: sign === "-" ? -magnitude : magnitude, pow10, pow2 };
}

/** ceil(a / b) for b > 0. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a > 0n && q * b !== a ? q + 1n : q;
}

/** The quantity times 10^scale, rounded up to an integer (scale 3 = milli-units, 0 = units). */
export function scaledValue(quantity: Quantity, scale: number): number {
  const pow10 = quantity.pow10 + scale;
  let numerator = quantity.coefficient * 2n ** BigInt(quantity.pow2);
  let denominator = 1n;
  if (pow10 >= 0) numerator *= 10n ** BigInt(pow10);
  else denominator = 10n ** BigInt(-pow10);
  return Number(ceilDiv(numerator, denominator));
}

/** The exact value as a float (e.g. "1500m" -> 1.5, "1Ki" -> 1024). */
export function quantityValue(quantity: Quantity): number {
  const base = Number(quantity.coefficient) * 2 ** quantity.pow2;
  return quantity.pow10 >= 0 ? base * 10 ** quantity.pow10 : base / 10 ** -quantity.pow10;
}

/** CPU in millicores, rounded up like MilliValue(): "2" -> 2000, "1953m" -> 1953, "123456789n" -> 124. */
export function parseCpuMillicores(text: string): number {
  return scaledValue(parseQuantity(text), 3);
}

/** Memory (or any count) in bytes, rounded up like Value(): "8Gi" -> 8589934592, "8G" -> 8e9. */
export function parseMemoryBytes(text: string): number {
  return scaledValue(parseQuantity(text), 0);
}
