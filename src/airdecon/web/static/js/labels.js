// Label placement for the traffic canvas, as radar displays do it: each label is tried at a ring of
// offsets around its aircraft, nearest first, and takes the first place where it overlaps no label
// already placed (and, if it can, no aircraft symbol); a label moved off its usual place is tied to
// its aircraft by a leader line. Labels are placed most important first (distress, threats, own,
// then civil), so a civil label gives way and is dropped rather than printed over another. A label
// keeps last frame's offset while that place stays free, so labels do not jump as the picture moves.

const LINE_H = 12, PAD = 2, CELL = 64;
// directions in screen radians (0: right, π/2: down), the usual upper-right place first
const DIRS = [-0.6, 0, 0.6, -Math.PI / 2, Math.PI / 2, Math.PI - 0.6, Math.PI, Math.PI + 0.6];
const STEPS = [0, 12, 26, 44, 66, 92, 124];

// A spatial hash of placed boxes: overlap tests look only at nearby cells.
class Grid {
  constructor() { this.cells = new Map(); }
  _keys(b) {
    const out = [];
    for (let i = Math.floor(b.x / CELL); i <= Math.floor((b.x + b.w) / CELL); i++) {
      for (let j = Math.floor(b.y / CELL); j <= Math.floor((b.y + b.h) / CELL); j++) out.push(i + ',' + j);
    }
    return out;
  }
  add(b) {
    for (const k of this._keys(b)) {
      let c = this.cells.get(k);
      if (!c) { c = []; this.cells.set(k, c); }
      c.push(b);
    }
  }
  hits(b) {
    let n = 0;
    const seen = new Set();
    for (const k of this._keys(b)) {
      for (const o of this.cells.get(k) || []) {
        if (seen.has(o) || o.owner === b.owner) continue;
        seen.add(o);
        if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) n++;
      }
    }
    return n;
  }
}

export class LabelPlacer {
  constructor() {
    this.last = new Map();  // key -> index of the candidate used last frame
    this.widths = new Map();  // font + text -> measured width (measureText is the slow part)
  }

  _width(ctx, ln) {
    const k = ln.font + '|' + ln.text;
    let w = this.widths.get(k);
    if (w === undefined) {
      if (this.widths.size > 5000) this.widths.clear();
      ctx.font = ln.font; w = ctx.measureText(ln.text).width;
      this.widths.set(k, w);
    }
    return w;
  }

  // items: [{key, x, y, r, lines: [{text, font, colour}], priority, droppable, background}]
  // symbols: [{x, y}] every aircraft symbol drawn (labels avoid covering them when they can).
  // Returns the placed labels: [{item, box: {x, y, w, h}, leader: bool}].
  // reserved: [{x, y, w, h}] screen areas other things print on (scale bar, graticule labels).
  place(ctx, items, symbols, size, reserved = []) {
    const boxes = new Grid(), marks = new Grid();
    for (const s of symbols) marks.add({ x: s.x - 6, y: s.y - 6, w: 12, h: 12, owner: s.key });
    for (const r of reserved) marks.add({ ...r, owner: null });
    const placed = [];
    const used = new Map();
    const sorted = [...items].sort((a, b) => a.priority - b.priority);
    for (const it of sorted) {
      let w = 0;
      for (const ln of it.lines) w = Math.max(w, this._width(ctx, ln));
      w = Math.ceil(w) + 2 * PAD;
      const hgt = it.lines.length * LINE_H + 2 * PAD;
      const cands = candidates(it, w, hgt, it.droppable ? 3 : STEPS.length);  // civil: near places only
      const prev = this.last.get(it.key);
      const order = prev !== undefined && prev < cands.length ? [prev, ...cands.keys()] : [...cands.keys()];
      let best = -1, bestCost = Infinity;
      for (const i of order) {
        const b = { ...cands[i], owner: it.key };
        if (boxes.hits(b)) continue;  // never over another label
        const off = b.x < 0 || b.y < 0 || b.x + b.w > size.x || b.y + b.h > size.y;
        const cost = marks.hits(b) * 4 + (off ? 2 : 0) + i * 0.01;
        if (cost < bestCost) { best = i; bestCost = cost; }
        if (cost < 1) break;
      }
      if (best < 0) {
        if (it.droppable) continue;  // civil labels give way
        // nowhere free on the rings: go further out along the first direction until free
        let k = 1, b;
        do { b = shift(cands[cands.length - DIRS.length], DIRS[0], 40 * k++); b.owner = it.key; } while (boxes.hits(b) && k < 60);
        cands.push(b); best = cands.length - 1;
      }
      const box = { ...cands[best], owner: it.key };
      boxes.add(box);
      used.set(it.key, best);
      placed.push({ item: it, box, leader: best >= DIRS.length || Math.hypot(box.cx - it.x, box.cy - it.y) > it.r + 24 });
    }
    this.last = used;
    return placed;
  }
}

function candidates(it, w, h, steps) {
  const out = [];
  for (const step of STEPS.slice(0, steps)) {
    const d = it.r + 3 + step;
    for (const a of DIRS) {
      const c = Math.cos(a), s = Math.sin(a);
      // the box's side facing the aircraft sits at distance d along the direction
      const x = it.x + d * c - (c < -0.3 ? w : c > 0.3 ? 0 : w / 2);
      const y = it.y + d * s - (s < -0.3 ? h : s > 0.3 ? 0 : h / 2);
      out.push({ x, y, w, h, cx: x + w / 2, cy: y + h / 2 });
    }
  }
  return out;
}

function shift(b, a, d) {
  const x = b.x + d * Math.cos(a), y = b.y + d * Math.sin(a);
  return { x, y, w: b.w, h: b.h, cx: x + b.w / 2, cy: y + b.h / 2 };
}

// Draw placed labels: a leader line from the aircraft to the nearest point of its box, a dark
// backing where asked, then the lines of text.
export function drawLabels(ctx, placed) {
  for (const { item, box, leader } of placed) {
    if (leader) {
      const nx = Math.max(box.x, Math.min(item.x, box.x + box.w));
      const ny = Math.max(box.y, Math.min(item.y, box.y + box.h));
      const d = Math.hypot(nx - item.x, ny - item.y) || 1;
      ctx.strokeStyle = item.lines[0].colour; ctx.lineWidth = 1; ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(item.x + ((nx - item.x) * item.r) / d, item.y + ((ny - item.y) * item.r) / d);
      ctx.lineTo(nx, ny); ctx.stroke();
    }
    if (item.background) {
      ctx.fillStyle = 'rgba(11,16,21,0.72)';
      ctx.fillRect(box.x, box.y, box.w, box.h);
    }
    item.lines.forEach((ln, i) => {
      ctx.font = ln.font; ctx.fillStyle = ln.colour;
      ctx.fillText(ln.text, box.x + PAD, box.y + PAD + (i + 1) * LINE_H - 3);
    });
  }
}
