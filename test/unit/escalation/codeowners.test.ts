import { describe, expect, it } from "vitest";
import {
  type CodeownersRule,
  type SkippedCodeownersLine,
  codeownersPaths,
  matchingRule,
  ownersFor,
  parseCodeowners,
} from "../../../src/escalation/index.js";

/** GitHub's documented example CODEOWNERS file (docs.github.com, "About code owners"). */
const GITHUB_DOCS_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The \`docs/*\` pattern will match files like
# \`docs/getting-started.md\` but not further nested files like
# \`docs/build-app/troubleshooting.md\`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the \`/docs\`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the \`/scripts\` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a \`/logs\` directory such as
# \`/build/logs\`, \`/scripts/logs\`, and \`/deeply/nested/logs\`.
**/logs @octocat

# In this example, @octocat owns any file in the \`/apps\`
# directory in the root of your repository except for the \`/apps/github\`
# subdirectory, as its subdirectory has no owners.
/apps/ @octocat
/apps/github
`;

/** A monorepo in the style of large open-source repos: defaults first, specifics later. */
const MONOREPO = `# Default owners: anything not matched below.
*                                   @acme/core

# Frontend, by extension
*.js                                @acme/frontend
*.ts                                @acme/frontend
*.tsx                               @acme/frontend
/apps/web/                          @acme/web @jdoe

# Backend API (its .ts files are not frontend's: later rules win)
/apps/api/                          @acme/api
/apps/api/**/*.ts                   @acme/api
/apps/api/**/migrations/            @acme/db @mkowalski
/apps/api/src/billing/              @acme/payments sam@acme.example

# Docs
/docs/                              @acme/docs
*.md                                @acme/docs
/docs/api/                          @acme/api @acme/docs
My\\ Notes/                          @octocat

# Generated code and vendored deps belong to nobody
/apps/api/src/generated/
/vendor/

# CI and repo settings
/.github/                           @acme/infra
/.github/CODEOWNERS                 @acme/admins
`;

