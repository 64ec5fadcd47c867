import { html } from "../html.js";
import { layout } from "./layout.js";

/** Not signed in: one button that starts GitHub's sign-in. */
export function signInPage(loginHref: string): string {
  return layout({
    title: "Sign in",
    body: html`<div class="notice">
<h2>Sign in to see your repositories' errors</h2>
<p>The dashboard shows the repositories you can read on GitHub where Faultline is installed.</p>
<p><a class="button" id="sign-in" href="${loginHref}">Sign in with GitHub</a></p>
</div>`,
  });
}

/** The App has no OAuth client configured yet: say exactly what to set. */
export function setupNeededPage(callbackUrl: string): string {
  return layout({
    title: "Dashboard setup",
    body: html`<div class="notice">
<h2>The dashboard needs the GitHub App's OAuth client</h2>
<p>Sign-in uses the App's client id and secret, which are not set on this server.</p>
<ol>
<li>Open the GitHub App's settings page (<em>Settings → Developer settings → GitHub Apps</em>).</li>
<li>Copy the <strong>Client ID</strong> into <code>GITHUB_CLIENT_ID</code>, and generate a
<strong>client secret</strong> for <code>GITHUB_CLIENT_SECRET</code> (Probot's setup flow at
<code>/probot</code> writes both into <code>.env</code>).</li>
<li>Set the App's <strong>Callback URL</strong> to <code>${callbackUrl}</code>.</li>
<li>For GitHub Enterprise Server, set <code>GHE_HOST</code> (or <code>GITHUB_URL</code> and
<code>GITHUB_API_URL</code>).</li>
<li>Restart Faultline.</li>
</ol>
</div>`,
  });
}

/** A plain error page: a sentence for the reader, a way back. */
export function messagePage(title: string, message: string, backHref = "/dashboard"): string {
  return layout({
    title,
    body: html`<div class="notice">
<h2>${title}</h2>
<p>${message}</p>
<p><a href="${backHref}">Back to the dashboard</a></p>
</div>`,
  });
}
