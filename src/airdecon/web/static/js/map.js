// The live map: Leaflet for the offline base map (Natural Earth, drawn on Leaflet's canvas
// renderer) and one canvas overlay of our own for traffic, redrawn at most once per animation
// frame however many updates arrive (batched), so thousands of aircraft stay smooth.
/* global L, topojson */
import { fl, trend, shortRef, LEVEL_RANK } from './util.js';
import { LabelPlacer, drawLabels } from './labels.js';

const LEVEL_COLOUR = { loss: '#ff2d55', warning: '#ff5e3a', caution: '#ffb020', advisory: '#f5e050' };
const OWN = '#38d9ff', CIVIL = '#8a96a3', DISTRESS = '#ff2020', REGAINED = '#3ddc84';

export class TrafficMap {
  constructor(el) {
    this.map = L.map(el, {
      preferCanvas: true, zoomControl: true, attributionControl: true,
      zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false,
      worldCopyJump: false, minZoom: 2, maxZoom: 13, zoomSnap: 0.25,
    }).setView([35, 38.5], 6);
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution('Natural Earth · Leaflet');
    this.scene = { tracks: [], trails: new Map(), alerts: [], selected: null, mode: 'live' };
    this.stats = { frames: 0, lastDrawMs: 0, drawn: 0, labels: 0, baseFeatures: 0 };
    this.flash = false;
    this._pending = false;
    this._hits = [];
    this.onSelect = null;
    this.labeller = new LabelPlacer();

    const c = document.createElement('canvas');
    c.className = 'traffic-canvas';
    el.appendChild(c);
    this.canvas = c;
    const redraw = () => this.requestDraw();
    this.map.on('move zoom resize viewreset', redraw);
    this.map.on('click', (e) => this._click(e));
    new ResizeObserver(() => { this.map.invalidateSize(); this.requestDraw(); }).observe(el);
    setInterval(() => {
      this.flash = !this.flash;
      if (this.scene.tracks.some((t) => t.kind === 'distress' || t.distress)) this.requestDraw();
    }, 450);
  }

  async loadBaseMap(url) {
    const topo = await (await fetch(url)).json();
    const obj = topo.objects.countries;
    const land = topojson.feature(topo, obj);
    const borders = topojson.mesh(topo, obj, (a, b) => a !== b);
    const renderer = L.canvas({ padding: 0.3 });
    L.geoJSON(land, { renderer, interactive: false,
      style: { stroke: false, fillColor: '#27323d', fillOpacity: 1 } }).addTo(this.map);
    L.geoJSON(borders, { renderer, interactive: false,
      style: { color: '#4e5d6c', weight: 0.8, opacity: 1, fill: false } }).addTo(this.map);
    this.stats.baseFeatures = land.features.length;
    this.land = land;  // for the place names (overlays.js)
  }

  setScene(scene) { Object.assign(this.scene, scene); this.requestDraw(); }

  requestDraw() {
    if (this._pending) return;
    this._pending = true;
    requestAnimationFrame(() => { this._pending = false; this.draw(); });
  }

  centre(lat, lon, zoom) {
    this.map.setView([lat, lon], Math.max(this.map.getZoom(), zoom || 8), { animate: false });
  }

  draw() {
    const t0 = performance.now();
    const size = this.map.getSize();
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    if (c.width !== size.x * dpr || c.height !== size.y * dpr) {
      c.width = size.x * dpr; c.height = size.y * dpr;
      c.style.width = size.x + 'px'; c.style.height = size.y + 'px';
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    const map = this.map;
    // Web Mercator by hand (what Leaflet's EPSG:3857 does), anchored on one point Leaflet projects:
    // no objects allocated per aircraft.
    const scale = 256 * Math.pow(2, map.getZoom());
    const merc = (lat, lon) => {
      const s = Math.sin((Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI) / 180);
      return [scale * (0.5 + lon / 360), scale * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI))];
    };
    const anchor = map.latLngToContainerPoint([0, 0]), m0 = merc(0, 0);
    const ox = anchor.x - m0[0], oy = anchor.y - m0[1];
    const px = (lat, lon) => { const q = merc(lat, lon); return { x: q[0] + ox, y: q[1] + oy }; };
    const inView = (p) => p.x > -40 && p.y > -40 && p.x < size.x + 40 && p.y < size.y + 40;
    const { tracks, trails, alerts, selected } = this.scene;
    const hits = [];
    let drawn = 0, labels = 0;
    const items = [], symbols = [];  // labels, placed together at the end (labels.js)
    const F10 = '10px sans-serif', B11 = 'bold 11px sans-serif';
    const byKind = { own: 0, civil: 0, threat: 0, distress: 0 };

    // trails of own aircraft
    ctx.lineWidth = 1.5;
    for (const [, trail] of trails) {
      if (trail.length < 2) continue;
      ctx.beginPath();
      for (let i = 0; i < trail.length; i++) {
        const p = px(trail[i][0], trail[i][1]);
        if (i === 0) ctx.moveTo(p.x, p.y); else ctx.lineTo(p.x, p.y);
      }
      ctx.strokeStyle = 'rgba(56,217,255,0.45)';
      ctx.stroke();
    }

