// Planned operations on the console (issue 15): the party's own operations, every party's hazard
// areas (to acknowledge, like a safety notice), its notices with the clipped part of its own volume,
// its area alerts (the part of another's active volume its aircraft's path crosses, or another
// party's aircraft about to enter one of its volumes) and conformance notices — listed in the
// "Plans" tab and drawn on the map in a Leaflet layer of their own, under the traffic.
// A notice against a named party can be answered on the line: "Ask PARTY…" sends a request linked
// to it (POST /v1/messages with fields.notice_id); a request about one of our notices, from the
// line (S.line), is shown on that notice ("Request about notice N-…"): the hub links it to our own
// notice ids, never the other party's.
// The hub decides what each party may see; this module only shows what it is given.
/* global L */
import { h, clear, fl, utc, dur, latlon } from './util.js';

const REFRESH_MS = 2000;
const NM = 1852;
const STYLE = {
  own: { color: '#38d9ff', weight: 1.5, dashArray: '6 4', fillOpacity: 0.05 },
  ownActive: { color: '#38d9ff', weight: 2, fillOpacity: 0.08 },
  hazard: { color: '#ff9f1a', weight: 2, fillColor: '#ff9f1a', fillOpacity: 0.18 },
  notice: { color: '#f5e050', weight: 2, fillColor: '#f5e050', fillOpacity: 0.35 },
  crossed: { color: '#ff4fd8', weight: 2, fillColor: '#ff4fd8', fillOpacity: 0.35 },
};
const CSS = `
.plans h3 { margin: 8px 0 4px; font-size: 13px; color: var(--muted); font-weight: normal; text-transform: uppercase; letter-spacing: .04em; }
.plan-item { background: #1c2833; border-left: 4px solid #38d9ff; margin: 4px 0; padding: 4px 8px; border-radius: 3px; cursor: pointer; }
.plan-item.hazard { border-color: #ff9f1a; } .plan-item.hazard.unacked { background: #3a2a00; }
.plan-item.notice { border-color: #f5e050; } .plan-item.area-alert { border-color: #ff4fd8; }
.plan-item.conformance { border-color: var(--warning); }
.plan-item .sub { color: var(--muted); font-size: 12px; }
.plan-item .ack-hazard { margin-top: 3px; }
.plan-item .notice-request { margin-top: 3px; padding: 2px 6px; background: #2b2a10; border-radius: 3px; font-size: 12px; }
.plan-item .notice-ask { margin-top: 3px; display: flex; gap: 4px; flex-wrap: wrap; }
.plan-item .notice-ask input { flex: 1; min-width: 120px; }
`;
const ASKS = { amend: 'amend your plan', hold: 'hold', 'confirm-timing': 'confirm the timing' };
const HIDDEN = 'another party';  // the protocol hides the other party: no request can be linked

function ring(poly) { return poly.map(([lat, lon]) => [lat, lon]); }
function window_(v) { return `${utc(v.start).slice(5, 16)}–${utc(v.end).slice(11, 16)}Z`; }
function band(v) { return `${fl(v.alt_lower_ft)}–${fl(v.alt_upper_ft)}`; }

export class Plans {
  constructor(S, el) {
    this.S = S;
    this.el = el;
    this.operations = [];
    this.notices = [];
    this.conformance = [];
    this.areaAlerts = [];
    this.error = null;
    this.layer = L.layerGroup().addTo(S.map.map);
    this.acking = new Set();
    this.asking = null;  // the notice whose request form is open
    if (!document.getElementById('plans-style')) {
      document.head.append(h('style', { id: 'plans-style' }, CSS));
    }
    this.load();
  }

