import { describe, expect, it } from "vitest";
import { fromPacked } from "./series";

describe("fromPacked", () => {
  it("turns a JSON answer's NaN/Infinity strings into gaps and keeps columns", () => {
    const s = fromPacked({
      run: "r", key: "loss", found: true, bucket: [0, 3], x: [0, 30], count: [2, 1],
      min: [1, "NaN"], max: [2, "Infinity"], mean: [1.5, null], last: [2, "-Infinity"], last_x: [5, 31],
    });
    expect(s).toEqual({ run: "r", key: "loss", bucket: [0, 3], count: [2, 1], min: [1, null], max: [2, null], mean: [1.5, null], last: [2, null], last_x: [5, 31] });
  });
  it("reads last_x from x when the answer has no last_x", () => {
    expect(fromPacked({ run: "r", key: "k", found: true, bucket: [0], x: [7], count: [1], min: [1], max: [1], mean: [1], last: [1] }).last_x).toEqual([7]);
  });
});
