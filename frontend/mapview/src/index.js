// absorb's topic map: a deck.gl scatter of every item in a Streamlit component frame.
//
// Python (views/mapview) sends columnar arrays; this frame draws density, points, search
// hits and the question, places topic labels without collisions, runs the time control,
// and reports a click ({event: "open"}) or a box/lasso selection ({event: "select"}).
// Tests and outside tools read window.absorbMap (see README "The map's test hook").

import { Deck, OrthographicView, OrthographicViewport } from "@deck.gl/core";
import { BitmapLayer, ScatterplotLayer } from "@deck.gl/layers";
import { cssColor, fillColors, paletteColor } from "./colors.js";
import { densityImage } from "./density.js";
import { activeLevel, placeLabels } from "./labels.js";
import { onRender, setComponentValue, setFrameHeight } from "./streamlit.js";
import { TimeBar } from "./timebar.js";

const $ = (sel) => document.querySelector(sel);
// A large map moves as a picture: the last full frame, stretched with the view, and every
// point is drawn again once the view rests (software WebGL's cost grows with the points)
const SNAPSHOT_FROM = 5000; // points
const REST_MS = 500; // ms without a view change: draw every point again

const state = {
  data: null, // decoded arrays of the current dataKey
  view: null, // {target, zoom}
  fitZoom: 0,
  mode: "pan", // pan | box | lasso
  colorBy: "topic",
  visible: null, // Uint8Array: 1 = drawn
  selected: [], // point indices
  shapeKey: "",
  labels: [], // kept labels of the last frame
  hits: [],
  query: null,
  nonce: Date.now(), // grows per action, across remounts too (Python handles each once)
};
const hook = { fps: 0, renders: 0, firstPaintMs: null, ready: false };
window.absorbMap = hook;

const deck = new Deck({
  parent: $("#map"),
  // luma.gl keeps the drawing buffer by default, which costs a full-frame copy per frame in
  // software WebGL; we never read the canvas back
  deviceProps: { webgl: { preserveDrawingBuffer: false, antialias: false } },
  views: new OrthographicView({ id: "map" }),
  controller: { dragRotate: false, touchRotate: false, inertia: false, doubleClickZoom: false },
  viewState: { target: [0, 0, 0], zoom: 0 },
  layers: [],
  onViewStateChange: ({ viewState }) => {
    state.view = { target: viewState.target, zoom: viewState.zoom };
    deck.setProps({ viewState: { ...viewState } });
    moved();
  },
  onBeforeRender: () => (hook.t0 = performance.now()),
  onAfterRender: () => {
    hook.renderMs = performance.now() - hook.t0;
    hook.renders++;
    keepSnapshot();
    if (hook.firstPaintMs === null && state.data) {
      hook.firstPaintMs = performance.now();
      hook.ready = true;
    }
  },
  onClick: (info) => state.mode === "pan" && openAt(info.x, info.y),
  getCursor: ({ isDragging }) => (state.mode !== "pan" ? "crosshair" : isDragging ? "grabbing" : "default"),
});
const timebar = new TimeBar($("#timebar"), () => {
  refilter();
  redraw();
});

// ------------------------------------------------------------------ data from Python

onRender((args) => {
  setFrameHeight(args.height || 640);
  if (!state.data || state.data.key !== args.dataKey) {
    hook.argsAt = performance.now(); // the arguments arrived (first paint = Python + transfer + this)
    load(args);
    hook.loadMs = performance.now() - hook.argsAt;
  }
  const hitsKey = JSON.stringify([args.hits, args.query]);
  if (hitsKey !== state.hitsKey) {
    state.hitsKey = hitsKey;
    state.hits = args.hits || [];
    state.query = args.query || null;
    state.queryText = args.queryText || "";
    redraw();
  }
  const shapeKey = `${args.dataKey}|${JSON.stringify(args.selection || null)}`;
  if (shapeKey !== state.shapeKey) {
    state.shapeKey = shapeKey;
    if (args.selection) select(args.selection, false);
  }
});

