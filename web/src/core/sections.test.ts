import { describe, expect, it } from "vitest";
import { sectionPanels } from "./sections";

describe("sectionPanels", () => {
  const keys = ["train/loss_10", "eval/acc", "system/gpu.0.util", "lr", "train/loss_2", "_step", "eval/acc", "Alpha/x"];
  it("groups by the first / prefix in a stable order", () => {
    const s = sectionPanels(keys);
    expect(s.map((x) => x.name)).toEqual(["Charts", "Alpha", "eval", "train", "system"]);
    expect(s.find((x) => x.name === "train")!.keys).toEqual(["train/loss_2", "train/loss_10"]);
    expect(s.find((x) => x.name === "eval")!.keys).toEqual(["eval/acc"]);
  });
  it("does not depend on arrival order", () => {
    expect(sectionPanels([...keys].reverse())).toEqual(sectionPanels(keys));
  });
  it("filters by search text or /regex/", () => {
    expect(sectionPanels(keys, "LOSS").flatMap((s) => s.keys)).toEqual(["train/loss_2", "train/loss_10"]);
    expect(sectionPanels(keys, "/^eval|^lr$/").flatMap((s) => s.keys)).toEqual(["lr", "eval/acc"]);
  });
});
