/** Chart answers (project and run history, msgpack or JSON) -> the core's BucketSeries. */

import { column, type Packed } from "../core/msgpack";
import type { BucketGrid, BucketSeries } from "../core/series";
import type { HistoryResponse } from "./types";

export type PackedHistory = Omit<HistoryResponse, "series"> & { series: ({ run: string; key: string; found: boolean } & Record<string, Packed>)[] };

export interface History {
  grid: BucketGrid;
  xAxis: string;
  series: BucketSeries[];
  queryMs: number;
}

/**
 * One wire series -> BucketSeries. Columns come as msgpack typed arrays or JSON lists; non-finite
 * values (NaN/Infinity, which JSON answers spell as strings) become gaps.
 */
export function fromPacked(s: { run: string; key: string } & Record<string, Packed>): BucketSeries {
  return {
    run: s.run,
    key: s.key,
    bucket: column(s.bucket) as number[],
    count: column(s.count) as number[],
    min: column(s.min, true),
    max: column(s.max, true),
    mean: column(s.mean, true),
    last: column(s.last, true),
    last_x: column(s.last_x ?? s.x) as number[],
  };
}

export function toHistory(r: PackedHistory): History {
  return {
    grid: { a: r.min, b: r.max, buckets: r.buckets },
    xAxis: r.x_axis,
    series: r.series.filter((s) => s.found).map(fromPacked),
    queryMs: r.query_ms,
  };
}