  // ---------------------------------------------------------------- data
  async load() {
    clearTimeout(this.timer);
    try {
      const [ops, notices, alerts] = await Promise.all([
        this.S.api.get('/v1/operations'), this.S.api.get('/v1/notices'), this.S.api.get('/v1/area-alerts')]);
      this.operations = ops.operations || [];
      this.notices = notices.notices || [];
      this.conformance = notices.conformance || [];
      this.areaAlerts = alerts.area_alerts || [];
      this.error = null;
    } catch (e) {
      this.error = e.message;
    }
    this.draw();
    this.render();
    this.timer = setTimeout(() => this.load(), REFRESH_MS);
  }

  onEvent(ev, live) {
    if (live && ['operation', 'notice', 'area-alert', 'conformance', 'hazard-ack'].includes(ev.kind)) {
      clearTimeout(this.soon);
      this.soon = setTimeout(() => this.load(), 100);
    }
  }

  onMessage(ev, live) {
    const f = (ev.data || {}).fields || {};
    if (live && (f.notices || f.notice_id)) this.render();
  }

  mine(op) { return op.party === this.S.party; }

  // line requests about notice *n*: ours (fields.notice_id) and theirs (linked to it in fields.notices)
  requests(n) {
    const out = [];
    for (const m of (this.S.line && this.S.line.messages ? this.S.line.messages.values() : [])) {
      const d = m.data || {}, f = d.fields || {};
      if (d.kind !== 'request') continue;
      if (d.from === this.S.party ? f.notice_id === n.notice_id : (f.notices || []).some((x) => x.notice_id === n.notice_id)) out.push(d);
    }
    return out;
  }

  askForm(n) {  // kept while open: the tab is drawn again every 2 s
    if (this.form && this.form.id === n.notice_id) return this.form.el;
    const ask = h('select', { class: 'ask-kind' }, Object.entries(ASKS).map(([k, w]) => h('option', { value: k }, w)));
    const text = h('input', { class: 'ask-text', placeholder: `Request to ${n.with}`, value: '' });
    const err = h('span', { class: 'error ask-error' });
    const send = async (btn) => {
      const words = text.value.trim() || `Request: ${ASKS[ask.value]} (notice ${n.notice_id}).`;
      btn.disabled = true;
      try {
        await this.S.api.post('/v1/messages', { to: n.with, kind: 'request', text: words, fields: { notice_id: n.notice_id, ask: ask.value } });
        this.asking = null;
        this.form = null;
        this.render();
      } catch (e) {
        btn.disabled = false;
        err.textContent = `Not sent: ${e.message}`;
      }
    };
    const el = h('div', { class: 'notice-ask', onclick: (e) => e.stopPropagation() }, ask, text,
      h('button', { class: 'ask-send', onclick: (e) => send(e.target) }, 'Send request'), err);
    this.form = { id: n.notice_id, el };
    return el;
  }
  unacked() { return this.operations.filter((o) => o.public && !this.mine(o) && o.acknowledged === false && ['planned', 'active'].includes(o.state)); }

  async acknowledge(op, btn) {
    btn.disabled = true;
    btn.textContent = 'Acknowledging…';
    try {
      await this.S.api.post(`/v1/operations/${encodeURIComponent(op.operation)}/ack`, { party: op.party });
      op.acknowledged = true;
      this.render();
    } catch (e) {
      btn.disabled = false;
      btn.textContent = `Acknowledge failed (${e.message}) — retry`;
    }
  }

  // ---------------------------------------------------------------- the map
  shapes(area, style, tip) {
    const out = [];
    if (!area) return out;
    const opts = { ...style, interactive: false };
    if (area.circle) out.push(L.circle([area.circle.lat, area.circle.lon], { ...opts, radius: area.circle.radius_nm * NM }));
    for (const poly of area.polygon ? [area.polygon] : area.polygons || []) out.push(L.polygon(ring(poly), opts));
    for (const s of out) { if (tip) s.bindTooltip(tip, { sticky: true }); this.layer.addLayer(s); }
    return out;
  }

