/**
 * Luhn (mod 10) check over a string of ASCII digits. Card numbers pass it, and most other long
 * numbers (order ids, timestamps) do not, which keeps card scrubbing from eating ordinary ids.
 */
export function isLuhnValid(digits: string): boolean {
  if (digits.length === 0 || !/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
