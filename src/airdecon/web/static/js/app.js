// The console: sign-in, the live picture (map + alerts), distress, and the tabs (line, protocol,
// replay, disclosures). State lives in one object, exposed as window.airdecon for tests and for the curious.
import { Api, Stream } from './api.js';
import { TrafficMap } from './map.js';
import { Line } from './line.js';
import { ProtocolPane } from './protocol.js';
import { Plans } from './operations.js';
import { Replay } from './replay.js';
import { Ledger } from './ledger.js';
import { HeadKeeper } from './heads.js';
import { Overlays } from './overlays.js';
import { Sound } from './sound.js';
import { cardContent, updateMore } from './cards.js';
import { h, clear, LEVEL_RANK, fl, trend, dur, latlon, hhmmss } from './util.js';

const TRAIL_POINTS = 30;
const $ = (id) => document.getElementById(id);

const S = {
  party: null, api: null, stream: null, map: null,
  connection: 'signed out', live: false, hubT: null,
  tracks: [], trails: new Map(), lastTrailT: new Map(), alerts: [],
  distress: new Map(), events: 0, errors: [],
};
window.airdecon = S;
window.addEventListener('error', (e) => S.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => S.errors.push(String(e.reason && e.reason.message || e.reason)));

// ------------------------------------------------------------------ sign-in
function credentialsFromFragment() {
  const q = new URLSearchParams(location.hash.replace(/^#/, ''));
  return { party: q.get('party'), token: q.get('token') };
}

async function signIn(party, token) {
  const api = new Api(token);
  const msg = $('signin-error');
  msg.textContent = '';
  let tracks;
  try {
    tracks = await api.get('/v1/tracks');
  } catch (e) {
    msg.textContent = e.status === 401 ? 'Credentials refused by the hub.' : `Cannot reach the hub: ${e.message}`;
    $('signin').hidden = false;
    return;
  }
  if (party && tracks.party !== party) {
    msg.textContent = `This token belongs to another party than ${party}.`;
    $('signin').hidden = false;
    return;
  }
  sessionStorage.setItem('airdecon.cred', JSON.stringify({ party: tracks.party, token }));
  history.replaceState(null, '', location.pathname);  // the token leaves the address bar
  S.party = tracks.party;
  S.api = api;
  $('signin').hidden = true;
  $('console').hidden = false;
  document.title = `airdecon · ${S.party}`;
  $('party-name').textContent = S.party;
  start(tracks);
}

function signOut() {
  sessionStorage.removeItem('airdecon.cred');
  location.reload();
}

// ------------------------------------------------------------------ start
async function start(firstTracks) {
  S.map = new TrafficMap($('map'));
  S.map.onSelect = showTrack;
  S.map.map.on('dragstart', () => { S.fitted = true; });
  S.overlays = new Overlays(S.map);
  S.sound = new Sound($('sound-slot'));
  S.map.loadBaseMap('/static/vendor/natural-earth/countries-50m.json')
    .then(() => { S.overlays.setPlaces(S.map.land); S.baseMap = 'drawn'; S.map.requestDraw(); })
    .catch((e) => { S.baseMap = 'failed: ' + e.message; });
  S.line = new Line(S, $('line'));
  S.protocol = new ProtocolPane(S, $('protocol'));
  S.replay = new Replay(S, $('replay'));
  S.ledger = new Ledger(S, $('ledger-rows'));
  S.heads = new HeadKeeper(S, S.party, $('heads-kept'));
  S.heads.render();
  S.plans = new Plans(S, $('plans'));
  setupTabs();
  const list = $('alert-list'), more = $('alert-more');
  list.addEventListener('scroll', () => updateMore(list, more));
  window.addEventListener('resize', () => requestAnimationFrame(() => updateMore(list, more)));  // and at each poll
  more.addEventListener('click', () => list.scrollBy({ top: list.clientHeight * 0.8 }));
  applyTracks(firstTracks, true);
  S.stream = new Stream(S.api.token, {
    onEvent, onLive, onHead: (m) => S.heads.add(m), onState: (s) => { S.connection = s; renderStatus(); },
    onFatal: () => { S.connection = 'credentials refused'; renderStatus(); },
    onReset: () => { S.distress.clear(); S.line.reset(); },
    start: loadState,
  });
  S.stream.open();
  pollTracks();
  pollAlerts();
  setInterval(tick, 1000);
}

// What the console shows at load (and after the hub refused its cursor) is read from the hub's
// current state, not rebuilt by replaying its whole history: the open distress cases and the line.
// The distress list's cursor was taken before the cases were read: the stream resumes there, so
// nothing after it is missed (an event already reflected may come again; merging it changes nothing).
async function loadState() {
  const res = await S.api.get('/v1/distress');
  S.distress.clear();
  for (const d of res.distress) {
    S.distress.set(d.distress_id, { ...d, closed: false, resends: d.stage === 'raised' ? 0 : null });
  }
  renderDistress();
  await S.line.load();
  return res.cursor;
}

function tick() {
  renderStatus();
  renderDistress();
}

// ------------------------------------------------------------------ tracks
async function pollTracks() {
  try {
    applyTracks(await S.api.get('/v1/tracks'), false);
  } catch (e) { S.lastError = e.message; }
  setTimeout(pollTracks, 1000);
}

function applyTracks(res, first) {
  S.hubT = res.t;
  const tracks = res.tracks;
  const openOwn = new Set([...S.distress.values()].filter((d) => !d.closed && d.party === S.party).map((d) => d.id));
  for (const t of tracks) {
    if (t.kind === 'own') {
      if (openOwn.has(t.id)) t.distress = true;
      pushTrail(t.id, t.lat, t.lon, t.t);
    }
  }
  const alive = new Set(tracks.filter((t) => t.kind === 'own').map((t) => t.id));
  for (const id of S.trails.keys()) if (!alive.has(id)) S.trails.delete(id);
  S.tracks = tracks;
  if (!S.fitted && tracks.length) fitTo(tracks);
  pushScene();
}

function pushTrail(id, lat, lon, t) {
  const last = S.lastTrailT.get(id);
  if (last !== undefined && t <= last) return;
  S.lastTrailT.set(id, t);
  let trail = S.trails.get(id);
  if (!trail) { trail = []; S.trails.set(id, trail); }
  trail.push([lat, lon]);
  if (trail.length > TRAIL_POINTS) trail.splice(0, trail.length - TRAIL_POINTS);
}

function fitTo(tracks) {
  const pts = tracks.map((t) => [t.lat, t.lon]);  // own aircraft with the traffic around them
  if (!pts.length) return;
  S.map.map.invalidateSize();  // the console was hidden until now: let Leaflet measure it
  S.map.map.fitBounds(pts, { padding: [40, 40], maxZoom: 8 });
  S.fitted = true;
}

function pushScene() {
  if (S.replay && S.replay.active) return;
  S.map.setScene({ tracks: S.tracks, trails: S.trails, alerts: S.alerts, mode: 'live' });
  S.overlays.requestDraw();
  renderCounts();
}

function showTrack(t, latlng) {
  let text;
  if (t.kind === 'own') S.overlays.ringsAround(t.id);
  if (t.kind === 'own') text = [`${t.id} (own)`, `${fl(t.alt_ft)} ${trend(t.vs_fpm)} ${Math.round(t.vs_fpm || 0)} fpm`,
    `${Math.round(t.gs_kt)} kt, track ${Math.round(t.trk_deg)}°`, t.squawk ? `squawk ${t.squawk}` : ''];
  else if (t.kind === 'civil') text = [`${t.id} (civil)`, t.callsign || '', `${fl(t.alt_ft)} ${Math.round(t.gs_kt)} kt`, `track ${Math.round(t.trk_deg)}°`];
  else if (t.kind === 'threat') text = [`${t.ref}`, `${fl(t.alt_ft)} ${Math.round(t.gs_kt)} kt track ${Math.round(t.trk_deg)}°`,
    t.relative ? `bearing ${Math.round(t.relative.bearing_deg)}°, ${t.relative.range_nm.toFixed(1)} NM, ${t.relative.dalt_ft >= 0 ? '+' : ''}${Math.round(t.relative.dalt_ft)} ft` : ''];
  else text = [`DISTRESS ${t.id} (${t.party})`, `${fl(t.alt_ft)} ${Math.round(t.gs_kt)} kt track ${Math.round(t.trk_deg)}°`];
  const el = h('div', { class: 'popup' }, text.filter(Boolean).map((line) => h('div', {}, line)));
  L.popup({ autoPan: false }).setLatLng(latlng).setContent(el).openOn(S.map.map);
}

// ------------------------------------------------------------------ alerts
let alertTimer = null;
async function pollAlerts() {
  clearTimeout(alertTimer);
  try {
    const res = await S.api.get('/v1/alerts');
    S.alerts = sortAlerts(res.alerts);
    renderAlerts();
    pushScene();
  } catch (e) { S.lastError = e.message; }
  alertTimer = setTimeout(pollAlerts, 1000);
}

export function sortAlerts(alerts) {
  return [...alerts].sort((a, b) =>  // an alert whose separation is regained is no longer urgent
    (a.state === 'clearing') - (b.state === 'clearing') || (LEVEL_RANK[a.level] ?? 9) - (LEVEL_RANK[b.level] ?? 9) || (a.t_in_s ?? 1e9) - (b.t_in_s ?? 1e9) ||
    (a.tcpa_s ?? 1e9) - (b.tcpa_s ?? 1e9) || String(a.alert_id).localeCompare(String(b.alert_id)));
}

// Keyed rendering: an alert keeps its list item while it lasts (so a click never lands on an item
// being replaced); only its content and position change.
const alertItems = new Map();
function renderAlerts() {
  const list = $('alert-list');
  $('alert-count').textContent = String(S.alerts.length);
  const top = S.alerts[0];
  $('alert-count').className = 'badge ' + (top ? top.level : '');
  const keep = new Set(S.alerts.map((a) => a.alert_id));
  for (const [id, li] of alertItems) if (!keep.has(id)) { li.remove(); alertItems.delete(id); }
  let empty = list.querySelector('li.empty');
  if (!S.alerts.length) {
    if (!empty) list.append(h('li', { class: 'empty' }, 'No alerts for your aircraft.'));
    updateMore(list, $('alert-more'));
    return;
  }
  if (empty) empty.remove();
  S.alerts.forEach((a, i) => {
    let li = alertItems.get(a.alert_id);
    if (!li) {
      li = h('li', { dataset: { alertId: a.alert_id }, tabindex: 0 });
      li.addEventListener('click', () => focusAlert(S.alerts.find((x) => x.alert_id === li.dataset.alertId)));
      alertItems.set(a.alert_id, li);
    }
    li.className = `alert ${a.state === 'clearing' ? 'clearing' : a.level}` + (S.selectedAlert === a.alert_id ? ' selected' : '');
    li.replaceChildren(...cardContent(a, S.tracks));
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
  });
  updateMore(list, $('alert-more'));
}

function focusAlert(a) {
  if (!a) return;
  S.fitted = true;  // the officer chose a view: never refit over it
  S.selectedAlert = a.alert_id;
  const o = (a.own || [])[0];
  const p = a.cpa || o;
  S.map.scene.selected = a;
  if (o) S.overlays.ringsAround(o.id);
  if (o) S.map.centre(o.lat, o.lon, 8);
  else if (p) S.map.centre(p.lat, p.lon, 8);
  S.map.requestDraw();
  for (const li of document.querySelectorAll('#alert-list li')) li.classList.toggle('selected', li.dataset.alertId === a.alert_id);
}

// ------------------------------------------------------------------ events from the stream
function onEvent(ev, live) {
  S.events++;
  const d = ev.data || {};
  switch (ev.kind) {
    case 'report':
      for (const r of d.reports || []) if (r.t > (S.hubT || 0) - 120) pushTrail(r.id, r.lat, r.lon, r.t);
      break;
    case 'alert':
      if (live) {
        if (d.kind === 'cleared') {  // drop it at once: a threat is shown only while its alert lasts
          S.alerts = S.alerts.filter((a) => a.alert_id !== d.alert_id);
          S.tracks = S.tracks.filter((t) => t.alert_id !== d.alert_id);
          renderAlerts(); pushScene();
        }
        refreshAlertsSoon();
      }
      break;
    case 'advisory':
      if (live) refreshAlertsSoon();
      break;
    case 'distress': {
      // merged into what the console already knows: acknowledgements only ever grow, an escalated
      // case stays escalated while the hub keeps re-sending it, and re-sends are counted only
      // when the console has seen the case from its start (resends === null: unknown)
      const prev = S.distress.get(d.distress_id);
      const c = { ...(prev || {}), ...d, closed: false, at: ev.at };
      if (prev) {
        if (prev.stage === 'escalated') c.stage = 'escalated';
        c.acknowledged_by = union(prev.acknowledged_by, d.acknowledged_by);
        c.awaiting = (prev.awaiting || []).filter((p) => (d.awaiting || []).includes(p));
        c.resends = prev.resends == null ? null : prev.resends + (d.stage === 'resent' ? 1 : 0);
      } else {
        c.resends = d.stage === 'raised' ? 0 : null;
      }
      S.distress.set(d.distress_id, c);
      if (live) { if ((d.awaiting || []).includes(S.party)) S.sound.tone(d.stage); renderDistress(); }
      break;
    }
    case 'ack': {
      const c = S.distress.get(d.distress_id);
      if (c) {
        c.awaiting = (c.awaiting || []).filter((p) => (d.awaiting || []).includes(p));
        c.acknowledged_by = union(c.acknowledged_by, [d.by]);
        if (live) renderDistress();
      }
      break;
    }
    case 'distress-closed': {
      const c = S.distress.get(d.distress_id);
      if (c) { c.closed = true; if (live) renderDistress(); }
      break;
    }
    case 'protocol':  // a version proposed or signed: show the new state
      if (live) S.protocol.load();
      break;
    case 'message':
    case 'receipt':
      S.line.onEvent(ev, live);
      if (ev.kind === 'message') S.plans.onMessage(ev, live);  // a request about a notice
      break;
    case 'disclosure':  // one of our aircraft was shown to another party (the ledger)
      S.ledger.onEvent(ev, live);
      break;
    default:  // operation, notice, area-alert, conformance, hazard-ack: the Plans tab (operations.js)
      S.plans.onEvent(ev, live);
      break;
  }
}

function onLive() {
  S.live = true;
  renderDistress();
  S.line.render();
  refreshAlertsSoon();
}

let soon = null;
function refreshAlertsSoon() {
  clearTimeout(soon);
  soon = setTimeout(pollAlerts, 80);
}

// ------------------------------------------------------------------ distress
const union = (a, b) => [...new Set([...(a || []), ...(b || [])])].sort();

function renderDistress() {
  const box = clear($('distress'));
  const open = [...S.distress.values()].filter((d) => !d.closed);
  box.hidden = open.length === 0;
  const now = Date.now() / 1000;
  for (const d of open) {
    const mine = d.party === S.party;
    const needsMe = (d.awaiting || []).includes(S.party);
    const stage = d.stage === 'escalated' ? 'ESCALATED' : d.stage === 'resent' ? (d.resends ? `RESENT (${d.resends}×)` : 'RESENT') : 'MAYDAY';
    const pos = d.position;
    const card = h('div', { class: `distress-card ${needsMe ? 'unacked' : 'acked'} stage-${d.stage}`, dataset: { distressId: d.distress_id } },
      h('div', { class: 'distress-title' },
        h('span', { class: 'distress-stage' }, stage),
        ` ${d.id} (${d.party}) — ${d.reason}`),
      h('div', { class: 'distress-info' },
        pos ? `${latlon(pos.lat, pos.lon)} · ${fl(pos.alt_ft)} · ${Math.round(pos.gs_kt)} kt · track ${Math.round(pos.trk_deg)}°` : 'position unknown',
        ' · common frequencies ', h('b', { class: 'freqs' }, (d.frequencies_mhz || []).map((f) => Number(f).toFixed(1)).join(' / ') + ' MHz')),
      h('div', { class: 'distress-acks' },
        `raised ${hhmmss(d.raised_at)}Z, ${dur(now - d.raised_at)} ago · acknowledged by ${(d.acknowledged_by || []).join(', ') || 'nobody'}`,
        (d.awaiting || []).length ? ` · awaiting ${(d.awaiting || []).join(', ')}` : ' · all parties acknowledged'),
      h('div', { class: 'distress-actions' },
        needsMe ? h('button', { class: 'ack-btn', onclick: (e) => acknowledge(d, e.target) }, `Acknowledge ${d.id}`) : h('span', { class: 'acked-note' }, mine ? 'Your aircraft' : 'Acknowledged by you'),
        mine ? h('button', { class: 'close-btn', onclick: (e) => closeDistress(d, e.target) }, 'Distress traffic ended (close)') : null,
        pos ? h('button', { class: 'show-btn', onclick: () => S.map.centre(pos.lat, pos.lon, 8) }, 'Show on map') : null));
    box.append(card);
  }
  const unacked = open.some((d) => (d.awaiting || []).includes(S.party));
  document.body.classList.toggle('distress-unacked', unacked);
  S.sound.render(unacked);
}

async function acknowledge(d, btn) {
  btn.disabled = true;
  btn.textContent = 'Acknowledging…';
  try {
    const res = await S.api.post('/v1/acks', { distress_id: d.distress_id });
    d.awaiting = (d.awaiting || []).filter((p) => res.awaiting.includes(p));
    d.acknowledged_by = union(d.acknowledged_by, [S.party]);
    renderDistress();
  } catch (e) {
    btn.disabled = false;
    btn.textContent = `Acknowledge failed (${e.message}) — retry`;
  }
}

async function closeDistress(d, btn) {
  btn.disabled = true;
  try {
    await S.api.post(`/v1/distress/${encodeURIComponent(d.distress_id)}/close`);
    d.closed = true;
    renderDistress();
  } catch (e) {
    btn.disabled = false;
    btn.textContent = `Close failed (${e.message}) — retry`;
  }
}

// ------------------------------------------------------------------ chrome
function renderStatus() {
  const el = $('conn');
  el.textContent = S.connection;
  el.className = 'conn ' + (S.connection === 'live' ? 'ok' : 'bad');
  $('clock').textContent = new Date().toISOString().slice(11, 19) + 'Z';
}

function renderCounts() {
  const n = { own: 0, civil: 0, threat: 0, distress: 0 };
  for (const t of S.tracks) n[t.kind] = (n[t.kind] || 0) + 1;
  n.distress += S.tracks.filter((t) => t.kind === 'own' && t.distress).length;  // ours in distress too
  $('counts').textContent = `own ${n.own} · civil ${n.civil} · threats ${n.threat}${n.distress ? ' · distress ' + n.distress : ''}`;
}

function setupTabs() {
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => selectTab(b.dataset.tab));
  }
  selectTab('line');
}

export function selectTab(name) {
  for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const p of document.querySelectorAll('.tab-pane')) p.hidden = p.id !== name;
  S.tab = name;
  if (name === 'line') S.line.render();
  if (name === 'protocol') S.protocol.load();
  if (name === 'ledger') S.ledger.load();
  if (name === 'plans') S.plans.render();
}

// ------------------------------------------------------------------ boot
$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn($('signin-party').value.trim() || null, $('signin-token').value.trim());
});
$('signout').addEventListener('click', signOut);

const frag = credentialsFromFragment();
const saved = JSON.parse(sessionStorage.getItem('airdecon.cred') || 'null');
if (frag.token) signIn(frag.party, frag.token);
else if (saved && saved.token) signIn(saved.party, saved.token);
else $('signin').hidden = false;
