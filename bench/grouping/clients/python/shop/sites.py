"""A small shop whose functions fail the way real code does, for the grouping corpus.

Each site raises (or logs) with values that change from call to call; every site is its own
code location, so each must become one bug.
"""
import json
import logging
import random
import string

PRICES = {"apple": 1.2, "pear": 0.8}
log = logging.getLogger("shop.inventory")


class PaymentError(Exception):
    pass


class ShippingError(Exception):
    pass


def lookup_price(sku):
    return PRICES[sku]


def parse_quantity(text):
    return int(text)


def load_cart(payload):
    return json.loads(payload)


def charge(customer_id, amount):
    raise PaymentError("card declined for customer %s (amount %.2f)" % (customer_id, amount))


def apply_coupon(code):
    if not code.startswith("VALID"):
        raise ValueError("invalid code")


def apply_voucher(code):
    if not code.startswith("VOUCHER"):
        raise ValueError("invalid code")


def ship(order):
    try:
        return order["address"]["city"]
    except KeyError as error:
        raise ShippingError("cannot ship order %s" % order["id"]) from error


def validate(order):
    if order["qty"] < 0:
        raise ValueError("bad quantity %d" % order["qty"])
    if order["price"] < 0:
        raise ValueError("bad price %s" % order["price"])
    return True


def sync_inventory(warehouse, retries):
    log.error("Inventory sync failed for warehouse %s after %d retries", warehouse, retries)


def refund(order_id):
    try:
        return {"ord_1": 10}[order_id]
    except KeyError:
        log.exception("refund of %s failed", order_id)


def total(items):
    return sum(map(lambda item: item["price"] * item["qty"], items))


WORDS = ["apple", "pear", "banana", "sku-1521", "kiwi", "mango", "fig", "plum"]
BAD_JSON = ["abc", "", '{"a": 1', "[1, 2", '{"a" 1}', "nul", '{"x": 1} trailing', "{'a': 1}"]


def token(rnd, length):
    return "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(length))


def sites(rnd):
    """(name, kind, run): run raises for "exception" sites and logs for "log" sites."""
    return [
        ("lookup-price", "exception", lambda: lookup_price(rnd.choice(WORDS[2:]))),
        ("parse-quantity", "exception", lambda: parse_quantity(rnd.choice(["abc", "12x", "", "1.5", "ten"]))),
        ("load-cart", "exception", lambda: load_cart(rnd.choice(BAD_JSON))),
        ("charge", "exception", lambda: charge("cus_" + token(rnd, 14), rnd.random() * 500)),
        ("apply-coupon", "exception", lambda: apply_coupon("SAVE%d" % rnd.randint(10, 99))),
        ("apply-voucher", "exception", lambda: apply_voucher("V-%d" % rnd.randint(1, 9999))),
        ("ship", "exception", lambda: ship({"id": "ord_%d" % rnd.randint(1, 999999)})),
        ("validate-quantity", "exception", lambda: validate({"qty": -rnd.randint(1, 50), "price": 1})),
        ("validate-price", "exception", lambda: validate({"qty": 1, "price": -rnd.randint(1, 50)})),
        ("total", "exception", lambda: total([{"price": 1, "qty": 1}, {"price": rnd.choice(WORDS), "qty": None}])),
        ("refund", "log", lambda: refund("ord_%d" % rnd.randint(2, 99999))),
        ("sync-inventory", "log", lambda: sync_inventory("wh-%d" % rnd.randint(1, 40), rnd.randint(2, 9))),
    ]
