// Point colours by topic, kind or date, written into one RGBA byte array per redraw.

const PALETTE = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [23, 190, 207], [188, 189, 34], [57, 59, 121],
  [82, 84, 163], [99, 121, 57], [140, 109, 49], [132, 60, 57], [123, 65, 115],
  [0, 128, 128], [205, 92, 92], [70, 130, 180], [154, 205, 50], [255, 99, 71],
];
const GREY = [150, 150, 150];
// viridis-like ramp, old -> new
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

export function paletteColor(i) {
  return i < 0 ? GREY : PALETTE[i % PALETTE.length];
}

export function rampColor(f) {
  const t = Math.max(0, Math.min(1, f)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t));
  const u = t - i;
  return RAMP[i].map((c, k) => Math.round(c + (RAMP[i + 1][k] - c) * u));
}

export function cssColor(rgb, alpha = 1) {
  return `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;
}

// data: {n, topic0 (Int32Array), kind (Int32Array), t0, t1 (Float32Array, NaN = undated)}
export function fillColors(data, mode, visible, alpha, span) {
  const out = new Uint8Array(data.n * 4);
  const a = Math.round(alpha * 255);
  for (let i = 0; i < data.n; i++) {
    let c;
    if (mode === "kind") c = paletteColor(data.kind[i]);
    else if (mode === "date")
      c = Number.isNaN(data.t0[i]) ? GREY : rampColor((data.t0[i] - span[0]) / (span[1] - span[0] || 1));
    else c = paletteColor(data.topic0[i]);
    out[4 * i] = c[0];
    out[4 * i + 1] = c[1];
    out[4 * i + 2] = c[2];
    out[4 * i + 3] = visible[i] ? a : 0;
  }
  return out;
}