  draw() {
    this.layer.clearLayers();
    this.drawn = { own: 0, hazard: 0, notice: 0, crossed: 0 };
    for (const op of this.operations) {
      if (!['planned', 'active'].includes(op.state)) continue;
      const kind = op.public ? 'hazard' : 'own';
      const style = op.public ? STYLE.hazard : op.state === 'active' ? STYLE.ownActive : STYLE.own;
      for (const v of op.volumes || []) this.drawn[kind] += this.shapes(v, style, `${op.operation} (${op.party})`).length;
    }
    for (const n of this.notices) {
      for (const p of n.parts || []) this.drawn.notice += this.shapes(p, STYLE.notice, `notice: ${n.operation} / ${n.with}`).length;
    }
    for (const a of this.areaAlerts) {
      if (a.role === 'aircraft' && a.area && !a.hazard) this.drawn.crossed += this.shapes(a.area, STYLE.crossed, a.text).length;
      if (a.role === 'area' && a.at) {
        this.layer.addLayer(L.circleMarker([a.at.lat, a.at.lon], { radius: 6, color: '#ff4fd8', weight: 2, fill: false, interactive: false }));
        this.drawn.crossed += 1;
      }
    }
  }

  fit(areas) {
    const pts = [];
    for (const a of areas) {
      if (!a) continue;
      if (a.circle) { const d = a.circle.radius_nm / 60; pts.push([a.circle.lat - d, a.circle.lon - d], [a.circle.lat + d, a.circle.lon + d]); }
      for (const poly of a.polygon ? [a.polygon] : a.polygons || []) pts.push(...poly);
      if (a.lat !== undefined) pts.push([a.lat, a.lon]);
    }
    if (!pts.length) return;
    this.S.fitted = true;
    this.S.map.map.fitBounds(pts, { padding: [40, 40], maxZoom: 9 });
  }

