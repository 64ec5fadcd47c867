/**
 * Faultline finds issues it created but did not record by hidden markers in their bodies
 * (`<!-- faultline:B-003 fp=… -->`, `<!-- faultline:config -->`, `<!-- faultline:digest -->`).
 * Anyone can write such a marker into an issue of their own: adopted, that issue became the bug's,
 * and closing it as not planned made the bug wontfix. Only issues the App itself opened count:
 * GitHub marks them with `performed_via_github_app` (the App's id) and a Bot author.
 */
export interface AuthoredItem {
  user?: { type?: string | null } | null;
  performed_via_github_app?: { id?: number | null } | null;
}

/** True when `item` was created by the App `appId`; never when the App's id is unknown. */
export function isAuthoredByApp(item: AuthoredItem, appId: number | undefined): boolean {
  if (appId === undefined) return false;
  return item.user?.type === "Bot" && item.performed_via_github_app?.id === appId;
}
