"use strict";
/**
 * A small shop whose functions fail the way real code does, for the grouping corpus: each site
 * throws (or reports) with values that change from call to call. The Node clients (@sentry/node,
 * raven) run the same sites. Every site is its own code location: one bug each.
 */

class NotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = "NotFoundError";
  }
}

function readPaymentField(order, field) {
  return order.payment[field];
}

function parseCartBody(text) {
  return JSON.parse(text);
}

function findCustomer(id) {
  throw new NotFoundError(`customer ${id} not found`);
}

function applyCoupon(code) {
  if (!code.startsWith("VALID")) throw new Error("invalid code");
}

function applyGiftCard(code) {
  if (!code.startsWith("GIFT")) throw new Error("invalid code");
}

function checkQuantities(items) {
  return items.map((item) => {
    if (item.qty > 10) throw new RangeError(`quantity ${item.qty} of ${item.sku} out of range`);
    return item.qty;
  });
}

function loadConfig(name, text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`config ${name} unreadable`, { cause: error });
  }
}

function validateOrder(order) {
  if (order.qty < 0) throw new RangeError(`bad quantity ${order.qty}`);
  if (order.price < 0) throw new RangeError(`bad price ${order.price}`);
  return true;
}

async function fetchInvoice(id, user) {
  await new Promise((resolve) => setImmediate(resolve));
  throw new Error(`invoice in_${id} is locked by ${user}@example.com`);
}

async function reserveStock(sku) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  throw new RangeError(`not enough stock for ${sku}`);
}

/** Deterministic values (mulberry32), so that a re-recorded corpus has the same shape. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ["apple", "pear", "banana", "sku-1521", "currency", "amount", "total", "fee"];
const BAD_JSON = ["abc", "", '{"a": 1', "[1, 2", '{"a" 1}', "nul", '{"x": 1} trailing', "{'a': 1}"];

function token(rnd, length) {
  const chars = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  let out = "";
  for (let i = 0; i < length; i++) out += chars[Math.floor(rnd() * chars.length)];
  return out;
}

/**
 * The sites: `run` throws (or returns a message to report). `kind: "message"` sites report a
 * message instead of an exception.
 */
function sites(rnd) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const n = (max) => Math.floor(rnd() * max);
  return [
    { name: "read-payment-field", run: () => readPaymentField({}, pick(WORDS)) },
    { name: "parse-cart-body", run: () => parseCartBody(pick(BAD_JSON)) },
    { name: "find-customer", run: () => findCustomer(`cus_${token(rnd, 14)}`) },
    { name: "apply-coupon", run: () => applyCoupon(`SAVE${n(90) + 10}`) },
    { name: "apply-gift-card", run: () => applyGiftCard(`CARD-${n(9999)}`) },
    {
      name: "check-quantities",
      run: () =>
        checkQuantities([
          { sku: "a", qty: 1 },
          { sku: pick(WORDS), qty: 11 + n(500) },
        ]),
    },
    { name: "load-config", run: () => loadConfig(`${pick(WORDS)}.json`, pick(BAD_JSON)) },
    { name: "validate-quantity", run: () => validateOrder({ qty: -1 - n(50), price: 1 }) },
    { name: "validate-price", run: () => validateOrder({ qty: 1, price: -1 - n(50) }) },
    { name: "fetch-invoice", run: () => fetchInvoice(n(999999), pick(WORDS)) },
    // Left unhandled: the SDK's unhandled-rejection integration reports it.
    {
      name: "reserve-stock",
      kind: "unhandled",
      run: () => reserveStock(`${pick(WORDS)}-${n(99)}`),
    },
    {
      name: "slow-payment",
      kind: "message",
      run: () => `Payment pi_${token(rnd, 24)} took ${200 + n(5000)}ms`,
    },
  ];
}

module.exports = { random, sites };
