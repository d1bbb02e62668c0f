import { describe, expect, it } from "vitest";
import { column, decode } from "./msgpack";

const b = (...xs: number[]) => new Uint8Array(xs);

describe("msgpack decode", () => {
  it("scalars", () => {
    expect(decode(b(0xc0))).toBe(null);
    expect(decode(b(0xc3))).toBe(true);
    expect(decode(b(0x7f))).toBe(127);
    expect(decode(b(0xff))).toBe(-1);
    expect(decode(b(0xcd, 0x01, 0x00))).toBe(256);
    expect(decode(b(0xd1, 0xff, 0x00))).toBe(-256);
    expect(decode(b(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe))).toBe(-2);
    expect(decode(b(0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0))).toBe(1.5);
    expect(decode(b(0xa3, 0x61, 0x62, 0x63))).toBe("abc");
  });
  it("containers and bin", () => {
    // {"a": [1, "x"], "b": bin(2)}
    const v = decode(b(0x82, 0xa1, 0x61, 0x92, 0x01, 0xa1, 0x78, 0xa1, 0x62, 0xc4, 0x02, 0x05, 0x06)) as Record<string, unknown>;
    expect(v.a).toEqual([1, "x"]);
    expect(Array.from(v.b as Uint8Array)).toEqual([5, 6]);
  });
  it("rejects truncated input", () => {
    expect(() => decode(b(0x92, 0x01))).toThrow();
  });
  it("columns", () => {
    const f = new Float64Array([1.5, NaN, -Infinity, 2]);
    expect(column({ dtype: "<f8", data: new Uint8Array(f.buffer) }, true)).toEqual([1.5, null, null, 2]);
    expect(column({ dtype: "<f8", data: new Uint8Array(f.buffer) })).toEqual([1.5, NaN, -Infinity, 2]);
    const i = new BigInt64Array([0n, -3n, 2n ** 40n + 7n]);
    // an unaligned view, as a bin inside a larger buffer is
    const big = new Uint8Array(1 + i.byteLength);
    big.set(new Uint8Array(i.buffer), 1);
    expect(column({ dtype: "<i8", data: big.subarray(1) })).toEqual([0, -3, 2 ** 40 + 7]);
    expect(column([1, "NaN", null], true)).toEqual([1, null, null]);
  });
});
