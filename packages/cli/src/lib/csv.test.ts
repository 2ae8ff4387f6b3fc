import { describe, expect, it } from "vitest";
import { CsvError, parseCsv, toCsvField, toCsvLine } from "./csv";

const fields = (text: string) => parseCsv(text).rows.map((r) => r.fields);

describe("parseCsv", () => {
  it("splits plain fields and records, with LF or CRLF and an optional last newline", () => {
    expect(fields("a,b\n1,2\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(fields("a,b\r\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("handles quotes, doubled quotes, commas and newlines inside quotes", () => {
    expect(fields('"a,b","say ""hi""","two\nlines"\n')).toEqual([["a,b", 'say "hi"', "two\nlines"]]);
  });

  it('tells null (empty, unquoted) from the empty string ("")', () => {
    expect(fields('x,,"",y\n')).toEqual([["x", null, "", "y"]]);
    expect(fields("x,\n")).toEqual([["x", null]]);
  });

  it("skips a byte-order mark and blank lines, and numbers rows by the line they start on", () => {
    const { rows } = parseCsv('\uFEFFh1,h2\n\n"a\nb",c\nd,e\n');
    expect(rows.map((r) => [r.line, r.fields])).toEqual([
      [1, ["h1", "h2"]],
      [3, ["a\nb", "c"]],
      [5, ["d", "e"]],
    ]);
  });

  it("throws on an unterminated quote, naming the line", () => {
    expect(() => parseCsv('a\n"open,b\n')).toThrow(CsvError);
    expect(() => parseCsv('a\n"open,b\n')).toThrow(/line 2/);
  });
});

describe("writing", () => {
  it("quotes only what needs it", () => {
    expect(toCsvField("plain")).toBe("plain");
    expect(toCsvField(null)).toBe("");
    expect(toCsvField("")).toBe('""');
    expect(toCsvField('a "b", c')).toBe('"a ""b"", c"');
    expect(toCsvField(" lead")).toBe('" lead"');
    expect(toCsvField("x\ny")).toBe('"x\ny"');
    expect(toCsvField(12.5)).toBe("12.5");
  });

  it("round-trips any values through a line", () => {
    const values = ["a,b", 'q"q', "", null, " s ", "multi\r\nline", "ünï"];
    expect(fields(toCsvLine(values))).toEqual([values]);
  });
});
