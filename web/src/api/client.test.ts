import { describe, expect, it } from "vitest";
import { fromWire } from "./client";

describe("fromWire", () => {
  it("turns the server's NaN/Infinity strings into gaps and keeps columns", () => {
    const s = fromWire({
      run: "r", key: "loss", found: true, bucket: [0, 3], x: [0, 30], count: [2, 1],
      min: [1, "NaN"], max: [2, "Infinity"], mean: [1.5, null], last: [2, "-Infinity"], last_x: [5, 31],
    });
    expect(s).toEqual({ run: "r", key: "loss", bucket: [0, 3], count: [2, 1], min: [1, null], max: [2, null], mean: [1.5, null], last: [2, null], last_x: [5, 31] });
  });
});
