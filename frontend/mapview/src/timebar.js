// The time control: items per year (an item dated as a range counts in every year it
// spans; captured and inferred dates alike), a brush over it, a play button that walks
// year by year, and whether undated items show.

export class TimeBar {
  // root: element to fill; t0/t1: Float32Array of fractional years (NaN = undated)
  constructor(root, onChange) {
    this.onChange = onChange;
    this.range = null; // [lo, hi) in years, null = all time
    this.showUndated = true;
    this.timer = null;
    this.root = root;
    root.innerHTML = `
      <button class="tb-play" title="Play: walk through the years">▶</button>
      <canvas class="tb-hist" height="34"></canvas>
      <span class="tb-none">No item has a date (captured or inferred), so there is no time line.</span>
      <span class="tb-text"></span>
      <label class="tb-undated"><input type="checkbox" checked> undated</label>
      <button class="tb-all" title="All dates">all</button>`;
    this.canvas = root.querySelector(".tb-hist");
    this.text = root.querySelector(".tb-text");
    this.play = root.querySelector(".tb-play");
    this.undated = root.querySelector(".tb-undated input");
    this.play.onclick = () => (this.timer ? this.stop() : this.start());
    root.querySelector(".tb-all").onclick = () => this.set(null);
    this.undated.onchange = () => {
      this.showUndated = this.undated.checked;
      this.onChange();
    };
    this.brush();
  }

  setData(t0, t1) {
    let lo = Infinity;
    let hi = -Infinity;
    this.dated = 0;
    for (let i = 0; i < t0.length; i++) {
      if (Number.isNaN(t0[i])) continue;
      lo = Math.min(lo, t0[i]);
      hi = Math.max(hi, t1[i]);
      this.dated++;
    }
    this.undatedCount = t0.length - this.dated;
    this.span = this.dated ? [Math.floor(lo), Math.floor(hi) + 1] : [2000, 2001];
    this.root.classList.toggle("nodates", !this.dated);
    const years = this.span[1] - this.span[0];
    this.counts = new Float64Array(years);
    for (let i = 0; i < t0.length; i++) {
      if (Number.isNaN(t0[i])) continue;
      const a = Math.floor(t0[i]) - this.span[0];
      const b = Math.min(years - 1, Math.floor(t1[i]) - this.span[0]);
      for (let y = a; y <= b; y++) this.counts[y] += 1;
    }
    this.draw();
  }

  // whether an item dated [a, b] (NaN = undated) is inside the current range
  admits(a, b) {
    if (Number.isNaN(a)) return this.showUndated;
    return !this.range || (b >= this.range[0] && a < this.range[1]);
  }

  set(range) {
    this.range = range;
    if (!range) this.stop();
    this.draw();
    this.onChange();
  }

  start() {
    let year = this.range ? Math.floor(this.range[0]) : this.span[0];
    if (year >= this.span[1] - 1) year = this.span[0];
    this.play.textContent = "❚❚";
    const step = () => {
      this.range = [year, year + 1];
      this.draw();
      this.onChange();
      year += 1;
      if (year >= this.span[1]) this.stop();
    };
    step();
    this.timer = setInterval(step, 900);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.play.textContent = "▶";
  }

  brush() {
    let from = null;
    const yearAt = (ev) => {
      const r = this.canvas.getBoundingClientRect();
      const f = Math.max(0, Math.min(1, (ev.clientX - r.left) / r.width));
      return this.span[0] + f * (this.span[1] - this.span[0]);
    };
    this.canvas.onpointerdown = (ev) => {
      this.stop();
      from = yearAt(ev);
      this.canvas.setPointerCapture(ev.pointerId);
    };
    this.canvas.onpointermove = (ev) => {
      if (from === null) return;
      const to = yearAt(ev);
      this.range = [Math.floor(Math.min(from, to)), Math.floor(Math.max(from, to)) + 1];
      this.draw();
      this.onChange();
    };
    this.canvas.onpointerup = (ev) => {
      if (from !== null && Math.abs(yearAt(ev) - from) < 1e-9) {
        const y = Math.floor(from); // a click picks one year
        this.range = [y, y + 1];
        this.draw();
        this.onChange();
      }
      from = null;
    };
  }

  draw() {
    const c = this.canvas;
    const w = (c.width = Math.max(60, c.clientWidth));
    const h = c.height;
    const g = c.getContext("2d");
    g.clearRect(0, 0, w, h);
    if (!this.counts) return;
    const years = this.counts.length;
    const max = Math.max(1, ...this.counts);
    const bw = w / years;
    for (let y = 0; y < years; y++) {
      const yr = this.span[0] + y;
      const on = !this.range || (yr + 1 > this.range[0] && yr < this.range[1]);
      g.fillStyle = on ? "rgba(49,51,63,0.55)" : "rgba(49,51,63,0.15)";
      const bh = Math.max(1, ((h - 12) * this.counts[y]) / max);
      g.fillRect(y * bw + 0.5, h - 12 - bh, Math.max(1, bw - 1), bh);
    }
    g.fillStyle = "rgba(49,51,63,0.8)";
    g.font = "10px system-ui, sans-serif";
    const every = Math.max(1, Math.ceil(years / Math.max(1, w / 42)));
    for (let y = 0; y < years; y += every) g.fillText(String(this.span[0] + y), y * bw + 1, h - 1);
    const r = this.range;
    this.text.textContent = r
      ? r[1] - r[0] === 1
        ? `${r[0]}`
        : `${r[0]}–${r[1] - 1}`
      : `${this.span[0]}–${this.span[1] - 1}`;
  }
}
