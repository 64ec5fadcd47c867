/**
 * Sets an own data property, so that a JSON `__proto__` key stays data: a plain assignment would
 * change the object's prototype instead of adding the key.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
