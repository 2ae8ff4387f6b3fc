import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The repository's Markdown as the tests read it: fenced code blocks, each with the HTML
// comment written just before it (`<!-- not-run: why -->`, `<!-- expect-fail: CODE -->`,
// `<!-- example: name … -->`), so the docs and the tests that run them share one text.
// Other packages' tests import it as `@stockroom/server/markdown`.

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The text of an HTML comment on the line(s) just before the fence, if any. */
  note: string | null;
}

const FENCE = /^```([\w-]*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
const NOTE_BEFORE = /<!--((?:(?!-->)[\s\S])*)-->\s*$/;

/** Every fenced code block of a file (path relative to the repository root). */
export function codeBlocks(file: string): CodeBlock[] {
  const text = readFileSync(join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(FENCE)].map((m) => {
    const before = text.slice(0, m.index);
    const note = NOTE_BEFORE.exec(before.replace(/\n\s*$/, "\n"))?.[1]?.trim() ?? null;
    return {
      file,
      line: before.split("\n").length,
      lang: m[1] ?? "",
      code: m[2] ?? "",
      note,
    };
  });
}

/** The one block whose note starts with `marker` (e.g. "example: openapi-fetch"). */
export function markedBlock(file: string, marker: string): CodeBlock {
  const found = codeBlocks(file).filter((b) => b.note?.startsWith(marker));
  if (found.length !== 1) throw new Error(`${file}: ${found.length} blocks marked <!-- ${marker} … -->`);
  return found[0]!;
}