// Python sends the columns as raw little-endian bytes (views/mapview/payload.py); Streamlit
// hands them over as Uint8Array views, which need copying to aligned buffers.
function typed(Type, bytes, n) {
  if (!bytes || !bytes.byteLength) return null;
  const u8 = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Type(u8.slice().buffer);
  return n === undefined || out.length === n ? out : null;
}

function load(args) {
  const n = args.n || 0;
  const nl = args.levels || 0;
  const all = typed(Int32Array, args.topics, n * nl) || new Int32Array(0);
  const levels = Array.from({ length: nl }, (_, k) => all.subarray(k * n, (k + 1) * n));
  const d = {
    key: args.dataKey,
    n,
    xy: typed(Float32Array, args.xy, 2 * n) || new Float32Array(2 * n),
    levels,
    topic0: levels[0] || new Int32Array(n).fill(-1),
    kind: typed(Int32Array, args.kind, n) || new Int32Array(n),
    kinds: args.kinds || [],
    t0: typed(Float32Array, args.t0, n) || new Float32Array(n).fill(NaN),
    t1: typed(Float32Array, args.t1, n) || new Float32Array(n).fill(NaN),
    titles: args.titles || null,
    topics: args.topicInfo || [],
  };
  for (let i = 0; i < n; i++) if (Number.isNaN(d.t1[i])) d.t1[i] = d.t0[i]; // no end: one day
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity; // prettier-ignore
  for (let i = 0; i < n; i++) {
    const x = d.xy[2 * i];
    const y = d.xy[2 * i + 1];
    minx = Math.min(minx, x);
    maxx = Math.max(maxx, x);
    miny = Math.min(miny, y);
    maxy = Math.max(maxy, y);
  }
  if (!n) [minx, miny, maxx, maxy] = [-1, -1, 1, 1];
  d.bounds = [minx, miny, maxx, maxy];
  d.density = n >= 2000 ? densityImage(d.xy, n, d.bounds) : null;
  // a small map gets bigger points: at 69 items 4 px dots were small targets to click
  d.radius = n < 200 ? 5.5 : n < 1000 ? 4 : n < 10000 ? 2.6 : n < 50000 ? 1.8 : 1.3;
  d.alpha = n < 1000 ? 0.78 : n < 10000 ? 0.55 : 0.35;
  d.parentSize = new Map(d.topics.map((t) => [`${t.level}:${t.id}`, t.size]));
  state.data = d;
  state.selected = [];
  state.shape = null;
  state.labelBoxes = new Map();
  timebar.setData(d.t0, d.t1);
  buildLegend();
  fit();
  refilter();
  redraw();
}

function size() {
  const el = $("#map");
  return [el.clientWidth || 800, el.clientHeight || 600];
}

function fit() {
  // the data fills the space between the tool panel (top) and the time bar (bottom)
  const [w, h] = size();
  const top = 48;
  const bottom = 60;
  const [minx, miny, maxx, maxy] = state.data.bounds;
  const scale = 0.94 * Math.min(w / Math.max(1e-6, maxx - minx), (h - top - bottom) / Math.max(1e-6, maxy - miny));
  const zoom = Math.log2(scale);
  state.fitZoom = zoom;
  const shift = (bottom - top) / 2 / scale; // screen centre of that space, in map units
  state.view = { target: [(minx + maxx) / 2, (miny + maxy) / 2 + shift, 0], zoom };
  deck.setProps({ viewState: { ...state.view, minZoom: zoom - 2, maxZoom: zoom + 9 } });
}