    // civil traffic first (muted), all in one path per shape
    const civil = tracks.filter((t) => t.kind === 'civil');
    const involved = new Set();
    for (const a of alerts) if (a.threat && a.threat.civil_id) involved.add(a.threat.civil_id);
    // Filled in chunks: one path of thousands of sub-paths rasterises far slower (measured 78 ms
    // for 5000 in headless Chromium) than many small ones (under 10 ms).
    ctx.fillStyle = CIVIL;
    ctx.beginPath();
    const civilPts = [];
    for (const t of civil) {
      const p = px(t.lat, t.lon);
      if (!inView(p)) continue;
      arrowPath(ctx, p.x, p.y, t.trk_deg, 5);
      civilPts.push([t, p]);
      hits.push({ x: p.x, y: p.y, track: t });
      drawn++; byKind.civil++;
      if ((byKind.civil & 31) === 0) { ctx.fill(); ctx.beginPath(); }
    }
    ctx.fill();
    // labels only where they can be read: a few hundred in view at most
    if (civilPts.length <= 300) {
      const inDistress = new Set(tracks.filter((t) => t.kind === 'distress').map((t) => t.id));
      for (const [t, p] of civilPts) {
        symbols.push({ x: p.x, y: p.y, key: 'civil:' + t.id });
        if (inDistress.has(t.id)) continue;  // labelled MAYDAY below
        const ringed = involved.has(t.id);
        items.push({ key: 'civil:' + t.id, x: p.x, y: p.y, r: ringed ? 12 : 6, priority: ringed ? 3 : 5,
          droppable: !ringed, lines: [{ text: `${t.id} ${fl(t.alt_ft)}${trend(t.vs_fpm)}`, font: F10,
            colour: ringed ? '#e6ebf0' : 'rgba(170,180,190,0.85)' }] });
      }
    }
    for (const [t, p] of civilPts) {
      if (!involved.has(t.id)) continue;
      ring(ctx, p.x, p.y, 11, LEVEL_COLOUR[levelOfCivil(alerts, t.id)] || REGAINED, 2);
    }

    // conflict lines: own aircraft to the other aircraft, dashed to the predicted closest approach
    const byAlert = new Map(tracks.filter((t) => t.kind === 'threat').map((t) => [t.alert_id, t]));
    const ownById = new Map(tracks.filter((t) => t.kind === 'own').map((t) => [t.id, t]));
    for (const a of alerts) {
      const clearing = a.state === 'clearing';  // separation regained: no prediction to show
      const colour = clearing ? REGAINED : LEVEL_COLOUR[a.level] || LEVEL_COLOUR.advisory;
      const ends = (a.own || []).map((o) => ownById.get(o.id) || o);
      let other = byAlert.get(a.alert_id) || a.threat;
      if (a.threat && a.threat.civil_id) {
        const ct = civil.find((t) => t.id === a.threat.civil_id);
        if (ct) other = ct;
      }
      if (other && other.lat !== undefined) ends.push(other);
      if (ends.length < 2) continue;
      const p1 = px(ends[0].lat, ends[0].lon), p2 = px(ends[1].lat, ends[1].lon);
      ctx.strokeStyle = colour; ctx.lineWidth = a === selected ? 3 : 2; ctx.setLineDash([]);
      ctx.beginPath(); ctx.moveTo(p1.x, p1.y); ctx.lineTo(p2.x, p2.y); ctx.stroke();
      if (a.cpa && !clearing) {
        const q = px(a.cpa.lat, a.cpa.lon);
        ctx.setLineDash([4, 4]); ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(p1.x, p1.y); ctx.lineTo(q.x, q.y); ctx.moveTo(p2.x, p2.y); ctx.lineTo(q.x, q.y);
        ctx.stroke(); ctx.setLineDash([]);
        ctx.lineWidth = 2;
        ctx.beginPath(); ctx.moveTo(q.x - 5, q.y - 5); ctx.lineTo(q.x + 5, q.y + 5);
        ctx.moveTo(q.x + 5, q.y - 5); ctx.lineTo(q.x - 5, q.y + 5); ctx.stroke();
        items.push({ key: 'cpa:' + a.alert_id, x: q.x, y: q.y, r: 6, priority: 4, droppable: true,
          lines: [{ text: 'CPA', font: F10, colour }] });
      }
    }

    // disclosed threats: highlighted while their alert lasts (the hub only sends them then)
    const levelOf = new Map(alerts.map((a) => [a.alert_id, a.level]));
    for (const t of tracks) {
      if (t.kind !== 'threat') continue;
      const p = px(t.lat, t.lon);
      if (!inView(p)) continue;
      const colour = LEVEL_COLOUR[levelOf.get(t.alert_id)] || LEVEL_COLOUR.caution;
      ctx.fillStyle = colour;
      ctx.beginPath(); arrowPath(ctx, p.x, p.y, t.trk_deg, 8); ctx.fill();
      ring(ctx, p.x, p.y, 13, colour, 2);
      symbols.push({ x: p.x, y: p.y, key: 'threat:' + t.ref });
      items.push({ key: 'threat:' + t.ref, x: p.x, y: p.y, r: 14, priority: 1, background: true, lines: [
        { text: `${shortRef(t.ref)} ${fl(t.alt_ft)}`, font: B11, colour },
        { text: `${Math.round(t.gs_kt)} kt`, font: F10, colour }] });
      hits.push({ x: p.x, y: p.y, track: t });
      drawn++; byKind.threat++;
    }

