import { describe, expect, it } from "vitest";
import { markInApp, parseStackTrace } from "../../../src/grouping/index.js";

/** Parses and marks in-app, as ingestion does, so each case asserts the frames people would see. */
function frames(text: string, platform?: string) {
  return markInApp(parseStackTrace(text), platform);
}

describe("parseStackTrace: JavaScript (V8)", () => {
  it("parses a Node.js TypeError with async, new, internals and node_modules frames", () => {
    const stack = `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/dist/cart/checkout.js:42:31)
    at new CheckoutSession (/app/dist/cart/session.js:18:10)
    at async CartController.post [as handler] (/app/dist/http/cart-controller.js:77:5)
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at async Promise.all (index 0)
    at /app/dist/server.js:12:3`;
    expect(frames(stack)).toEqual([
      { filename: "/app/dist/server.js", lineno: 12, colno: 3, inApp: true },
      { function: "Promise.all", inApp: false },
      {
        function: "process.processTicksAndRejections",
        filename: "node:internal/process/task_queues",
        lineno: 95,
        colno: 5,
        inApp: false,
      },
      {
        function: "Layer.handle",
        filename: "/app/node_modules/express/lib/router/layer.js",
        lineno: 95,
        colno: 5,
        inApp: false,
      },
      {
        function: "CartController.post",
        filename: "/app/dist/http/cart-controller.js",
        lineno: 77,
        colno: 5,
        inApp: true,
      },
      {
        function: "new CheckoutSession",
        filename: "/app/dist/cart/session.js",
        lineno: 18,
        colno: 10,
        inApp: true,
      },
      {
        function: "applyCoupon",
        filename: "/app/dist/cart/checkout.js",
        lineno: 42,
        colno: 31,
        inApp: true,
      },
    ]);
  });

  it("parses a Chrome error from a bundled page", () => {
    const stack = `TypeError: Cannot read properties of null (reading 'price')
    at applyCoupon (https://shop.example.com/static/js/main.3f2a1b9c.js:2:41023)
    at onClick (https://shop.example.com/static/js/main.3f2a1b9c.js:2:40211)
    at Object.Wb (https://shop.example.com/static/js/vendors~main.8c1d2e3f.chunk.js:2:9874)
    at HTMLUnknownElement.callCallback (https://shop.example.com/static/js/vendors~main.8c1d2e3f.chunk.js:2:10102)
    at eval (eval at compile (https://shop.example.com/static/js/main.3f2a1b9c.js:1:500), <anonymous>:1:1)`;
    expect(frames(stack)).toEqual([
      {
        function: "eval",
        filename: "https://shop.example.com/static/js/main.3f2a1b9c.js",
        lineno: 1,
        colno: 500,
        inApp: true,
      },
      {
        function: "HTMLUnknownElement.callCallback",
        filename: "https://shop.example.com/static/js/vendors~main.8c1d2e3f.chunk.js",
        lineno: 2,
        colno: 10102,
        inApp: false,
      },
      {
        function: "Object.Wb",
        filename: "https://shop.example.com/static/js/vendors~main.8c1d2e3f.chunk.js",
        lineno: 2,
        colno: 9874,
        inApp: false,
      },
      {
        function: "onClick",
        filename: "https://shop.example.com/static/js/main.3f2a1b9c.js",
        lineno: 2,
        colno: 40211,
        inApp: true,
      },
      {
        function: "applyCoupon",
        filename: "https://shop.example.com/static/js/main.3f2a1b9c.js",
        lineno: 2,
        colno: 41023,
        inApp: true,
      },
    ]);
  });
});