function refilter() {
  const d = state.data;
  if (!d) return;
  const vis = new Uint8Array(d.n);
  let count = 0;
  for (let i = 0; i < d.n; i++) {
    if (timebar.admits(d.t0[i], d.t1[i])) {
      vis[i] = 1;
      count++;
    }
  }
  state.visible = vis;
  hook.visibleCount = count;
  // labels: sizes are what is visible now; a topic with nothing visible has no label
  state.topicCounts = d.levels.map((lv) => {
    const m = new Map();
    for (let i = 0; i < d.n; i++) if (vis[i]) m.set(lv[i], (m.get(lv[i]) || 0) + 1);
    return m;
  });
  $("#count").textContent = `${count.toLocaleString()} of ${d.n.toLocaleString()} items`;
}

// ------------------------------------------------------------------ drawing

function redraw() {
  const d = state.data;
  if (!d) return;
  const colors = fillColors(d, state.colorBy, state.visible, d.alpha, timebar.span);
  const layers = [];
  if (d.density)
    layers.push(
      new BitmapLayer({
        id: "density",
        image: d.density.canvas,
        bounds: d.density.bounds,
        opacity: 0.9,
      }),
    );
  const pointLayer = (id, xy, fill, visible) =>
    new ScatterplotLayer({
      id,
      visible,
      data: { length: xy.length / 2, attributes: { getPosition: { value: xy, size: 2 }, getFillColor: { value: fill, size: 4 } } },
      radiusUnits: "pixels",
      getRadius: d.radius,
      radiusMinPixels: 1,
      stroked: false,
    });
  layers.push(pointLayer("points", d.xy, colors, true));
  const ring = state.hits.slice(10).filter((i) => state.visible[i]);
  if (ring.length)
    layers.push(
      new ScatterplotLayer({
        id: "hits",
        data: ring,
        getPosition: (i) => [d.xy[2 * i], d.xy[2 * i + 1]],
        radiusUnits: "pixels",
        getRadius: d.radius + 4,
        filled: false,
        stroked: true,
        lineWidthUnits: "pixels",
        getLineWidth: 1.5,
        getLineColor: [255, 75, 75, 110],
      }),
    );
  if (state.selected.length)
    layers.push(
      new ScatterplotLayer({
        id: "selected",
        data: state.selected,
        getPosition: (i) => [d.xy[2 * i], d.xy[2 * i + 1]],
        radiusUnits: "pixels",
        getRadius: d.radius + 1.5,
        stroked: true,
        lineWidthUnits: "pixels",
        getLineWidth: 1.5,
        getFillColor: [255, 255, 255, 0],
        getLineColor: [20, 20, 20, 230],
      }),
    );
  state.moving = false; // new data or colours: draw them at once
  clearTimeout(restTimer);
  deck.setProps({ layers: hook.onlyLayers ? layers.filter((l) => hook.onlyLayers.includes(l.id)) : layers });
  requestLabels();
}

let restTimer = 0;
function moved() {
  requestLabels();
  if (!state.data || state.data.n < SNAPSHOT_FROM) return;
  clearTimeout(restTimer);
  restTimer = setTimeout(() => {
    state.moving = false;
    deck.setProps({ layers: deck.props.layers.filter((l) => l.id !== "snapshot").map((l) => l.clone({ visible: true })) });
  }, REST_MS);
  if (!state.moving && state.snapshot) {
    state.moving = true;
    const { canvas, bounds } = state.snapshot;
    const hidden = deck.props.layers.map((l) => l.clone({ visible: false })); // kept, not redrawn
    const picture = new BitmapLayer({ id: "snapshot", image: canvas, bounds, textureParameters: { minFilter: "linear", magFilter: "linear" } });
    deck.setProps({ layers: [...hidden, picture] });
  }
}

// after a full frame at rest: keep it as the picture to move next time
function keepSnapshot() {
  const d = state.data;
  if (!d || d.n < SNAPSHOT_FROM || state.moving || !state.view) return;
  const src = deck.getCanvas?.() || deck.canvas;
  if (!src || !src.width) return;
  const canvas = document.createElement("canvas");
  canvas.width = src.width;
  canvas.height = src.height;
  canvas.getContext("2d").drawImage(src, 0, 0);
  const vp = viewport();
  const [w, h] = size();
  const [x0, y0] = vp.unproject([0, 0]);
  const [x1, y1] = vp.unproject([w, h]);
  state.snapshot = { canvas, bounds: [x0, y1, x1, y0] };
}

