import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CsvError, csvWriter, readCsv, toCsvLine } from "./csv";

type Value = string | null;

async function rows(input: string | Buffer[]) {
  const source = typeof input === "string" ? Readable.from([Buffer.from(input)]) : Readable.from(input);
  const out: { line: number; fields: Value[] }[] = [];
  for await (const row of readCsv(source)) out.push(row);
  return out;
}
const fields = async (input: string | Buffer[]) => (await rows(input)).map((r) => r.fields);

async function write(records: Value[][]): Promise<string> {
  const writer = csvWriter();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of writer) chunks.push(chunk as Buffer);
  })();
  for (const r of records) writer.write(r);
  writer.end();
  await done;
  return Buffer.concat(chunks).toString("utf8");
}

const TRICKY: Value[] = [
  "plain",
  "a,b",
  'say "hi"',
  '""',
  "",
  null,
  "two\nlines",
  "crlf\r\ninside",
  "lone\rcr",
  " padded ",
  "\ttab",
  "Ünïcödé — ✓ 日本語 עברית 🧰",
  "e\u0301 (combining)",
  "=SUM(A1)",
  "trailing,",
];

describe("readCsv", () => {
  it("reads LF, CRLF and both in one file, with or without a final line end", async () => {
    expect(await fields("a,b\n1,2\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(await fields("a,b\r\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(await fields('a,b\n"1\r\n1",2\r\n3,4\n')).toEqual([
      ["a", "b"],
      ["1\r\n1", "2"],
      ["3", "4"],
    ]);
  });

  it("reads quotes, doubled quotes, commas and line breaks inside quotes exactly", async () => {
    expect(await fields('"a,b","say ""hi""","two\nlines","cr\r\nlf"\n')).toEqual([
      ["a,b", 'say "hi"', "two\nlines", "cr\r\nlf"],
    ]);
  });

  it('tells null (empty, unquoted) from the empty string ("")', async () => {
    expect(await fields('x,,"",y\n')).toEqual([["x", null, "", "y"]]);
    expect(await fields("x,\n")).toEqual([["x", null]]);
    expect(await fields(',\n""\n')).toEqual([[null, null], [""]]);
  });

  it("skips a byte-order mark and blank lines, and numbers rows by the line they start on", async () => {
    const lf = '\uFEFFh1,h2\n\n"a\nb",c\nd,e\n';
    const expected = [
      [1, ["h1", "h2"]],
      [3, ["a\nb", "c"]],
      [5, ["d", "e"]],
    ];
    expect((await rows(lf)).map((r) => [r.line, r.fields])).toEqual(expected);
    // CRLF inside a quoted field is one line break, not two.
    const crlf = lf.replaceAll("\n", "\r\n");
    expect((await rows(crlf)).map((r) => r.line)).toEqual([1, 3, 5]);
    expect((await rows(crlf))[1]!.fields).toEqual(["a\r\nb", "c"]);
  });

  it("reassembles a BOM and multi-byte characters split across chunks of the stream", async () => {
    const bytes = Buffer.from('\uFEFFname,note\nÜ🧰,"ä,ö"\r\n');
    const oneByteChunks = [...bytes].map((b) => Buffer.from([b]));
    expect(await fields(oneByteChunks)).toEqual([
      ["name", "note"],
      ["Ü🧰", "ä,ö"],
    ]);
  });

  it("throws CsvError naming the line on an unterminated quote or text after a closing quote", async () => {
    await expect(fields('a\n"open,b\n')).rejects.toThrow(CsvError);
    await expect(fields('a\n"open,b\n')).rejects.toThrow(/line 2/);
    await expect(fields('a\n"q"x,b\n')).rejects.toThrow(CsvError);
  });

  it("streams a large input a record at a time", async () => {
    async function* generate() {
      yield "sku,name\n";
      for (let i = 0; i < 50_000; i++) yield `S-${i},"Name, ${i}"\n`;
    }
    let count = 0;
    let last: Value[] = [];
    for await (const row of readCsv(generate())) {
      count++;
      last = row.fields;
    }
    expect(count).toBe(50_001);
    expect(last).toEqual(["S-49999", "Name, 49999"]);
  });
});

describe("writing", () => {
  it('quotes only what needs it: , " CR LF, edge white space, the empty string', () => {
    expect(toCsvLine(["plain", null, "", 'a "b", c', " lead", "x\ny", "cr\r", 12.5, "ünï"])).toBe(
      'plain,,"","a ""b"", c"," lead","x\ny","cr\r",12.5,ünï\n',
    );
  });

  it("writes LF line ends and no BOM", async () => {
    expect(
      await write([
        ["a", "b"],
        ["c", null],
      ]),
    ).toBe("a,b\nc,\n");
  });
});

describe("round trip", () => {
  it("reads back exactly what it wrote: quotes, line breaks, commas, empty and null, non-ASCII", async () => {
    const records = [TRICKY, [...TRICKY].reverse(), TRICKY.map((v) => (v === null ? "" : null))];
    const text = await write(records);
    expect(await fields(text)).toEqual(records);
    // …and writing what was read gives the same bytes.
    expect(await write(await fields(text))).toBe(text);
  });

  it("reads a BOM + CRLF file (as spreadsheets save it) to the same values as the LF file", async () => {
    const text = await write([["h1", "h2"], ...TRICKY.map((v) => [v, "x"])]);
    const crlf = `\uFEFF${text.replace(/\n(?=[^"]*(?:"[^"]*"[^"]*)*$)/g, "\r\n")}`;
    expect(crlf).not.toBe(text);
    expect(await fields(crlf)).toEqual(await fields(text));
  });
});
