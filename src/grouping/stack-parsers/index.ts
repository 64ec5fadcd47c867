import { parseDart } from "./dart.js";
import { parseDotnet } from "./dotnet.js";
import { parseGecko } from "./gecko.js";
import { parseGo } from "./go.js";
import { parseJava } from "./java.js";
import { parsePhp } from "./php.js";
import { parsePython } from "./python.js";
import { parseRuby } from "./ruby.js";
import type { StackParser } from "./shared.js";
import { parseV8 } from "./v8.js";

/**
 * All parsers, in tie-break order: the one that finds the most frames wins, and on a tie the
 * earlier one (a Java line also fits the looser .NET pattern, so Java comes first).
 */
export const STACK_PARSERS: readonly StackParser[] = [
  parseV8,
  parseJava,
  parseDotnet,
  parsePython,
  parsePhp,
  parseGo,
  parseDart,
  parseRuby,
  parseGecko,
];