let labelFrame = 0;
function requestLabels() {
  if (!labelFrame) labelFrame = requestAnimationFrame(() => ((labelFrame = 0), drawOverlay()));
}

function viewport() {
  const [width, height] = size();
  return new OrthographicViewport({ width, height, target: state.view.target, zoom: state.view.zoom });
}

function drawOverlay() {
  const d = state.data;
  if (!d || !state.view) return;
  const t0 = performance.now();
  const vp = viewport();
  const [w, h] = size();
  const level = activeLevel(state.view.zoom, state.fitZoom, Math.max(1, d.levels.length));
  // coarse labels first, then finer ones where room is left; a sub-topic that is its
  // whole parent (it did not split) says nothing new and is skipped
  const cands = [];
  for (const t of d.topics) {
    const counts = state.topicCounts[t.level];
    if (t.level > level || t.id < 0 || !counts?.get(t.id)) continue;
    if (t.level > 0 && d.parentSize.get(`${t.level - 1}:${t.parent}`) === t.size) continue;
    const [sx, sy] = vp.project([t.x, t.y]);
    const box = labelBox(t);
    const size = counts.get(t.id) + (d.levels.length - t.level) * d.n; // coarser wins
    cands.push({ key: `${t.level}:${t.id}`, topic: t, sx, sy, w: box.w, h: box.h, size });
  }
  const reserved = ["#tools", "#timebar"].map((id) => {
    const r = $(id).getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height };
  });
  reserved.push(...markerBoxes(vp)); // a label never covers a numbered hit or the question
  const kept = placeLabels(cands, w, h, reserved);
  const layer = $("#labels");
  const used = new Set();
  for (const k of kept) {
    const el = labelEl(k.topic);
    el.style.transform = `translate(${Math.round(k.x)}px, ${Math.round(k.y)}px)`;
    if (!el.parentNode) layer.appendChild(el);
    used.add(el);
  }
  for (const el of [...layer.children]) if (!used.has(el)) el.remove();
  state.labels = kept;
  state.level = level;
  drawMarkers(vp);
  hook.overlayMs = performance.now() - t0;
}

function labelText(t) {
  return t.label.split(" · ").map(esc).map((s) => `<span>${s}</span>`).join(" · ");
}

function labelEl(t) {
  const key = `${t.level}:${t.id}`;
  let el = state.labelBoxes.get(key)?.el;
  if (!el) {
    el = document.createElement("div");
    el.className = `lab l${Math.min(2, t.level)}`;
    el.innerHTML = labelText(t);
  }
  return el;
}

function labelBox(t) {
  const key = `${t.level}:${t.id}`;
  let b = state.labelBoxes.get(key);
  if (!b) {
    const el = labelEl(t);
    el.style.transform = "translate(-9999px, -9999px)";
    $("#labels").appendChild(el);
    b = { el, w: Math.ceil(el.offsetWidth), h: Math.ceil(el.offsetHeight) };
    el.remove();
    state.labelBoxes.set(key, b);
  }
  return b;
}

// Screen boxes of the numbered hits (ring and rank badge) and of the question's star.
function markerBoxes(vp) {
  const d = state.data;
  const boxes = [];
  state.hits.slice(0, 10).forEach((i) => {
    if (!state.visible[i]) return;
    const [x, y] = vp.project([d.xy[2 * i], d.xy[2 * i + 1]]);
    boxes.push({ x: x - 8, y: y - 22, w: 30, h: 30 });
  });
  if (state.query) {
    const [x, y] = vp.project(state.query);
    boxes.push({ x: x - 11, y: y - 12, w: 22, h: 22 });
  }
  return boxes;
}