    // own aircraft: symbol rotated by track, label with id, level, speed, vertical trend
    for (const t of tracks) {
      if (t.kind !== 'own') continue;
      const p = px(t.lat, t.lon);
      if (!inView(p)) continue;
      const sel = selected && selected.kind === 'own' && selected.id === t.id;
      ctx.fillStyle = OWN;
      ctx.beginPath(); arrowPath(ctx, p.x, p.y, t.trk_deg, 8); ctx.fill();
      if (sel) ring(ctx, p.x, p.y, 14, '#ffffff', 2);
      symbols.push({ x: p.x, y: p.y, key: 'own:' + t.id });
      items.push({ key: 'own:' + t.id, x: p.x, y: p.y, r: t.distress ? 20 : 10, priority: t.distress ? 0 : 2,
        background: true, lines: [
          ...(t.distress ? [{ text: `MAYDAY ${t.id}`, font: B11, colour: this.flash ? DISTRESS : '#ffd400' }] : []),
          { text: t.id, font: B11, colour: '#e6f7ff' },
          { text: `${fl(t.alt_ft)}${trend(t.vs_fpm)} ${Math.round(t.gs_kt)} kt`, font: F10, colour: OWN }] });
      hits.push({ x: p.x, y: p.y, track: t });
      drawn++; byKind.own++;
    }

    // aircraft in distress (another party's, or our own flagged by the console): flashing
    for (const t of tracks) {
      if (t.kind !== 'distress' && !t.distress) continue;
      const p = px(t.lat, t.lon);
      if (!inView(p)) continue;
      const on = this.flash;
      ring(ctx, p.x, p.y, on ? 20 : 15, on ? DISTRESS : '#ffd400', 3);
      if (t.kind === 'distress') {
        ctx.fillStyle = on ? DISTRESS : '#ffd400';
        ctx.beginPath(); arrowPath(ctx, p.x, p.y, t.trk_deg, 9); ctx.fill();
        symbols.push({ x: p.x, y: p.y, key: 'distress:' + t.id });
        items.push({ key: 'distress:' + t.id, x: p.x, y: p.y, r: 20, priority: 0, background: true,
          lines: [{ text: `MAYDAY ${t.id} ${fl(t.alt_ft)}`, font: B11, colour: on ? DISTRESS : '#ffd400' }] });
        hits.push({ x: p.x, y: p.y, track: t });
        drawn++; byKind.distress++;
      }
    }

    const placed = this.labeller.place(ctx, items, symbols, size, this.reserved || []);
    drawLabels(ctx, placed);
    labels = placed.length;
    this.stats.labelBoxes = placed.map((l) => ({ key: l.item.key, x: l.box.x, y: l.box.y, w: l.box.w, h: l.box.h,
      leader: l.leader, ax: l.item.x, ay: l.item.y }));
    this._hits = hits;
    this.stats.frames++;
    this.stats.drawn = drawn;
    this.stats.byKind = byKind;
    this.stats.labels = labels;
    this.stats.lastDrawMs = performance.now() - t0;
  }

  _click(e) {
    const p = e.containerPoint;
    let best = null, bd = 14 * 14;
    for (const hit of this._hits) {
      const d = (hit.x - p.x) ** 2 + (hit.y - p.y) ** 2;
      if (d < bd) { bd = d; best = hit; }
    }
    if (best && this.onSelect) this.onSelect(best.track, e.latlng);
  }
}

function levelOfCivil(alerts, id) {
  let best = null;
  for (const a of alerts) {
    if (a.state === 'clearing') continue;  // regained: drawn green unless another alert is current
    if (a.threat && a.threat.civil_id === id && (best === null || LEVEL_RANK[a.level] < LEVEL_RANK[best])) best = a.level;
  }
  return best;
}

// An arrowhead pointing along the track (degrees clockwise from north), added to the current path.
function arrowPath(ctx, x, y, trk, s) {
  const a = ((trk || 0) * Math.PI) / 180;
  const sin = Math.sin(a), cos = Math.cos(a);
  const pt = (dx, dy) => [x + dx * cos - dy * sin, y + dx * sin + dy * cos];
  const [ax, ay] = pt(0, -s), [bx, by] = pt(s * 0.7, s * 0.8), [cx, cy] = pt(0, s * 0.35), [dx, dy] = pt(-s * 0.7, s * 0.8);
  ctx.moveTo(ax, ay); ctx.lineTo(bx, by); ctx.lineTo(cx, cy); ctx.lineTo(dx, dy); ctx.closePath();
}

function ring(ctx, x, y, r, colour, w) {
  ctx.strokeStyle = colour; ctx.lineWidth = w;
  ctx.beginPath(); ctx.arc(x, y, r, 0, Math.PI * 2); ctx.stroke();
}
