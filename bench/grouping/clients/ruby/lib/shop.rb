# A small shop whose methods fail the way real code does, for the grouping corpus. Each site
# raises (or reports) with values that change from call to call; every site is its own code
# location, so each must become one bug. sentry-ruby and raven-ruby run the same sites.
require "json"

module Shop
  PRICES = { "apple" => 1.2, "pear" => 0.8 }.freeze
  WORDS = %w[apple pear banana sku-1521 kiwi mango fig plum].freeze
  BAD_JSON = ["abc", "", '{"a": 1', "[1, 2", '{"a" 1}', "nul", '{"x": 1} trailing', "{'a': 1}"].freeze

  class PaymentError < StandardError; end
  class ShippingError < StandardError; end

  module_function

  def price_of(sku)
    PRICES.fetch(sku)
  end

  def parse_quantity(text)
    Integer(text)
  end

  def load_cart(payload)
    JSON.parse(payload)
  end

  def charge(customer_id, amount)
    raise PaymentError, format("card declined for customer %s (amount %.2f)", customer_id, amount)
  end

  def apply_coupon(code)
    raise ArgumentError, "invalid code" unless code.start_with?("VALID")
  end

  def apply_voucher(code)
    raise ArgumentError, "invalid code" unless code.start_with?("VOUCHER")
  end

  def customer_name(order)
    order[:customer].name
  end

  def ship(order)
    order.fetch(:address).fetch(:city)
  rescue KeyError
    raise ShippingError, "cannot ship order #{order[:id]}"
  end

  def check_items(items)
    items.each do |item|
      raise RangeError, "quantity #{item[:qty]} of #{item[:sku]} out of range" if item[:qty] > 10
    end
  end

  def validate(order)
    raise ArgumentError, "bad quantity #{order[:qty]}" if order[:qty].negative?
    raise ArgumentError, "bad price #{order[:price]}" if order[:price].negative?

    true
  end

  def token(rnd, length)
    chars = [*"a".."z", *"A".."Z", *"0".."9"]
    Array.new(length) { chars[rnd.rand(chars.size)] }.join
  end

  # [name, kind, callable]: callables raise for :exception sites and return text for :message.
  def sites(rnd)
    [
      ["price-of", :exception, -> { price_of(WORDS[2 + rnd.rand(6)]) }],
      ["parse-quantity", :exception, -> { parse_quantity(%w[abc 12x ten 1.5 x1][rnd.rand(5)]) }],
      ["load-cart", :exception, -> { load_cart(BAD_JSON[rnd.rand(BAD_JSON.size)]) }],
      ["charge", :exception, -> { charge("cus_#{token(rnd, 14)}", rnd.rand * 500) }],
      ["apply-coupon", :exception, -> { apply_coupon("SAVE#{rnd.rand(10..99)}") }],
      ["apply-voucher", :exception, -> { apply_voucher("V-#{rnd.rand(9999)}") }],
      ["customer-name", :exception, -> { customer_name({ id: rnd.rand(1000) }) }],
      ["ship", :exception, -> { ship({ id: "ord_#{rnd.rand(999_999)}" }) }],
      ["validate-quantity", :exception, -> { validate({ qty: -1 - rnd.rand(50), price: 1 }) }],
      ["validate-price", :exception, -> { validate({ qty: 1, price: -1 - rnd.rand(50) }) }],
      ["check-items", :exception, -> { check_items([{ sku: WORDS[rnd.rand(8)], qty: 11 + rnd.rand(500) }]) }],
      ["low-stock", :message, lambda {
        "Stock of item #{rnd.rand(9999)} in cache-#{rnd.rand(9)}.shop.internal fell to #{rnd.rand(5)} at #{Time.now.utc.iso8601}"
      }]
    ]
  end
end
