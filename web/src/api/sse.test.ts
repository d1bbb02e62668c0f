import { describe, expect, it } from "vitest";
import { parseSse } from "./sse";

describe("parseSse", () => {
  it("splits complete blocks, joins data lines and keeps the incomplete rest", () => {
    const r = parseSse('event: x\ndata: {"a":1}\n\n: ping\n\ndata: line1\ndata: line2\n\ndata: {"b"');
    expect(r.data).toEqual(['{"a":1}', "line1\nline2"]);
    expect(r.rest).toBe('data: {"b"');
    expect(parseSse(r.rest + ":2}\n\n").data).toEqual(['{"b":2}']);
  });
});