describe("parseStackTrace: Firefox and Safari", () => {
  it("parses a Firefox error (error.stack has no message line)", () => {
    const stack = `applyCoupon@https://shop.example.com/static/js/main.3f2a1b9c.js:2:41023
onClick/<@https://shop.example.com/static/js/main.3f2a1b9c.js:2:40211
Wb@https://shop.example.com/static/js/vendors~main.8c1d2e3f.chunk.js:2:9874
@https://shop.example.com/static/js/main.3f2a1b9c.js line 2 > eval:1:7
`;
    expect(frames(stack)).toEqual([
      { filename: "https://shop.example.com/static/js/main.3f2a1b9c.js", lineno: 2, inApp: true },
      {
        function: "Wb",
        filename: "https://shop.example.com/static/js/vendors~main.8c1d2e3f.chunk.js",
        lineno: 2,
        colno: 9874,
        inApp: false,
      },
      {
        function: "onClick/<",
        filename: "https://shop.example.com/static/js/main.3f2a1b9c.js",
        lineno: 2,
        colno: 40211,
        inApp: true,
      },
      {
        function: "applyCoupon",
        filename: "https://shop.example.com/static/js/main.3f2a1b9c.js",
        lineno: 2,
        colno: 41023,
        inApp: true,
      },
    ]);
  });

  it("parses Safari's global code and native frames", () => {
    const stack = `applyCoupon@https://shop.example.com/assets/index-BxHgT5kz.js:1:2345
forEach@[native code]
global code@https://shop.example.com/assets/index-BxHgT5kz.js:1:99`;
    expect(frames(stack)).toEqual([
      {
        function: "global code",
        filename: "https://shop.example.com/assets/index-BxHgT5kz.js",
        lineno: 1,
        colno: 99,
        inApp: true,
      },
      { function: "forEach", filename: "[native code]", inApp: false },
      {
        function: "applyCoupon",
        filename: "https://shop.example.com/assets/index-BxHgT5kz.js",
        lineno: 1,
        colno: 2345,
        inApp: true,
      },
    ]);
  });
});

describe("parseStackTrace: Python", () => {
  it("keeps only the last traceback of a chained exception (the one reported)", () => {
    const stack = `Traceback (most recent call last):
  File "/app/shop/payments.py", line 31, in charge
    response = client.charge(amount)
  File "/usr/local/lib/python3.12/site-packages/stripe/api_resources/charge.py", line 88, in charge
    raise CardError(msg)
stripe.error.CardError: Your card was declined.

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py", line 197, in _get_response
    response = wrapped_callback(request, *callback_args, **callback_kwargs)
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/app/shop/views.py", line 54, in checkout
    order = place_order(cart)
  File "/app/shop/orders.py", line 12, in place_order
    raise PaymentFailed("payment failed") from exc
shop.orders.PaymentFailed: payment failed`;
    expect(frames(stack)).toEqual([
      {
        filename: "/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py",
        lineno: 197,
        function: "_get_response",
        inApp: false,
      },
      { filename: "/app/shop/views.py", lineno: 54, function: "checkout", inApp: true },
      { filename: "/app/shop/orders.py", lineno: 12, function: "place_order", inApp: true },
    ]);
  });

  it("treats the standard library and frozen modules as not in app", () => {
    const stack = `Traceback (most recent call last):
  File "<frozen runpy>", line 198, in _run_module_as_main
  File "/usr/lib/python3.11/threading.py", line 1045, in _bootstrap_inner
  File "/srv/worker/tasks.py", line 9, in <module>
ZeroDivisionError: division by zero`;
    expect(frames(stack).map((f) => [f.function, f.inApp])).toEqual([
      ["_run_module_as_main", false],
      ["_bootstrap_inner", false],
      ["<module>", true],
    ]);
  });
});

describe("parseStackTrace: Java and Kotlin", () => {
  it("keeps the top exception's frames and stops at Caused by", () => {
    const stack = `org.springframework.web.util.NestedServletException: Request processing failed; nested exception is java.lang.IllegalStateException: Checkout failed
\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)
\tat com.acme.shop.cart.CartController.checkout(CartController.kt:42)
\tat com.acme.shop.cart.CartService$$EnhancerBySpringCGLIB$$5f2c1a7b.checkout(<generated>)
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
\tat com.acme.shop.cart.CartService.checkout(CartService.java:87)
Caused by: java.lang.NullPointerException: Cannot invoke "com.acme.shop.Coupon.code()" because "coupon" is null
\tat com.acme.shop.cart.CouponService.apply(CouponService.java:31)
\tat com.acme.shop.cart.CartService.checkout(CartService.java:80)
\t... 12 more`;
    expect(frames(stack)).toEqual([
      {
        module: "com.acme.shop.cart.CartService",
        function: "checkout",
        filename: "CartService.java",
        lineno: 87,
        inApp: true,
      },
      {
        module: "jdk.internal.reflect.NativeMethodAccessorImpl",
        function: "invoke0",
        inApp: false,
      },
      {
        // Spring proxies are generated code, not the application's.
        module: "com.acme.shop.cart.CartService$$EnhancerBySpringCGLIB$$5f2c1a7b",
        function: "checkout",
        filename: "<generated>",
        inApp: false,
      },
      {
        module: "com.acme.shop.cart.CartController",
        function: "checkout",
        filename: "CartController.kt",
        lineno: 42,
        inApp: true,
      },
      {
        module: "org.springframework.web.servlet.FrameworkServlet",
        function: "processRequest",
        filename: "FrameworkServlet.java",
        lineno: 1014,
        inApp: false,
      },
    ]);
  });

  it("parses a plain NPE with thread header, modules and lambdas", () => {
    const stack = `Exception in thread "main" java.lang.NullPointerException: Cannot invoke "String.length()" because "name" is null
\tat com.acme.shop.Greeter.lambda$greet$0(Greeter.java:14)
\tat java.base/java.util.ArrayList.forEach(ArrayList.java:1596)
\tat app//com.acme.shop.Greeter.greet(Greeter.java:12)
\tat com.acme.shop.Main.main(Main.java:5)`;
    expect(frames(stack)).toEqual([
      {
        module: "com.acme.shop.Main",
        function: "main",
        filename: "Main.java",
        lineno: 5,
        inApp: true,
      },
      {
        module: "com.acme.shop.Greeter",
        function: "greet",
        filename: "Greeter.java",
        lineno: 12,
        inApp: true,
      },
      {
        module: "java.util.ArrayList",
        function: "forEach",
        filename: "ArrayList.java",
        lineno: 1596,
        inApp: false,
      },
      {
        module: "com.acme.shop.Greeter",
        function: "lambda$greet$0",
        filename: "Greeter.java",
        lineno: 14,
        inApp: true,
      },
    ]);
  });
});