describe("codeownersPaths", () => {
  it("follows GitHub's lookup order", () => {
    expect(codeownersPaths).toEqual([".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]);
  });
});

describe("parseCodeowners", () => {
  it("keeps rules in file order with line numbers, skipping comments and blank lines", () => {
    const rules = parseCodeowners(GITHUB_DOCS_EXAMPLE);
    expect(rules.map((r) => r.pattern)).toEqual([
      "*",
      "*.js",
      "*.go",
      "*.txt",
      "/build/logs/",
      "docs/*",
      "apps/",
      "/docs/",
      "/scripts/",
      "**/logs",
      "/apps/",
      "/apps/github",
    ]);
    expect(rules[0]).toEqual({
      pattern: "*",
      owners: ["@global-owner1", "@global-owner2"],
      line: 8,
    });
  });

  it("drops an inline comment after the owners", () => {
    const [rule] = parseCodeowners("*.js    @js-owner #This is an inline comment.");
    expect(rule?.owners).toEqual(["@js-owner"]);
  });

  it("keeps a rule without owners (it un-owns the path)", () => {
    expect(parseCodeowners("/apps/github\n/vendor/   # nobody")).toEqual([
      { pattern: "/apps/github", owners: [], line: 1 },
      { pattern: "/vendor/", owners: [], line: 2 },
    ]);
  });

  it("handles CRLF, a BOM, tabs and indentation", () => {
    const rules = parseCodeowners("\uFEFF*\t@a\r\n  /docs/  @b  @c \r\n\r\n");
    expect(rules).toEqual([
      { pattern: "*", owners: ["@a"], line: 1 },
      { pattern: "/docs/", owners: ["@b", "@c"], line: 2 },
    ]);
  });

  it("reads an escaped space as part of the pattern", () => {
    const [rule] = parseCodeowners("My\\ Notes/   @octocat");
    expect(rule).toEqual({ pattern: "My\\ Notes/", owners: ["@octocat"], line: 1 });
  });

  it("accepts users, org/teams and e-mails", () => {
    const [rule] = parseCodeowners(
      "* @user-1 @octocat_acme @my-org/team.name_2 someone@example.com",
    );
    expect(rule?.owners).toEqual([
      "@user-1",
      "@octocat_acme",
      "@my-org/team.name_2",
      "someone@example.com",
    ]);
  });

  it("skips lines GitHub would skip, and reports them", () => {
    const skipped: SkippedCodeownersLine[] = [];
    const rules = parseCodeowners(
      [
        "*          @core",
        "!/docs/    @docs", // negation
        "*.[ch]     @c-team", // character range
        "[Backend]", // GitLab section header
        "\\#notes   @x", // escaped hash
        "/src/      core-team", // owner without @
        "/lib/      @ok @bad owner", // one bad owner spoils the line
        "/api/      @api",
      ].join("\n"),
      (s) => skipped.push(s),
    );
    expect(rules.map((r) => r.pattern)).toEqual(["*", "/api/"]);
    expect(skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(skipped[0]?.reason).toMatch(/negation/);
    expect(skipped[4]?.reason).toMatch(/"core-team"/);
  });

  it("returns no rules for an empty or comment-only file", () => {
    expect(parseCodeowners("")).toEqual([]);
    expect(parseCodeowners("# just a comment\n\n   # another\n")).toEqual([]);
  });
});

describe("ownersFor — GitHub's documented example", () => {
  const rules = parseCodeowners(GITHUB_DOCS_EXAMPLE);
  it.each([
    ["README", ["@global-owner1", "@global-owner2"]],
    ["src/index.js", ["@js-owner"]],
    ["cmd/main.go", ["docs@example.com"]],
    ["notes/todo.txt", ["@octo-org/octocats"]],
    // /build/logs/ matches, but **/logs comes later and wins
    ["build/logs/out.log", ["@octocat"]],
    ["deeply/nested/logs/today.txt", ["@octocat"]],
    // docs/* is overridden by the later /docs/
    ["docs/getting-started.md", ["@doctocat"]],
    ["docs/build-app/troubleshooting.md", ["@doctocat"]],
    // docs/* has an inner slash: anchored at the root, so a nested docs/ is not it
    ["guides/docs/intro.md", ["@global-owner1", "@global-owner2"]],
    ["scripts/deploy.sh", ["@doctocat", "@octocat"]],
    // apps/ without a leading slash matches at any depth
    ["packages/apps/server.rb", ["@octocat"]],
    ["apps/web/server.rb", ["@octocat"]],
    // the last matching rule has no owners: nobody owns it
    ["apps/github/hook.rb", []],
    ["apps/github", []],
  ])("%s -> %j", (path, owners) => {
    expect(ownersFor(rules, path)).toEqual(owners);
  });

  it("tells an unowning rule from no rule at all", () => {
    expect(matchingRule(rules, "apps/github/hook.rb")).toMatchObject({
      pattern: "/apps/github",
      line: GITHUB_DOCS_EXAMPLE.split("\n").indexOf("/apps/github") + 1,
    });
    expect(matchingRule([], "apps/github/hook.rb")).toBeUndefined();
  });
});

describe("ownersFor — monorepo", () => {
  const rules = parseCodeowners(MONOREPO);
  it.each([
    ["Makefile", ["@acme/core"]],
    ["packages/ui/button.tsx", ["@acme/frontend"]],
    ["apps/web/pages/cart.tsx", ["@acme/web", "@jdoe"]],
    ["apps/api/package.json", ["@acme/api"]],
    // *.ts (frontend) is overridden by the later /apps/api/**/*.ts
    ["apps/api/src/cart/checkout.ts", ["@acme/api"]],
    ["apps/api/migrations/0001_init.sql", ["@acme/db", "@mkowalski"]],
    ["apps/api/src/orders/migrations/0042_add_index.ts", ["@acme/db", "@mkowalski"]],
    ["apps/api/src/billing/invoice.ts", ["@acme/payments", "sam@acme.example"]],
    ["docs/setup.md", ["@acme/docs"]],
    ["docs/api/endpoints.md", ["@acme/api", "@acme/docs"]],
    ["CHANGELOG.md", ["@acme/docs"]],
    ["My Notes/ideas.txt", ["@octocat"]],
    ["MyNotes/ideas.txt", ["@acme/core"]],
    ["apps/api/src/generated/client.ts", []],
    ["vendor/lodash/lodash.js", []],
    [".github/workflows/ci.yml", ["@acme/infra"]],
    [".github/CODEOWNERS", ["@acme/admins"]],
  ])("%s -> %j", (path, owners) => {
    expect(ownersFor(rules, path)).toEqual(owners);
  });

  it("tolerates a leading slash or ./ on the path", () => {
    expect(ownersFor(rules, "/apps/web/index.ts")).toEqual(["@acme/web", "@jdoe"]);
    expect(ownersFor(rules, "./apps/web/index.ts")).toEqual(["@acme/web", "@jdoe"]);
  });

  it("returns a copy: callers cannot change the rules", () => {
    const owners = ownersFor(rules, "Makefile");
    owners.push("@intruder");
    expect(ownersFor(rules, "Makefile")).toEqual(["@acme/core"]);
  });
});

describe("pattern semantics", () => {
  const owned = (pattern: string, path: string): boolean => {
    const rules: CodeownersRule[] = [{ pattern, owners: ["@o"], line: 1 }];
    return matchingRule(rules, path) !== undefined;
  };

  it.each([
    // pattern without a slash: any depth, file or directory
    ["foo", "foo", true],
    ["foo", "bar/foo/baz", true],
    ["foo", "foo.txt", false],
    // leading slash anchors at the root
    ["/foo", "foo/bar", true],
    ["/foo", "bar/foo", false],
    ["/foo", "fool.txt", false],
    // trailing slash: a directory and everything under it, not a file of that name
    ["foo/", "foo", false],
    ["foo/", "bar/foo/baz/qux", true],
    ["/foo/", "bar/foo/baz", false],
    // an inner slash anchors too
    ["foo/bar", "foo/bar/baz", true],
    ["foo/bar", "baz/foo/bar", false],
    // * does not cross a slash; docs/* is direct children only
    ["docs/*", "docs/getting-started.md", true],
    ["docs/*", "docs/build-app/troubleshooting.md", false],
    ["docs/*", "docs", false],
    ["/*", "README.md", true],
    ["/*", "src/index.ts", false],
    ["**/logs/*", "a/logs/x.log", true],
    ["**/logs/*", "a/logs/old/x.log", false],
    ["foo/*.txt", "foo/bar.txt", true],
    ["foo/*.txt", "foo/bar/baz.txt", false],
    ["foo/*/baz", "foo/bar/baz/qux", true],
    ["f*", "bar/foo/baz", true],
    ["f*", "xfoo", false],
    ["*", "a/b/c.txt", true],
    // ** spans any number of directories, including none
    ["**/foo/bar", "foo/bar", true],
    ["**/foo/bar", "qux/foo/bar/baz", true],
    ["foo/**/bar", "foo/bar", true],
    ["foo/**/bar", "foo/a/b/bar/baz", true],
    ["foo/**/bar", "qux/foo/bar", false],
    ["foo/bar/**", "foo/bar/baz/qux", true],
    ["foo/**/*", "foo/a/b/c", true],
    // ? is one character other than /
    ["f?o", "foo", true],
    ["f?o", "fo", false],
    ["f?o", "fooo", false],
    // escapes
    ["f\\*o", "f*o", true],
    ["f\\*o", "foo", false],
    // case sensitive, unlike a default gitignore matcher on macOS
    ["*.JS", "app.js", false],
    ["/Docs/", "docs/a.md", false],
  ])("%s on %s -> %s", (pattern, path, expected) => {
    expect(owned(pattern, path)).toBe(expected);
  });

  it("never matches an empty or escaping path", () => {
    expect(owned("*", "")).toBe(false);
    expect(owned("*", "../etc/passwd")).toBe(false);
  });
});
