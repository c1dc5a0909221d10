// Topic labels that never collide: greedy placement in screen space, recomputed per frame.
//
// Candidates are the topics of the finest level the zoom allows (coarse topics at full
// extent, one finer level per doubling of the zoom), largest first; a label is kept only
// when its box (plus a margin) meets no box already kept. The boxes are measured once per
// label from the DOM (wrapped at a fixed width, never cut), so what is placed is what shows.

export const LABEL_MARGIN = 3; // px kept free around every label

export function activeLevel(zoom, fitZoom, levels) {
  return Math.max(0, Math.min(levels - 1, Math.floor(zoom - fitZoom + 0.35)));
}

// candidates: [{key, sx, sy, w, h, size}] in screen px (sx, sy = the topic's anchor);
// reserved: boxes {x, y, w, h} no label may cover (the tool panels);
// returns the kept ones with x, y = top-left corner.
export function placeLabels(candidates, width, height, reserved = []) {
  const order = candidates.slice().sort((a, b) => b.size - a.size || (a.key < b.key ? -1 : 1));
  const kept = [];
  const blocked = reserved.slice();
  for (const c of order) {
    let x = c.sx - c.w / 2;
    let y = c.sy - c.h / 2;
    if (c.sx < 0 || c.sy < 0 || c.sx > width || c.sy > height) continue;
    x = Math.max(2, Math.min(width - c.w - 2, x)); // keep whole labels inside the frame
    y = Math.max(2, Math.min(height - c.h - 2, y));
    if (kept.some((k) => overlaps(k, x, y, c.w, c.h))) continue;
    if (blocked.some((k) => overlaps(k, x, y, c.w, c.h))) continue;
    kept.push({ ...c, x, y });
  }
  return kept;
}

function overlaps(k, x, y, w, h) {
  const m = LABEL_MARGIN;
  return x < k.x + k.w + m && k.x < x + w + m && y < k.y + k.h + m && k.y < y + h + m;
}

// Number of overlapping pairs among boxes {x, y, width, height} (0 is the promise).
export function countOverlaps(boxes) {
  let n = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
        n++;
    }
  }
  return n;
}
