import { describe, expect, it } from "vitest";
import { LiveBus, mixLive, type LivePoints } from "./live";

describe("mixLive", () => {
  it("hears every project's bus under the chart's run ids, and subscribes each bus to the key", () => {
    const a = new LiveBus();
    const b = new LiveBus();
    const mixed = mixLive([
      { live: a, id: (r) => r },
      { live: b, id: (r) => `me/b/${r}` },
    ]);
    const got: LivePoints[] = [];
    const runs: string[] = [];
    const stop = mixed.subscribe("loss", (p) => got.push(p));
    const stopRuns = mixed.onRun((r) => runs.push(r));
    expect(a.keys()).toEqual(["loss"]);
    expect(b.keys()).toEqual(["loss"]); // b's stream fetches the key too
    a.emit({ run: "r1", key: "loss", steps: [1], values: [0.5] });
    b.emit({ run: "r2", key: "loss", steps: [2], values: [0.25] });
    b.emitRun("r2");
    expect(got.map((p) => p.run)).toEqual(["r1", "me/b/r2"]);
    expect(runs).toEqual(["me/b/r2"]);
    stop();
    stopRuns();
    expect(a.keys()).toEqual([]);
    expect(b.keys()).toEqual([]);
  });
});
