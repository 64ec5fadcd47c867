import type { ErrorEvent } from "../../grouping/index.js";

/**
 * Errors raised by browser extensions inside a customer's page: not the application's bugs, and
 * no one who reads its issues can fix them. Two signs, as in Sentry's inbound filter: the frame
 * that raised is extension (or browser-internal) code, or the message is one that well-known
 * extensions and injected scripts produce.
 */

/** URLs of extension and browser-internal code. */
const EXTENSION_SOURCES =
  /^(?:chrome(?:-extension)?|moz-extension|safari(?:-web)?-extension|ms-browser-extension|edge-extension|webkit-masked-url|resource):\/\//i;

/** Third-party scripts injected by extensions or toolbars, recognised by their URL. */
const INJECTED_SCRIPT_URLS =
  /(?:graph\.facebook\.com|connect\.facebook\.net\/en_US\/all\.js|eatdifferent\.com\.woopra-ns\.com|static\.woopra\.com\/js\/woopra\.js)/i;

/** Messages of errors that come from extensions, toolbars and injected scripts. */
const EXTENSION_MESSAGES = [
  "top.GLOBALS",
  "originalCreateNotification",
  "canvas.contentDocument",
  "MyApp_RemoveAllHighlights",
  "http://tt.epicplay.com",
  "Can't find variable: ZiteReader",
  "jigsaw is not defined",
  "ComboSearch is not defined",
  "http://loading.retry.widdit.com/",
  "atomicFindClose",
  "fb_xd_fragment",
  "bmi_SafeAddOnload",
  "EBCallBackMessageReceived",
  "conduitPage",
  "_gCrWeb",
  "vid_mate_check is not defined",
  "Extension context invalidated",
  "Could not establish connection. Receiving end does not exist",
  "Object Not Found Matching Id",
];

const MESSAGE_PATTERN = new RegExp(
  EXTENSION_MESSAGES.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"),
);

function isExtensionUrl(url: string | undefined): boolean {
  return url !== undefined && (EXTENSION_SOURCES.test(url) || INJECTED_SCRIPT_URLS.test(url));
}

/**
 * True for browser-extension noise. Only the raising frame counts: extensions that wrap `fetch`
 * or `addEventListener` appear in the middle of the application's own stacks, whose errors are
 * real.
 */
export function isBrowserExtensionError(event: ErrorEvent): boolean {
  if (MESSAGE_PATTERN.test(event.message)) return true;
  for (let i = event.frames.length - 1; i >= 0; i--) {
    const frame = event.frames[i];
    if (frame?.absPath === undefined && frame?.filename === undefined) continue;
    return isExtensionUrl(frame.absPath) || isExtensionUrl(frame.filename);
  }
  return false;
}