  // ---------------------------------------------------------------- the tab
  render() {
    const badge = document.getElementById('plans-unacked');
    const n = this.unacked().length + this.notices.length + this.conformance.length + this.areaAlerts.length;
    if (badge) { badge.hidden = n === 0; badge.textContent = String(n); }
    if (this.S.tab !== 'plans') return;
    if (this.asking && document.activeElement && document.activeElement.closest && document.activeElement.closest('.notice-ask')) return;  // not while typing
    const el = clear(this.el);
    el.classList.add('plans');
    if (this.error) el.append(h('div', { class: 'error' }, `Cannot read the plans: ${this.error}`));
    const now = Date.now() / 1000;
    const hazards = this.operations.filter((o) => o.public && ['planned', 'active'].includes(o.state));
    const own = this.operations.filter((o) => this.mine(o) && !o.public);

    el.append(h('h3', {}, `Area alerts (${this.areaAlerts.length})`));
    if (!this.areaAlerts.length) el.append(h('div', { class: 'empty' }, 'No aircraft predicted into an active area.'));
    for (const a of this.areaAlerts) {
      const inS = Math.max(0, Math.round(a.enter_at - now));
      const area = a.role === 'aircraft' ? `${a.hazard ? 'hazard area ' + a.operation : 'an active area'} of ${a.with}` : a.operation;
      const when = inS > 0 ? `will enter ${area} in ${dur(inS)}` : `is inside ${area}`;
      const words = a.role === 'aircraft' ? `${a.aircraft} ${when}`
        : `an aircraft of ${a.party} (${String(a.aircraft).replace(/^threat:/, '')}) ${when}`;
      const sub = a.role === 'aircraft' && a.area
        ? `crossing ${band(a.area)} · inside ${dur(Math.max(0, (a.exit_at || a.enter_at) - a.enter_at))}`
        : a.at ? `at ${latlon(a.at.lat, a.at.lon)} ${fl(a.at.alt_ft)}` : '';
      el.append(h('div', { class: 'plan-item area-alert', dataset: { areaAlertId: a.area_alert_id },
        onclick: () => this.fit([a.area, a.at]) }, h('div', {}, h('b', {}, 'AREA '), words), h('div', { class: 'sub' }, sub)));
    }

    el.append(h('h3', {}, `Notices (${this.notices.length + this.conformance.length})`));
    if (!this.notices.length && !this.conformance.length) el.append(h('div', { class: 'empty' }, 'No notice: your plans keep the minima.'));
    for (const n of this.notices) {
      const m = n.minima || {};
      el.append(h('div', { class: 'plan-item notice', dataset: { noticeId: n.notice_id }, onclick: () => this.fit(n.parts) },
        h('div', {}, h('b', {}, n.operation), ` comes within the minima of ${n.with}'s plan`),
        h('div', { class: 'sub' }, (n.parts || []).map((p) => `${band(p)} ${window_(p)}`).join(' · '),
          ` · minima ${m.horizontal_nm} NM / ${m.vertical_ft} ft / ${Math.round((m.buffer_s || 0) / 60)} min`),
        this.requests(n).map((d) => h('div', { class: 'notice-request', dataset: { messageId: d.message_id } },
          d.from === this.S.party ? `You asked ${d.to}` : `Request about notice ${n.notice_id} from ${d.from}`,
          d.fields.ask ? `: ${ASKS[d.fields.ask] || d.fields.ask}` : '', ` — ${d.text}`)),
        n.with === HIDDEN ? null : this.asking === n.notice_id ? this.askForm(n)
          : h('button', { class: 'ask-notice', onclick: (e) => { e.stopPropagation(); this.asking = n.notice_id; this.render(); } }, `Ask ${n.with}…`)));
    }
    for (const c of this.conformance) {
      el.append(h('div', { class: 'plan-item conformance', onclick: () => c.at && this.fit([c.at]) },
        h('div', {}, h('b', {}, c.aircraft), ` has left ${c.operation}`),
        h('div', { class: 'sub' }, c.at ? `${latlon(c.at.lat, c.at.lon)} ${fl(c.at.alt_ft)}` : '')));
    }

    el.append(h('h3', {}, `Hazard areas (${hazards.length})`));
    if (!hazards.length) el.append(h('div', { class: 'empty' }, 'No hazard area declared.'));
    for (const o of hazards) {
      const needs = !this.mine(o) && o.acknowledged === false;
      const contacts = (o.contacts || []).map((c) => `${c.name} ${c.phone || ''}`).join(', ');
      el.append(h('div', { class: 'plan-item hazard' + (needs ? ' unacked' : ''), dataset: { operation: o.operation, party: o.party },
        onclick: () => this.fit(o.volumes) },
        h('div', {}, h('b', {}, o.operation), ` (${o.party}) ${o.purpose || ''}`),
        h('div', { class: 'sub' }, (o.volumes || []).map((v) => `${band(v)} ${window_(v)}`).join(' · ')),
        contacts ? h('div', { class: 'sub' }, `contact: ${contacts}`) : null,
        this.mine(o) ? h('div', { class: 'sub' }, `acknowledged by ${(o.acknowledged_by || []).join(', ') || 'nobody yet'}`)
          : needs ? h('button', { class: 'ack-hazard', onclick: (e) => { e.stopPropagation(); this.acknowledge(o, e.target); } }, `Acknowledge ${o.operation}`)
            : h('div', { class: 'sub' }, 'Acknowledged by you')));
    }

    el.append(h('h3', {}, `Your operations (${own.length})`));
    if (!own.length) el.append(h('div', { class: 'empty' }, 'No operation filed (airdecon plan file FILE).'));
    for (const o of own) {
      el.append(h('div', { class: 'plan-item own', dataset: { operation: o.operation }, onclick: () => this.fit(o.volumes) },
        h('div', {}, h('b', {}, o.operation), ` ${o.state} · version ${o.version}`, o.purpose ? ` · ${o.purpose}` : ''),
        h('div', { class: 'sub' }, (o.volumes || []).map((v) => `${band(v)} ${window_(v)}`).join(' · ')),
        (o.aircraft || []).length ? h('div', { class: 'sub' }, `aircraft ${o.aircraft.join(', ')}`) : null));
    }
  }
}
