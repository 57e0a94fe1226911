// What tells a newcomer distances and where the map is: a scale bar in nautical miles, range rings
// (around the own aircraft the officer chose, else around the map centre) labelled in NM, a
// graticule labelled in degrees, and country names from the vendored Natural Earth base map. All
// drawn on one canvas between the base map and the traffic, from data served by the hub (offline).

const NICE_NM = [0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000];
const GRID_DEG = [0.25, 0.5, 1, 2, 5, 10, 15, 30];
const NM_M = 1852;

export class Overlays {
  constructor(trafficMap) {
    this.tm = trafficMap;
    this.map = trafficMap.map;
    this.places = [];  // [{name, lat, lon, size}] from the base map's countries
    this.ringsOn = null;  // id of the own aircraft the rings are around (null: the map centre)
    this.stats = {};
    this._pending = false;
    const c = document.createElement('canvas');
    c.className = 'overlay-canvas';
    this.map.getContainer().appendChild(c);
    this.canvas = c;
    this.map.on('move zoom resize viewreset', () => this.requestDraw());
  }

  // Country names at the centre of each country's largest polygon (land: GeoJSON FeatureCollection).
  setPlaces(land) {
    this.places = [];
    for (const f of land.features) {
      const name = f.properties && f.properties.name;
      const g = f.geometry;
      if (!name || !g) continue;
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
      let best = null;
      for (const poly of polys) {
        const c = centroid(poly[0]);
        if (c && (!best || c.area > best.area)) best = { ...c, ring: poly[0] };
      }
      if (!best) continue;
      const lons = best.ring.map((q) => q[0]), lats = best.ring.map((q) => q[1]);
      this.places.push({ name, lat: best.lat, lon: best.lon, size: best.area, ring: best.ring,
        bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)] });
    }
    this.places.sort((a, b) => b.size - a.size);  // big countries win the space
    this.requestDraw();
  }

  ringsAround(id) { this.ringsOn = id; this.requestDraw(); }

  requestDraw() {
    if (this._pending) return;
    this._pending = true;
    requestAnimationFrame(() => { this._pending = false; this.draw(); });
  }

  draw() {
    const map = this.map, size = map.getSize(), dpr = window.devicePixelRatio || 1, c = this.canvas;
    if (c.width !== size.x * dpr || c.height !== size.y * dpr) {
      c.width = size.x * dpr; c.height = size.y * dpr;
      c.style.width = size.x + 'px'; c.style.height = size.y + 'px';
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    const pt = (lat, lon) => map.latLngToContainerPoint([lat, lon]);
    this._graticule(ctx, size, pt);
    this._places(ctx, size, pt);
    this._rings(ctx, size, pt);
    this._scale(ctx, size);
  }

  _graticule(ctx, size, pt) {
    const b = this.map.getBounds();
    const perDeg = Math.abs(pt(0, 1).x - pt(0, 0).x);
    const step = GRID_DEG.find((d) => d * perDeg >= 90) || 30;
    ctx.strokeStyle = 'rgba(140,160,180,0.22)'; ctx.lineWidth = 1;
    ctx.fillStyle = 'rgba(160,180,200,0.7)'; ctx.font = '10px sans-serif';
    const lat0 = Math.max(-85, Math.floor(b.getSouth() / step) * step), lat1 = Math.min(85, b.getNorth());
    const lon0 = Math.floor(b.getWest() / step) * step, lon1 = b.getEast();
    ctx.beginPath();
    for (let lon = lon0; lon <= lon1; lon += step) {
      const x = pt(0, lon).x;
      ctx.moveTo(x, 0); ctx.lineTo(x, size.y);
    }
    for (let lat = lat0; lat <= lat1; lat += step) {
      const y = pt(lat, 0).y;
      ctx.moveTo(0, y); ctx.lineTo(size.x, y);
    }
    ctx.stroke();
    for (let lon = lon0; lon <= lon1; lon += step) {
      const x = pt(0, lon).x;
      if (x > 50 && x < size.x - 40) ctx.fillText(deg(lon, 'E', 'W', step), x + 3, 12);
    }
    for (let lat = lat0; lat <= lat1; lat += step) {
      const y = pt(lat, 0).y;
      if (y > 80 && y < size.y - 30) ctx.fillText(deg(lat, 'N', 'S', step), size.x - 52, y - 3);
    }
    this.stats.graticuleDeg = step;
  }

  _places(ctx, size, pt) {
    const zoom = this.map.getZoom(), b = this.map.getBounds();
    const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const shown = [], boxes = [];
    ctx.font = `${zoom >= 6 ? 13 : 11}px sans-serif`;
    ctx.fillStyle = 'rgba(190,200,210,0.55)';
    ctx.textAlign = 'center';
    for (const p of this.places) {
      // small countries only once zoomed in enough for their name to sit inside them
      if (p.size < 40 / Math.pow(2, zoom)) continue;
      const at = anchor(p, view);  // its centre, or a point of it in view when the centre is not
      if (!at) continue;
      const q = pt(at[1], at[0]);
      if (q.x < 0 || q.y < 0 || q.x > size.x || q.y > size.y) continue;
      const text = p.name.toUpperCase();
      const w = ctx.measureText(text).width + 6, h = 16;
      const box = { x: q.x - w / 2, y: q.y - h / 2, w, h };
      if (boxes.some((o) => box.x < o.x + o.w && o.x < box.x + box.w && box.y < o.y + o.h && o.y < box.y + box.h)) continue;
      boxes.push(box);
      ctx.fillText(text, q.x, q.y + 4);
      shown.push(p.name);
      if (shown.length >= 60) break;
    }
    ctx.textAlign = 'start';
    this.stats.places = shown;
  }

  _rings(ctx, size, pt) {
    let centre = null, around = 'map centre';
    if (this.ringsOn) {
      const t = (this.tm.scene.tracks || []).find((x) => x.kind === 'own' && x.id === this.ringsOn);
      if (t) { centre = [t.lat, t.lon]; around = t.id; }
    }
    if (!centre) { const c = this.map.getCenter(); centre = [c.lat, c.lng]; }
    const o = pt(centre[0], centre[1]);
    // px per NM along the meridian (1 NM is one minute of latitude)
    const pxPerNm = Math.abs(pt(centre[0] + 1 / 60, centre[1]).y - o.y);
    const step = NICE_NM.find((d) => d * pxPerNm >= 70) || 2000;
    const reach = Math.hypot(size.x, size.y);
    const rings = [];
    ctx.strokeStyle = 'rgba(120,200,160,0.35)'; ctx.lineWidth = 1; ctx.setLineDash([6, 5]);
    ctx.font = '10px sans-serif'; ctx.fillStyle = 'rgba(140,220,180,0.8)';
    for (let k = 1; k <= 8 && k * step * pxPerNm < reach; k++) {
      const r = k * step * pxPerNm;
      ctx.beginPath(); ctx.arc(o.x, o.y, r, 0, Math.PI * 2); ctx.stroke();
      ctx.fillText(`${fmt(k * step)} NM`, o.x + 3, o.y - r - 3);
      rings.push(k * step);
    }
    ctx.setLineDash([]);
    this.stats.rings = { around, stepNm: step, radiiNm: rings, px: pxPerNm * step };
  }

  _scale(ctx, size) {
    const y = size.y - 8, x0 = 12;
    const a = this.map.containerPointToLatLng([x0, y]), b = this.map.containerPointToLatLng([x0 + 100, y]);
    const nmPer100 = this.map.distance(a, b) / NM_M;
    const nm = [...NICE_NM].reverse().find((d) => (d / nmPer100) * 100 <= 160) || 0.5;
    const w = (nm / nmPer100) * 100;
    ctx.fillStyle = 'rgba(11,16,21,0.75)';
    ctx.fillRect(x0 - 6, y - 20, w + 70, 26);
    ctx.strokeStyle = '#d9e2ea'; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x0, y - 6); ctx.lineTo(x0, y); ctx.lineTo(x0 + w, y); ctx.lineTo(x0 + w, y - 6);
    ctx.moveTo(x0 + w / 2, y - 3); ctx.lineTo(x0 + w / 2, y); ctx.stroke();
    ctx.fillStyle = '#d9e2ea'; ctx.font = 'bold 11px sans-serif';
    ctx.fillText(`${fmt(nm)} NM`, x0 + w + 6, y - 1);
    ctx.font = '10px sans-serif'; ctx.fillStyle = 'rgba(140,220,180,0.9)';
    const r = this.stats.rings;
    if (r) ctx.fillText(`rings ${fmt(r.stepNm)} NM · ${r.around}`, x0, y - 10);
    this.stats.scale = { nm, px: w };
    // traffic labels keep off the scale bar and the graticule's labels when they can
    this.tm.reserved = [{ x: 0, y: y - 22, w: w + 80, h: 30 }, { x: 0, y: 0, w: size.x, h: 15 },
      { x: size.x - 56, y: 0, w: 56, h: size.y }];
  }
}

