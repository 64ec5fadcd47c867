/**
 * A shop page for the grouping corpus: @sentry/browser in a real Chromium, bundled twice by
 * esbuild (plain, and minified as production bundles are). Each site fails with values that
 * change from call to call; some are caught and reported, some escape to the browser's handlers.
 * `window.runCorpus(dsn, client, perSite)` runs them all and resolves when every event is sent.
 */
import * as Sentry from "@sentry/browser";

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

function renderCart(cart) {
  if (cart.items.length === 0) throw new TypeError("list is empty");
  return cart.items.length;
}

function renderWishlist(list) {
  if (list.entries.length === 0) throw new TypeError("list is empty");
  return list.entries.length;
}

function checkQuantities(items) {
  return items.map((item) => {
    if (item.qty > 10) throw new RangeError(`quantity ${item.qty} of ${item.sku} out of range`);
    return item.qty;
  });
}

function scheduleRefresh(token) {
  setTimeout(function refreshPrices() {
    throw new Error(`price feed ${token} answered 503 after ${token.length * 37}ms`);
  }, 0);
}

function wireBuyButton(sku) {
  const button = document.createElement("button");
  button.addEventListener("click", () => {
    throw new TypeError(`sku ${sku} is sold out`);
  });
  document.body.append(button);
  button.click();
  button.remove();
}

async function submitOrder(id) {
  await Promise.resolve();
  throw new Error(`order ${id} rejected by the payment gateway`);
}

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

function hex(rnd, length) {
  let out = "";
  for (let i = 0; i < length; i++) out += Math.floor(rnd() * 16).toString(16);
  return out;
}

/** kind: "caught" (try/catch + captureException), "uncaught" (left to the browser), "message". */
function sites(rnd) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const n = (max) => Math.floor(rnd() * max);
  return [
    { name: "read-payment-field", kind: "caught", run: () => readPaymentField({}, pick(WORDS)) },
    { name: "parse-cart-body", kind: "caught", run: () => parseCartBody(pick(BAD_JSON)) },
    { name: "find-customer", kind: "caught", run: () => findCustomer(`cus_${token(rnd, 14)}`) },
    { name: "render-cart", kind: "caught", run: () => renderCart({ items: [] }) },
    { name: "render-wishlist", kind: "caught", run: () => renderWishlist({ entries: [] }) },
    {
      name: "check-quantities",
      kind: "caught",
      run: () =>
        checkQuantities([
          { sku: "a", qty: 1 },
          { sku: pick(WORDS), qty: 11 + n(500) },
        ]),
    },
    { name: "refresh-prices", kind: "uncaught", run: () => scheduleRefresh(token(rnd, 6 + n(6))) },
    { name: "buy-button", kind: "uncaught", run: () => wireBuyButton(`${pick(WORDS)}-${n(100)}`) },
    // Left unhandled: the browser's unhandledrejection handler reports it.
    { name: "submit-order", kind: "uncaught", run: () => void submitOrder(`ord_${n(999999)}`) },
    {
      name: "slow-checkout",
      kind: "message",
      run: () => `Checkout ${hex(rnd, 16)} took ${300 + n(4000)}ms for ${n(9) + 1} items`,
    },
  ];
}

window.runCorpus = async (dsn, client, perSite) => {
  let sent = 0;
  let captured = 0;
  Sentry.init({
    dsn,
    release: "shop-web@2.4.1",
    environment: "production",
    sendClientReports: false,
    beforeSend(event) {
      captured++;
      return event;
    },
  });
  Sentry.getClient()?.on("afterSendEvent", (event) => {
    if (event.type === undefined) sent++;
  });
  const waitForSent = async (count) => {
    for (let i = 0; i < 500 && sent < count; i++) await new Promise((r) => setTimeout(r, 10));
  };
  const rnd = random(client === "browser-minified" ? 41 : 43);
  for (let round = 0; round < perSite; round++) {
    for (const site of sites(rnd)) {
      const expected = sent + 1;
      Sentry.setTag("corpus_site", `${client}/${site.name}`);
      if (site.kind === "message") Sentry.captureMessage(site.run(), "warning");
      else if (site.kind === "uncaught") site.run();
      else {
        try {
          site.run();
        } catch (error) {
          Sentry.captureException(error);
        }
      }
      await waitForSent(expected);
    }
  }
  await Sentry.flush(5000);
  return { sent, captured, expected: perSite * sites(random(1)).length };
};
