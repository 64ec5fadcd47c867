import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isInAppFrame, markInApp, parseStackTrace } from "../../../src/grouping/index.js";

describe("isInAppFrame", () => {
  it("keeps an explicit inApp", () => {
    expect(isInAppFrame({ filename: "/app/node_modules/x.js", inApp: true })).toBe(true);
    expect(isInAppFrame({ filename: "/app/src/x.ts", inApp: false })).toBe(false);
  });

  it.each([
    "/app/node_modules/express/lib/router/index.js",
    "node:internal/process/task_queues",
    "internal/process/task_queues.js",
    "<anonymous>",
    "/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py",
    "/usr/lib/python3/dist-packages/requests/api.py",
    "/var/www/app/vendor/laravel/framework/src/Illuminate/Routing/Router.php",
    "/usr/local/go/src/net/http/server.go",
    "/root/go/pkg/mod/github.com/gin-gonic/gin@v1.9.1/context.go",
    "dart:async/zone.dart",
    "package:flutter/src/widgets/framework.dart",
    "/usr/local/bundle/gems/rack-3.0.8/lib/rack/builder.rb",
    "https://shop.example.com/static/js/vendors~main.8c1d2e3f.chunk.js",
    "chrome-extension://abcdef/content.js",
    "C:\\app\\node_modules\\lodash\\lodash.js",
  ])("library path %s", (filename) => {
    expect(isInAppFrame({ filename })).toBe(false);
  });

  it.each([
    "java.util.ArrayList",
    "javax.servlet.http.HttpServlet",
    "jdk.internal.reflect.NativeMethodAccessorImpl",
    "sun.reflect.GeneratedMethodAccessor12",
    "kotlin.collections.CollectionsKt",
    "org.springframework.web.servlet.DispatcherServlet",
    "System.Linq.Enumerable",
    "Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor",
    "Illuminate\\Pipeline\\Pipeline",
  ])("library module %s", (module) => {
    expect(isInAppFrame({ module, function: "f" })).toBe(false);
  });

  it("treats Go standard library packages as library code only for Go", () => {
    expect(isInAppFrame({ module: "net/http", filename: "/x/server.go" })).toBe(false);
    expect(isInAppFrame({ module: "runtime", function: "gopanic" }, "go")).toBe(false);
    expect(isInAppFrame({ module: "main", filename: "/app/main.go" })).toBe(true);
    expect(
      isInAppFrame({
        module: "github.com/acme/shop/internal/cart",
        filename: "/app/internal/cart/x.go",
      }),
    ).toBe(true);
  });

  it.each([
    { filename: "/app/dist/cart/checkout.js" },
    { filename: "https://shop.example.com/static/js/main.3f2a1b9c.js" },
    { filename: "/var/www/app/app/Http/Controllers/CartController.php" },
    { filename: "package:shop/services/cart_service.dart" },
    { module: "com.acme.shop.CartService", filename: "CartService.java" },
    { filename: "app/models/cart.rb" },
  ])("app frame %j", (frame) => {
    expect(isInAppFrame(frame)).toBe(true);
  });

  it("treats a frame without any location as not in app", () => {
    expect(isInAppFrame({ function: "call_user_func_array" })).toBe(false);
  });

  it("markInApp returns new frames and leaves the input alone", () => {
    const input = [{ filename: "/app/x.js" }];
    expect(markInApp(input)).toEqual([{ filename: "/app/x.js", inApp: true }]);
    expect(input[0]).toEqual({ filename: "/app/x.js" });
  });
});

describe("parseStackTrace fuzzing", () => {
  const stackish = fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.constantFrom(
          "    at ",
          "\tat ",
          "#0 ",
          'File "',
          "@",
          ":12:3",
          "(",
          ")",
          "goroutine 1 [running]:\n",
          "\n\t/x.go:1",
          "Caused by: ",
          "{main}",
        ),
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(""));

  it("never throws and returns well-formed frames", () => {
    fc.assert(
      fc.property(stackish, (text) => {
        const frames = parseStackTrace(text);
        expect(frames.length).toBeLessThanOrEqual(200);
        for (const frame of frames) {
          expect(typeof frame).toBe("object");
          if (frame.lineno !== undefined) expect(Number.isSafeInteger(frame.lineno)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