function fmt(nm) { return nm < 1 ? nm.toFixed(1) : String(Math.round(nm)); }

function deg(v, pos, neg, step) {
  const a = Math.abs(v), s = step < 1 ? a.toFixed(2).replace(/0$/, '') : String(Math.round(a));
  return `${s}°${v >= 0 ? pos : neg}`;
}

// Where to print a country's name in the view [w, s, e, n]: its centroid if in view and inside it,
// else the point of a 6×6 grid over the part of its bounding box in view that lies inside the
// country and nearest its centroid (null: not in view).
function anchor(p, view) {
  const [w, s, e, n] = view, bb = p.bbox;
  if (bb[2] < w || bb[0] > e || bb[3] < s || bb[1] > n) return null;
  const inView = (x, y) => x >= w && x <= e && y >= s && y <= n;
  if (inView(p.lon, p.lat) && inside(p.ring, p.lon, p.lat)) return [p.lon, p.lat];
  const x0 = Math.max(w, bb[0]), x1 = Math.min(e, bb[2]), y0 = Math.max(s, bb[1]), y1 = Math.min(n, bb[3]);
  let best = null, bd = Infinity;
  for (let i = 1; i <= 6; i++) {
    for (let j = 1; j <= 6; j++) {
      const x = x0 + ((x1 - x0) * i) / 7, y = y0 + ((y1 - y0) * j) / 7;
      const d = (x - p.lon) ** 2 + (y - p.lat) ** 2;
      if (d < bd && inside(p.ring, x, y)) { bd = d; best = [x, y]; }
    }
  }
  return best;
}

function inside(ring, x, y) {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

// Area-weighted centroid of a ring of [lon, lat] (planar, in degrees: good enough to put a name).
function centroid(ring) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j], [x1, y1] = ring[i];
    const f = x0 * y1 - x1 * y0;
    a += f; cx += (x0 + x1) * f; cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-9) return null;
  return { lon: cx / (3 * a), lat: cy / (3 * a), area: Math.abs(a / 2) };
}
