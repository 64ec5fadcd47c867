/** The stack trace every generic bench report carries (autocannon's and wrk's loads alike). */
export const BENCH_STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/src/cart/checkout.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)`;
