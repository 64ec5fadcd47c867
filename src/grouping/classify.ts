import { type Category, type DerivedCategory, deriveCategory } from "./category.js";
import type { ErrorEvent, Severity } from "./error-event.js";
import { severityFromLevel } from "./level.js";

/**
 * How a new bug is classified: its category and the severity it starts with. A repository's
 * rules (`categories.rules`, `severity_rules` in .github/faultline.yml) come in through a
 * BugClassifier (src/projects/bug-classifier.ts); without one, the built-in derivation and the
 * level decide. An existing bug keeps what it has: people may have changed it since.
 */
export interface BugClassifier {
  /** The category of a bug first seen in `event`, and why. */
  category(event: ErrorEvent): DerivedCategory;
  /** Its starting severity; undefined = the level's (`error` -> high…). */
  severity(event: ErrorEvent, category: Category): Severity | undefined;
}

export interface Classification {
  category: Category;
  categoryReason: string;
  severity: Severity;
}

/** The built-in category of an event (grouping/category.ts) from its own fields. */
export function categoryOf(event: ErrorEvent): DerivedCategory {
  return deriveCategory({
    errorType: event.errorType,
    message: event.message,
    causes: event.causes,
    statusCode: event.request?.statusCode,
    frames: event.frames,
  });
}

export const BUILT_IN_CLASSIFIER: BugClassifier = {
  category: categoryOf,
  severity: () => undefined,
};

/** Category and starting severity of a new bug first seen in `event`. */
export function classifyNewBug(
  event: ErrorEvent,
  classifier: BugClassifier = BUILT_IN_CLASSIFIER,
): Classification {
  const { category, reason } = classifier.category(event);
  return {
    category,
    categoryReason: reason,
    severity: classifier.severity(event, category) ?? severityFromLevel(event.level),
  };
}