describe("parseStackTrace: PHP", () => {
  it("parses a Laravel log entry, shifting functions to the frames that ran them", () => {
    const stack = `[2024-01-15 10:23:45] production.ERROR: Call to a member function apply() on null {"userId":17,"exception":"[object] (Error(code: 0): Call to a member function apply() on null at /var/www/app/app/Services/CartService.php:57)
[stacktrace]
#0 /var/www/app/app/Http/Controllers/CartController.php(42): App\\Services\\CartService->checkout(Object(App\\Models\\Cart))
#1 [internal function]: App\\Http\\Controllers\\CartController->store(Object(Illuminate\\Http\\Request))
#2 /var/www/app/vendor/laravel/framework/src/Illuminate/Routing/Controller.php(54): call_user_func_array(Array, Array)
#3 /var/www/app/vendor/laravel/framework/src/Illuminate/Routing/ControllerDispatcher.php(43): Illuminate\\Routing\\Controller->callAction('store', Array)
#4 /var/www/app/public/index.php(52): Illuminate\\Foundation\\Http\\Kernel->handle(Object(Illuminate\\Http\\Request))
#5 {main}
"}`;
    expect(frames(stack, "php")).toEqual([
      { filename: "/var/www/app/public/index.php", lineno: 52, inApp: true },
      {
        filename:
          "/var/www/app/vendor/laravel/framework/src/Illuminate/Routing/ControllerDispatcher.php",
        lineno: 43,
        module: "Illuminate\\Foundation\\Http\\Kernel",
        function: "handle",
        inApp: false,
      },
      {
        filename: "/var/www/app/vendor/laravel/framework/src/Illuminate/Routing/Controller.php",
        lineno: 54,
        module: "Illuminate\\Routing\\Controller",
        function: "callAction",
        inApp: false,
      },
      { function: "call_user_func_array", inApp: false },
      {
        filename: "/var/www/app/app/Http/Controllers/CartController.php",
        lineno: 42,
        module: "App\\Http\\Controllers\\CartController",
        function: "store",
        inApp: true,
      },
      {
        filename: "/var/www/app/app/Services/CartService.php",
        lineno: 57,
        module: "App\\Services\\CartService",
        function: "checkout",
        inApp: true,
      },
    ]);
  });

  it("parses PHP's own uncaught-exception output", () => {
    const stack = `PHP Fatal error:  Uncaught RuntimeException: Stock is empty in /srv/shop/src/Inventory.php:88
Stack trace:
#0 /srv/shop/src/Checkout.php(21): Shop\\Inventory::reserve(3)
#1 /srv/shop/public/index.php(9): Shop\\Checkout->run()
#2 {main}
  thrown in /srv/shop/src/Inventory.php on line 88`;
    expect(frames(stack)).toEqual([
      { filename: "/srv/shop/public/index.php", lineno: 9, inApp: true },
      {
        filename: "/srv/shop/src/Checkout.php",
        lineno: 21,
        module: "Shop\\Checkout",
        function: "run",
        inApp: true,
      },
      {
        filename: "/srv/shop/src/Inventory.php",
        lineno: 88,
        module: "Shop\\Inventory",
        function: "reserve",
        inApp: true,
      },
    ]);
  });
});

