// Replay: a past time window from the record (GET /v1/record), on the same map, with a time
// slider and play/pause at a chosen speed. What is replayed is what this party was shown then:
// its own aircraft (its reports), the alerts with their disclosed threats, distress, the line.
import { h, clear, hhmmss, utc, fl } from './util.js';

const R_NM = 3440.065;

export class Replay {
  constructor(S, el) {
    this.S = S;
    this.el = el;
    this.active = false;
    this.events = [];
    this.t = null;
    this.playing = false;
    this.speed = 10;
    this.build();
  }

  build() {
    const now = Date.now() / 1000;
    this.from = h('input', { class: 'replay-from', value: utc(now - 600).slice(0, 19).replace('T', ' ') });
    this.to = h('input', { class: 'replay-to', value: utc(now).slice(0, 19).replace('T', ' ') });
    this.slider = h('input', { type: 'range', class: 'replay-slider', min: 0, max: 1000, value: 0, disabled: true,
      oninput: () => this.seek(this.t0 + (this.t1 - this.t0) * (this.slider.value / 1000)) });
    this.playBtn = h('button', { class: 'replay-play', disabled: true, onclick: () => this.toggle() }, '▶ Play');
    this.speedSel = h('select', { class: 'replay-speed', onchange: () => { this.speed = Number(this.speedSel.value); } },
      [1, 2, 5, 10, 30, 60].map((s) => h('option', { value: s, selected: s === this.speed }, `${s}×`)));
    this.clock = h('div', { class: 'replay-clock' }, '—');
    this.log = h('ol', { class: 'replay-log' });
    this.msg = h('div', { class: 'replay-msg' });
    clear(this.el).append(
      h('div', { class: 'replay-window' },
        h('label', {}, 'From (UTC) ', this.from), h('label', {}, 'To (UTC) ', this.to),
        h('button', { class: 'replay-load', onclick: () => this.load() }, 'Load'),
        h('button', { class: 'replay-live', onclick: () => this.stop() }, 'Back to live')),
      this.msg,
      h('div', { class: 'replay-controls' }, this.playBtn, this.speedSel, this.clock),
      this.slider, this.log);
  }

  parse(text) {
    const t = Date.parse(text.trim().replace(' ', 'T').replace(/Z?$/, 'Z'));
    return Number.isFinite(t) ? t / 1000 : NaN;
  }

  async load() {
    const t0 = this.parse(this.from.value), t1 = this.parse(this.to.value);
    if (!(t0 < t1)) { this.msg.textContent = 'Give a window: From before To, as YYYY-MM-DD HH:MM:SS (UTC).'; return; }
    this.msg.textContent = 'Loading…';
    let events;
    try {
      // a window longer than the hub answers at once comes in parts: ask on after each one's cursor
      events = [];
      let after = '';
      for (;;) {
        const res = await this.S.api.get(`/v1/record?from=${t0}&to=${t1}` + (after ? `&after=${encodeURIComponent(after)}` : ''));
        events.push(...res.events);
        if (!res.truncated || !res.after || res.after === after) break;
        after = res.after;
        this.msg.textContent = `Loading… ${events.length} events so far`;
      }
      this.source = 'record';
    } catch (e) {
      if (e.status !== 404 && e.status !== 405) { this.msg.textContent = `Cannot load the record: ${e.message}`; return; }
      // hub without /v1/record yet: the same events, paged from this party's backlog
      events = [];
      let after = '';
      for (;;) {
        const res = await this.S.api.get('/v1/events?limit=1000' + (after ? `&after=${encodeURIComponent(after)}` : ''));
        if (!res.events.length) break;
        events.push(...res.events.filter((ev) => ev.at >= t0 && ev.at <= t1));
        after = res.events[res.events.length - 1].cursor;
        if (res.events.length < 1000 || res.events[res.events.length - 1].at > t1) break;
      }
      this.source = 'events';
    }
    this.events = events.slice().sort((a, b) => a.at - b.at);
    this.cur = null;
    this.t0 = t0; this.t1 = t1;
    this.active = true;
    this.slider.disabled = false; this.playBtn.disabled = false;
    document.body.classList.add('replaying');
    this.msg.textContent = `${this.events.length} events from ${utc(t0)} to ${utc(t1)}.`;
    this.seek(t0);
  }

