// Density shading for large maps: a blurred 2-D histogram of the points, drawn once per
// data set into a canvas that deck.gl stretches under the points (a BitmapLayer), so
// where 100k points pile up the structure still reads at a glance.

const GRID = 256;

export function densityImage(xy, n, bounds) {
  const [minx, miny, maxx, maxy] = bounds;
  const pad = 0.04 * Math.max(maxx - minx, maxy - miny);
  const x0 = minx - pad;
  const y0 = miny - pad;
  const sx = GRID / (maxx - minx + 2 * pad || 1);
  const sy = GRID / (maxy - miny + 2 * pad || 1);
  let g = new Float32Array(GRID * GRID);
  for (let i = 0; i < n; i++) {
    const c = Math.min(GRID - 1, Math.floor((xy[2 * i] - x0) * sx));
    const r = Math.min(GRID - 1, Math.floor((xy[2 * i + 1] - y0) * sy));
    g[r * GRID + c] += 1;
  }
  for (let k = 0; k < 3; k++) g = blur(g); // three box blurs ~ a Gaussian
  let max = 0;
  for (const v of g) max = Math.max(max, v);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = GRID;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(GRID, GRID);
  for (let i = 0; i < g.length; i++) {
    const f = Math.sqrt(g[i] / (max || 1)); // sqrt: sparse regions stay faintly visible
    img.data[4 * i] = 70;
    img.data[4 * i + 1] = 90;
    img.data[4 * i + 2] = 140;
    img.data[4 * i + 3] = Math.round(110 * f);
  }
  ctx.putImageData(img, 0, 0);
  // image row 0 is the smallest y; with the view's y axis pointing down that is its top
  return { canvas, bounds: [x0, y0 + GRID / sy, x0 + GRID / sx, y0] };
}

function blur(g) {
  const out = new Float32Array(g.length);
  const tmp = new Float32Array(g.length);
  const R = 2;
  for (let r = 0; r < GRID; r++)
    for (let c = 0; c < GRID; c++) {
      let s = 0;
      for (let k = -R; k <= R; k++) s += g[r * GRID + Math.min(GRID - 1, Math.max(0, c + k))];
      tmp[r * GRID + c] = s / (2 * R + 1);
    }
  for (let r = 0; r < GRID; r++)
    for (let c = 0; c < GRID; c++) {
      let s = 0;
      for (let k = -R; k <= R; k++) s += tmp[Math.min(GRID - 1, Math.max(0, r + k)) * GRID + c];
      out[r * GRID + c] = s / (2 * R + 1);
    }
  return out;
}
