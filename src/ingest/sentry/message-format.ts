/**
 * Fills a log message template with its params when the SDK sent no `formatted` text.
 * Python sends `%s`-style (`%(name)s` with a dict), SLF4J/Log4j `{}`, JavaScript `%s`.
 * Substitutions are bounded: a template of a million `{0}` with a large param must not turn a
 * small request into gigabytes.
 */
const MAX_SUBSTITUTIONS = 100;
const MAX_PARAM_CHARS = 1024;

const PERCENT_TOKEN = /%%|%(?:\.\d+)?[sdifrjoO]/g;
const NAMED_TOKEN = /%%|%\(([^)]{1,100})\)(?:\.\d+)?[sdifr]/g;
const BRACE_TOKEN = /\{(\d{0,3})\}/g;

export function formatLogMessage(template: string, params: unknown): string {
  // Like Python's logging: no params means the template is the message, `%%` and all.
  if (typeof params !== "object" || params === null || Object.keys(params).length === 0) {
    return template;
  }
  let used = 0;
  const fill = (token: string, value: unknown, present: boolean): string => {
    if (!present || used >= MAX_SUBSTITUTIONS) return token;
    used += 1;
    return paramText(value);
  };

  if (Array.isArray(params)) {
    let next = 0;
    if (/%(?:\.\d+)?[sdifrjoO]/.test(template)) {
      return template.replace(PERCENT_TOKEN, (token) => {
        if (token === "%%") return "%";
        const i = next++;
        return fill(token, params[i], i < params.length);
      });
    }
    return template.replace(BRACE_TOKEN, (token, digits: string) => {
      const i = digits === "" ? next++ : Number(digits);
      return fill(token, params[i], i < params.length);
    });
  }
  {
    const named = params as Record<string, unknown>;
    return template.replace(NAMED_TOKEN, (token, name: string | undefined) => {
      if (name === undefined) return "%";
      return fill(token, named[name], Object.hasOwn(named, name));
    });
  }
}

function paramText(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (value === null || value === undefined) text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      // Too deep to stringify (or a cycle): say what it is rather than fail the event.
      text = Array.isArray(value) ? "[array]" : "[object]";
    }
  }
  return text.length > MAX_PARAM_CHARS ? `${text.slice(0, MAX_PARAM_CHARS)}…` : text;
}