  toggle() {
    this.playing = !this.playing;
    this.playBtn.textContent = this.playing ? '❚❚ Pause' : '▶ Play';
    if (this.playing) {
      let last = performance.now();
      const step = (now) => {
        if (!this.playing) return;
        const dt = (now - last) / 1000; last = now;
        const t = Math.min(this.t1, this.t + dt * this.speed);
        this.seek(t);
        if (t >= this.t1) { this.toggle(); return; }
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    }
  }

  stop() {
    this.playing = false;
    this.playBtn.textContent = '▶ Play';
    this.active = false;
    document.body.classList.remove('replaying');
    document.getElementById('replay-banner').hidden = true;
    this.S.map.setScene({ tracks: this.S.tracks, trails: this.S.trails, alerts: this.S.alerts, mode: 'live' });
  }

  // The picture as it was at time t (events up to t). Applied incrementally while time moves
  // forward (playing), rebuilt from the window's start when it moves back.
  stateAt(t) {
    let c = this.cur;
    if (!c || t < c.t) {
      c = this.cur = { t: -Infinity, idx: 0, own: new Map(), trails: new Map(), alerts: new Map(),
        distress: new Map(), snapshot: null, log: [] };
    }
    const { own, trails, alerts, distress, log } = c;
    while (c.idx < this.events.length && this.events[c.idx].at <= t) {
      const ev = this.events[c.idx++];
      const d = ev.data || {};
      if (ev.kind === 'report') {
        for (const r of d.reports || []) {
          own.set(r.id, { kind: 'own', ...r });
          let tr = trails.get(r.id); if (!tr) { tr = []; trails.set(r.id, tr); }
          tr.push([r.lat, r.lon]); if (tr.length > 30) tr.shift();
        }
      } else if (ev.kind === 'tracks') {
        c.snapshot = d.tracks || [];
      } else if (ev.kind === 'alert') {
        if (d.kind === 'cleared') alerts.delete(d.alert_id); else alerts.set(d.alert_id, { ...d, _at: ev.at });
        log.push(ev);
      } else if (ev.kind === 'advisory') {
        const a = alerts.get(d.alert_id);
        if (a) a.own = (a.own || []).map((o) => (o.id === d.aircraft ? { ...o, advisory: d } : o));
        log.push(ev);
      } else if (ev.kind === 'distress') {
        distress.set(d.distress_id, { ...d, _at: ev.at });
        log.push(ev);
      } else if (ev.kind === 'distress-closed') {
        distress.delete(d.distress_id);
        log.push(ev);
      } else if (ev.kind === 'track-lost') {
        own.delete(d.id);
      } else {
        log.push(ev);
      }
    }
    c.t = t;
    if (log.length > 200) log.splice(0, log.length - 100);
    const tracks = c.snapshot ? c.snapshot.filter((x) => x.kind !== 'own' && x.kind !== 'threat') : [];
    tracks.push(...own.values());
    for (const a of alerts.values()) {
      if (a.threat && a.threat.lat !== undefined && !a.threat.civil_id) {
        tracks.push({ ...a.threat, ...deadReckon(a.threat, t - a._at), kind: 'threat' });
      }
    }
    for (const d of distress.values()) {
      if (d.party !== this.S.party && d.position) tracks.push({ kind: 'distress', distress_id: d.distress_id, party: d.party, id: d.id, ...d.position });
    }
    return { tracks, trails: new Map(trails), alerts: [...alerts.values()], distress: [...distress.values()], log: log.slice() };
  }

  seek(t) {
    this.t = t;
    const st = this.stateAt(t);
    this.state = st;
    this.slider.value = String(Math.round(((t - this.t0) / (this.t1 - this.t0)) * 1000));
    this.clock.textContent = `${hhmmss(t)}Z`;
    const banner = document.getElementById('replay-banner');
    banner.hidden = false;
    banner.textContent = `REPLAY ${utc(t)} · ${st.tracks.length} aircraft · ${st.alerts.length} alerts`;
    this.S.map.setScene({ tracks: st.tracks, trails: st.trails, alerts: st.alerts, mode: 'replay' });
    clear(this.log);
    for (const ev of st.log.slice(-12).reverse()) this.log.append(h('li', {}, `${hhmmss(ev.at)}Z ${describe(ev)}`));
  }
}

function describe(ev) {
  const d = ev.data || {};
  switch (ev.kind) {
    case 'alert': return `alert ${d.kind} ${d.level}: ${(d.own || []).map((o) => o.id).join(', ')}`;
    case 'advisory': return `advisory ${d.aircraft}: ${d.reason}`;
    case 'distress': return `distress ${d.stage}: ${d.id} (${d.party}) ${d.reason}`;
    case 'distress-closed': return `distress ${d.distress_id} closed`;
    case 'ack': return `${d.by} acknowledged ${d.distress_id}`;
    case 'message': return `${d.from} → ${d.to} (${d.kind}): ${d.text}`;
    case 'receipt': return `${d.message_id} ${d.status} by ${d.by}`;
    default: return ev.kind;
  }
}

// Straight-line position of a disclosed threat *dt* seconds after it was shown (the record holds
// its state at alert events only).
function deadReckon(s, dt) {
  if (!(dt > 0) || !s.gs_kt) return {};
  const d = (s.gs_kt * dt) / 3600 / R_NM, p1 = (s.lat * Math.PI) / 180, l1 = (s.lon * Math.PI) / 180, b = (s.trk_deg * Math.PI) / 180;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return { lat: (p2 * 180) / Math.PI, lon: ((((l2 * 180) / Math.PI) + 540) % 360) - 180 };
}

export { fl };