function drawMarkers(vp) {
  const d = state.data;
  const layer = $("#markers");
  let html = "";
  state.hits.slice(0, 10).forEach((i, k) => {
    if (!state.visible[i]) return;
    const [x, y] = vp.project([d.xy[2 * i], d.xy[2 * i + 1]]);
    // the number sits beside its point, so the question's star never hides it
    html += `<div class="hit" style="transform:translate(${x - 7}px,${y - 7}px)"></div>`;
    html += `<div class="rank" style="transform:translate(${x + 5}px,${y - 21}px)">${k + 1}</div>`;
  });
  if (state.query) {
    const [x, y] = vp.project(state.query);
    html += `<div class="star" title="${esc(state.queryText)}" style="transform:translate(${x - 10}px,${y - 11}px)">★</div>`;
  }
  layer.innerHTML = html;
}

function buildLegend() {
  const sel = $("#colorby");
  sel.onchange = () => {
    state.colorBy = sel.value;
    legend();
    redraw();
  };
  legend();
}

function legend() {
  const d = state.data;
  const el = $("#legend");
  if (state.colorBy === "kind") {
    el.innerHTML = d.kinds.map((k, i) => `<span><i style="background:${cssColor(paletteColor(i))}"></i>${esc(k)}</span>`).join("");
  } else if (state.colorBy === "date") {
    el.innerHTML = `<span>${timebar.span[0]}</span><b class="ramp"></b><span>${timebar.span[1] - 1}</span><span><i style="background:#969696"></i>undated</span>`;
  } else el.innerHTML = "";
}

// ------------------------------------------------------------------ click, hover, select

function nearest(sx, sy, px) {
  const d = state.data;
  if (!d || !state.view) return -1;
  const vp = viewport();
  const [wx, wy] = vp.unproject([sx, sy]);
  const scale = 2 ** state.view.zoom;
  let best = -1;
  let bestD = (px / scale) ** 2;
  for (let i = 0; i < d.n; i++) {
    if (!state.visible[i]) continue;
    const dx = d.xy[2 * i] - wx;
    const dy = d.xy[2 * i + 1] - wy;
    const dd = dx * dx + dy * dy;
    if (dd < bestD) {
      bestD = dd;
      best = i;
    }
  }
  return best;
}

function openAt(sx, sy) {
  const i = nearest(sx, sy, Math.max(6, state.data.radius + 3));
  if (i < 0) return;
  report({ event: "open", row: i });
}

let hoverFrame = 0;
$("#map").addEventListener("pointermove", (ev) => {
  if (hoverFrame || !state.data?.titles) return;
  hoverFrame = requestAnimationFrame(() => {
    hoverFrame = 0;
    const r = $("#map").getBoundingClientRect();
    const i = state.mode === "pan" ? nearest(ev.clientX - r.left, ev.clientY - r.top, 6) : -1;
    const tip = $("#tip");
    if (i < 0) return void (tip.style.display = "none");
    tip.textContent = state.data.titles[i];
    tip.style.display = "block";
    tip.style.transform = `translate(${ev.clientX - r.left + 12}px, ${ev.clientY - r.top + 12}px)`;
  });
});

function setMode(mode) {
  state.mode = mode;
  for (const b of document.querySelectorAll("[data-mode]")) b.classList.toggle("on", b.dataset.mode === mode);
  $("#draw").style.pointerEvents = mode === "pan" ? "none" : "auto";
  deck.setProps({ controller: { dragRotate: false, touchRotate: false, inertia: false, doubleClickZoom: false, dragPan: mode === "pan" } });
}
for (const b of document.querySelectorAll("[data-mode]")) b.onclick = () => setMode(b.dataset.mode);
$("#clear").onclick = () => {
  state.selected = [];
  state.shape = null;
  redraw();
  report({ event: "select" });
};