describe("parseStackTrace: Go", () => {
  it("parses the panicking goroutine only, skipping created-by", () => {
    const stack = `panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b2f4c]

goroutine 42 [running]:
github.com/acme/shop/internal/cart.(*Service).Checkout(0x0, {0x7f1c2e8, 0xc0000a2000}, 0x5)
\t/app/internal/cart/service.go:42 +0x1d
main.handler({0x7f1c2e8, 0xc0000a2000}, 0xc0000b4000)
\t/app/main.go:88 +0x65
net/http.HandlerFunc.ServeHTTP(0x6d4c30, {0x7f1c2e8, 0xc0000a2000}, 0xc0000b4000)
\t/usr/local/go/src/net/http/server.go:2136 +0x29
net/http.(*conn).serve(0xc0000a8000, {0x7f1d0a0, 0xc00009e0f0})
\t/usr/local/go/src/net/http/server.go:1995 +0x612
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3089 +0x5ed

goroutine 1 [IO wait]:
internal/poll.runtime_pollWait(0x7f3b1c2d8e80, 0x72)
\t/usr/local/go/src/runtime/netpoll.go:343 +0x85
exit status 2`;
    expect(frames(stack, "go")).toEqual([
      {
        module: "net/http",
        function: "(*conn).serve",
        filename: "/usr/local/go/src/net/http/server.go",
        lineno: 1995,
        inApp: false,
      },
      {
        module: "net/http",
        function: "HandlerFunc.ServeHTTP",
        filename: "/usr/local/go/src/net/http/server.go",
        lineno: 2136,
        inApp: false,
      },
      { module: "main", function: "handler", filename: "/app/main.go", lineno: 88, inApp: true },
      {
        module: "github.com/acme/shop/internal/cart",
        function: "(*Service).Checkout",
        filename: "/app/internal/cart/service.go",
        lineno: 42,
        inApp: true,
      },
    ]);
  });

  it("parses a recovered panic logged by net/http (runtime frames first)", () => {
    const stack = `2024/01/15 10:23:45 http: panic serving 10.0.0.7:51234: boom
goroutine 7 [running]:
net/http.(*conn).serve.func1()
\t/usr/local/go/src/net/http/server.go:1868 +0xb9
panic({0x6b2f40?, 0x9c1d50?})
\t/usr/local/go/src/runtime/panic.go:920 +0x270
main.checkout(...)
\t/home/deploy/shop/main.go:31
main.main.func1({0x7f1c2e8?, 0xc0000a2000?}, 0x0?)
\t/home/deploy/shop/main.go:40 +0x1f`;
    expect(frames(stack).map((f) => [f.module, f.function, f.lineno, f.inApp])).toEqual([
      ["main", "main.func1", 40, true],
      ["main", "checkout", 31, true],
      [undefined, "panic", 920, false],
      ["net/http", "(*conn).serve.func1", 1868, false],
    ]);
  });
});

describe("parseStackTrace: Dart and Flutter", () => {
  it("parses a Flutter error with SDK, async and app frames", () => {
    const stack = `#0      CartService.checkout (package:shop/services/cart_service.dart:42:7)
#1      _CartPageState._onPay.<anonymous closure> (package:shop/pages/cart_page.dart:88:24)
#2      _InkResponseState.handleTap (package:flutter/src/material/ink_well.dart:1183:21)
#3      GestureRecognizer.invokeCallback (package:flutter/src/gestures/recognizer.dart:275:24)
#4      _rootRun (dart:async/zone.dart:1399:13)
<asynchronous suspension>
#5      main (file:///home/dev/shop/lib/main.dart:12:3)`;
    expect(frames(stack)).toEqual([
      {
        function: "main",
        filename: "file:///home/dev/shop/lib/main.dart",
        lineno: 12,
        colno: 3,
        inApp: true,
      },
      {
        function: "_rootRun",
        filename: "dart:async/zone.dart",
        lineno: 1399,
        colno: 13,
        inApp: false,
      },
      {
        function: "GestureRecognizer.invokeCallback",
        filename: "package:flutter/src/gestures/recognizer.dart",
        lineno: 275,
        colno: 24,
        inApp: false,
      },
      {
        function: "_InkResponseState.handleTap",
        filename: "package:flutter/src/material/ink_well.dart",
        lineno: 1183,
        colno: 21,
        inApp: false,
      },
      {
        function: "_CartPageState._onPay.<anonymous closure>",
        filename: "package:shop/pages/cart_page.dart",
        lineno: 88,
        colno: 24,
        inApp: true,
      },
      {
        function: "CartService.checkout",
        filename: "package:shop/services/cart_service.dart",
        lineno: 42,
        colno: 7,
        inApp: true,
      },
    ]);
  });
});

