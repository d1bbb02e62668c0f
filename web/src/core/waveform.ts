/** Waveform of decoded audio: min/max of the samples under each of `n` columns. */

export function peaks(samples: ArrayLike<number>, n: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  const len = samples.length;
  if (!len || n <= 0) return { min, max };
  for (let c = 0; c < n; c++) {
    const a = Math.floor((c * len) / n);
    const b = Math.max(a + 1, Math.floor(((c + 1) * len) / n));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b && i < len; i++) {
      const v = samples[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = Number.isFinite(lo) ? lo : 0;
    max[c] = Number.isFinite(hi) ? hi : 0;
  }
  return { min, max };
}