(function drawing() {
  const svg = $("#draw");
  let pts = null;
  const path = svg.querySelector("path");
  svg.onpointerdown = (ev) => {
    pts = [[ev.offsetX, ev.offsetY]];
    svg.setPointerCapture(ev.pointerId);
  };
  svg.onpointermove = (ev) => {
    if (!pts) return;
    if (state.mode === "box") pts = [pts[0], [ev.offsetX, ev.offsetY]];
    else pts.push([ev.offsetX, ev.offsetY]);
    path.setAttribute("d", svgPath(screenPolygon(pts)));
  };
  svg.onpointerup = () => {
    if (!pts) return;
    const poly = screenPolygon(pts);
    pts = null;
    path.setAttribute("d", "");
    if (poly.length < 3) return;
    const vp = viewport();
    select({ type: state.mode, points: poly.map((p) => vp.unproject(p).slice(0, 2)) }, true);
  };
})();

function screenPolygon(pts) {
  if (state.mode !== "box" || pts.length < 2) return pts;
  const [[x0, y0], [x1, y1]] = pts;
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
}

function svgPath(poly) {
  return poly.length ? `M${poly.map((p) => p.join(",")).join("L")}Z` : "";
}

// shape: {type, points: [[x, y], ...]} in map coordinates (what the URL keeps)
function select(shape, tell) {
  const d = state.data;
  const poly = shape.points;
  let [minx, miny, maxx, maxy] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of poly) [minx, miny, maxx, maxy] = [Math.min(minx, x), Math.min(miny, y), Math.max(maxx, x), Math.max(maxy, y)];
  const rows = [];
  for (let i = 0; i < d.n; i++) {
    const x = d.xy[2 * i];
    const y = d.xy[2 * i + 1];
    if (!state.visible[i] || x < minx || x > maxx || y < miny || y > maxy) continue;
    if (inside(poly, x, y)) rows.push(i);
  }
  state.selected = rows;
  state.shape = shape;
  redraw();
  if (tell || rows.length) report({ event: "select" });
}

// every value carries the selection, so Python keeps listing it after a click
function report(value) {
  setComponentValue({ ...value, rows: state.selected, shape: state.shape || null, dataKey: state.data?.key, nonce: ++state.nonce });
}

function inside(poly, x, y) {
  let inn = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inn = !inn;
  }
  return inn;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ------------------------------------------------------------------ the test hook

let frames = [];
(function tick(now) {
  frames.push(now);
  while (frames.length && frames[0] < now - 1000) frames.shift();
  hook.fps = frames.length;
  requestAnimationFrame(tick);
})(performance.now());

Object.defineProperties(hook, {
  // every point: its row in what Python sent, screen position in this frame, shown or not
  points: {
    get() {
      const d = state.data;
      if (!d) return [];
      const vp = viewport();
      return Array.from({ length: d.n }, (_, i) => {
        const [x, y] = vp.project([d.xy[2 * i], d.xy[2 * i + 1]]);
        return { row: i, x, y, topic: d.topic0[i], visible: !!state.visible[i], title: d.titles?.[i] };
      });
    },
  },
  visibleLabels: {
    get: () => state.labels.map((k) => ({ text: k.topic.label, level: k.topic.level, x: k.x, y: k.y, width: k.w, height: k.h })),
  },
  zoom: { get: () => state.view?.zoom },
  fitZoom: { get: () => state.fitZoom },
  level: { get: () => state.level },
  selection: { get: () => state.selected.slice() },
  timeRange: { get: () => timebar.range },
});
hook.setZoom = (zoom, target) => {
  state.view = { target: target || state.view.target, zoom };
  deck.setProps({ viewState: { ...state.view, minZoom: state.fitZoom - 2, maxZoom: state.fitZoom + 9 } });
  moved();
};
hook.setTimeRange = (range) => timebar.set(range);
hook.fit = () => (fit(), requestLabels());
hook.redraw = () => redraw();
hook.setPixels = (v) => deck.setProps({ useDevicePixels: v });
window.addEventListener("resize", () => state.data && requestLabels());
