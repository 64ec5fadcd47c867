/** Realistic report bodies and stack traces, the seeds that fuzz tests mutate. */

export const STACKS = {
  node: `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/src/cart/checkout.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)`,
  firefox: `applyCoupon@https://shop.example.com/static/js/main.3f2a1b.js:1:48213
onClick@https://shop.example.com/static/js/main.3f2a1b.js:1:50110`,
  python: `Traceback (most recent call last):
  File "/srv/app/views.py", line 42, in checkout
    total = cart.total()
  File "/srv/app/models.py", line 17, in total
    return sum(i.price for i in self.items)
TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'`,
  java: `java.lang.IllegalStateException: Checkout failed
\tat com.acme.shop.CartService.checkout(CartService.java:57)
\tat com.acme.shop.CartController.post(CartController.java:31)
Caused by: java.lang.NullPointerException
\tat com.acme.shop.Price.of(Price.java:12)
\t... 2 more`,
  php: `PHP Fatal error:  Uncaught RuntimeException: Stock is empty in /srv/shop/src/Inventory.php:88
Stack trace:
#0 /srv/shop/src/Cart.php(31): Inventory->take()
#1 {main}`,
  go: `panic: runtime error: invalid memory address or nil pointer dereference

goroutine 1 [running]:
main.checkout(0x0)
\t/app/main.go:42 +0x1d
main.main()
\t/app/main.go:17 +0x25`,
  ruby: `app/models/cart.rb:42:in 'Cart#checkout': undefined method 'apply' for nil (NoMethodError)
\tfrom app/controllers/carts_controller.rb:9:in 'create'`,
  dart: `#0      CartService.checkout (package:shop/services/cart_service.dart:42:7)
#1      _CartPageState.build.<anonymous closure> (package:shop/pages/cart_page.dart:88:21)`,
  dotnet: `System.InvalidOperationException: Checkout failed
   at Shop.CartService.Checkout() in /src/Shop/CartService.cs:line 42
   at Shop.CartController.Post() in /src/Shop/CartController.cs:line 17`,
};

/** One valid body per report route. */
export const REPORTS: Record<string, Record<string, unknown>> = {
  generic: {
    error_type: "TypeError",
    message: "Cannot read properties of undefined (reading 'id')",
    stack: STACKS.node,
    level: "error",
    environment: "production",
    release: "1.4.2",
    tags: { region: "eu", tenant: 7 },
    context: { cart: { items: 3 } },
    request: { url: "https://shop.example.com/cart?x=1", method: "post", status_code: 500 },
    user: { id: 42 },
  },
  laravel: {
    message: "Call to a member function apply() on null",
    level_name: "ERROR",
    channel: "production",
    context: {
      exception: {
        class: "Error",
        message: "Call to a member function apply() on null",
        file: "/var/www/app/app/Services/CartService.php:57",
        trace: ["/var/www/app/app/Http/Controllers/CartController.php:31"],
      },
    },
    datetime: "2026-11-23T11:59:00+00:00",
  },
  java: {
    "@timestamp": "2026-11-23T11:59:00.000Z",
    message: "Checkout failed",
    logger_name: "com.acme.shop.CartService",
    thread_name: "http-nio-8080-exec-3",
    level: "ERROR",
    stack_trace: STACKS.java,
  },
  frontend: {
    message: "Uncaught TypeError: t.items is undefined",
    source: "https://shop.example.com/static/js/main.3f2a1b.js",
    lineno: 1,
    colno: 48213,
    error: { name: "TypeError", message: "t.items is undefined", stack: STACKS.firefox },
    url: "https://shop.example.com/cart",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  },
  mobile: {
    exception: "Null check operator used on a null value",
    runtimeType: "_CastError",
    stackTrace: STACKS.dart,
    appVersion: "2.3.0",
    buildNumber: 45,
    device: "Pixel 8",
    os: "android",
  },
};
