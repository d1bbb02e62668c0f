import { describe, expect, it } from "vitest";
import { canonicalJson } from "./reportDoc";

describe("canonicalJson", () => {
  it("is the same text for blocks whose keys come back in another order (PostgreSQL's jsonb)", () => {
    const written = [{ id: "b1", type: "runs", runset: { projects: ["me/p"], filter: "" }, columns: ["config.lr"] }];
    const readBack = [{ type: "runs", id: "b1", columns: ["config.lr"], runset: { filter: "", projects: ["me/p"] } }];
    expect(JSON.stringify(written)).not.toBe(JSON.stringify(readBack));
    expect(canonicalJson(written)).toBe(canonicalJson(readBack));
  });
  it("still tells different content and list order apart", () => {
    expect(canonicalJson([{ a: [1, 2] }])).not.toBe(canonicalJson([{ a: [2, 1] }]));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
  });
});