describe("parseStackTrace: .NET", () => {
  it("keeps the outer exception's frames after the inner exception's", () => {
    const stack = `System.InvalidOperationException: Checkout failed
 ---> System.NullReferenceException: Object reference not set to an instance of an object.
   at Acme.Shop.Services.CouponService.Apply(Cart cart) in C:\\src\\Acme.Shop\\Services\\CouponService.cs:line 31
   --- End of inner exception stack trace ---
   at Acme.Shop.Services.CartService.Checkout(Int32 cartId) in C:\\src\\Acme.Shop\\Services\\CartService.cs:line 42
   at Acme.Shop.Controllers.CartController.Post(CheckoutRequest request) in C:\\src\\Acme.Shop\\Controllers\\CartController.cs:line 18
   at lambda_method(Closure , Object , Object[] )
   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.SyncActionResultExecutor.Execute(IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)
--- End of stack trace from previous location ---
   at System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw()`;
    expect(frames(stack)).toEqual([
      {
        module: "System.Runtime.ExceptionServices.ExceptionDispatchInfo",
        function: "Throw",
        inApp: false,
      },
      {
        module:
          "Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.SyncActionResultExecutor",
        function: "Execute",
        inApp: false,
      },
      { function: "lambda_method", inApp: false },
      {
        module: "Acme.Shop.Controllers.CartController",
        function: "Post",
        filename: "C:\\src\\Acme.Shop\\Controllers\\CartController.cs",
        lineno: 18,
        inApp: true,
      },
      {
        module: "Acme.Shop.Services.CartService",
        function: "Checkout",
        filename: "C:\\src\\Acme.Shop\\Services\\CartService.cs",
        lineno: 42,
        inApp: true,
      },
    ]);
  });
});

describe("parseStackTrace: Ruby", () => {
  it("parses a Ruby backtrace with gems", () => {
    const stack = `app/models/cart.rb:42:in 'Cart#checkout': undefined method 'apply' for nil (NoMethodError)
\tfrom app/controllers/carts_controller.rb:12:in 'CartsController#create'
\tfrom /usr/local/bundle/gems/actionpack-7.1.3/lib/action_controller/metal/basic_implicit_render.rb:6:in \`send_action'`;
    expect(frames(stack)).toEqual([
      {
        filename:
          "/usr/local/bundle/gems/actionpack-7.1.3/lib/action_controller/metal/basic_implicit_render.rb",
        lineno: 6,
        function: "send_action",
        inApp: false,
      },
      {
        filename: "app/controllers/carts_controller.rb",
        lineno: 12,
        function: "CartsController#create",
        inApp: true,
      },
      { filename: "app/models/cart.rb", lineno: 42, function: "Cart#checkout", inApp: true },
    ]);
  });
});

describe("parseStackTrace: robustness", () => {
  it("returns [] for text that is not a stack trace", () => {
    expect(parseStackTrace("")).toEqual([]);
    expect(parseStackTrace("Something went wrong, contact support@example.com")).toEqual([]);
    expect(parseStackTrace("just a message\nwith two lines")).toEqual([]);
    expect(parseStackTrace(undefined as unknown as string)).toEqual([]);
  });

  it("keeps at most 200 frames, those nearest the raise", () => {
    const lines = Array.from({ length: 500 }, (_, i) => `    at f${i} (/app/x.js:${i + 1}:1)`);
    const parsed = parseStackTrace(`Error: deep\n${lines.join("\n")}`);
    expect(parsed).toHaveLength(200);
    expect(parsed.at(-1)?.function).toBe("f0");
  });

  it("ignores over-long lines", () => {
    const long = `    at ${"x".repeat(3000)} (/app/x.js:1:1)`;
    expect(parseStackTrace(`Error\n${long}\n    at ok (/app/y.js:2:2)`)).toEqual([
      { function: "ok", filename: "/app/y.js", lineno: 2, colno: 2 },
    ]);
  });

  it("never throws and stays fast on hostile input", () => {
    const hostile = [
      " (".repeat(990),
      `    at ${" (".repeat(990)})`,
      "#0 ".repeat(600),
      `${"a@".repeat(900)}:1:1`,
      `File "${'"'.repeat(1900)}", line 1`,
      `\tat ${"a.".repeat(900)}b(`,
      `${"(".repeat(999)}\n\t/x.go:1`,
      "\u0000\uffff\ud800",
    ];
    const text = Array.from({ length: 120 }, (_, i) => hostile[i % hostile.length]).join("\n");
    const started = performance.now();
    for (const input of [...hostile, text])
      expect(Array.isArray(parseStackTrace(input))).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
