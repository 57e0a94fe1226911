// Alert cards: what each alert says, true at this moment. A current alert gives the hub's live
// geometry; an alert in its hold after separation was regained (state "clearing") says so, with the
// live range where the console may know it (both aircraft its own, or public civil traffic), and
// never shows the frozen prediction as if it were current. "No advisory" always says why. An alert
// predicted only under a hypothesis (an aircraft levelling off at its selected altitude, or going on
// with its turn) names it: the officer then knows what the prediction assumes.
// Also the "+N more" line under the list (the most urgent card is pinned at its top by CSS).
import { h, fl, dur, advisoryWords, shortRef } from './util.js';

const R_NM = 3440.065;

export function rangeBearing(a, b) {
  const r = Math.PI / 180, p1 = a.lat * r, p2 = b.lat * r, dl = (b.lon - a.lon) * r;
  const hav = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  const nm = 2 * R_NM * Math.asin(Math.min(1, Math.sqrt(hav)));
  const y = Math.sin(dl) * Math.cos(p2), x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return { range_nm: nm, bearing_deg: ((Math.atan2(y, x) / r) + 360) % 360 };
}

// What the prediction assumes, for the alerts not predicted on straight, constant-rate flight
// (the hub's "hypothesis": docs/hub.md, "Intent and turns").
export const HYPOTHESIS = {
  'level-off': 'Level-off: predicted with the climb or descent levelling off at its selected altitude.',
  turn: 'Turn: predicted along the turn being flown, if it goes on; flown straight there is no loss.',
};

const NO_ADVISORY = {
  'none-needed': 'No advisory: none needed for this aircraft (the other aircraft\'s manoeuvre resolves it).',
  pending: 'No advisory yet: the hub has not resolved this pair yet (pending).',
  failed: 'No advisory: the hub could not compute one this time (failed) — keep clear by your own means.',
};

// Where the console may know the other aircraft live: one of its own, or public civil traffic.
function liveOther(a, tracks) {
  const own = a.own || [];
  const byId = (kind, id) => tracks.find((t) => t.kind === kind && t.id === id);
  if (!a.threat && own.length >= 2) return { me: byId('own', own[0].id) || own[0], other: byId('own', own[1].id) || own[1], name: own[1].id };
  if (a.threat && a.threat.civil_id) {
    const other = byId('civil', a.threat.civil_id);
    if (other) return { me: byId('own', (own[0] || {}).id) || own[0], other, name: `${a.threat.civil_id} (civil)` };
  }
  return null;
}

function relWords(rel, dalt) {
  const d = dalt === undefined || dalt === null ? '' : `, ${Math.abs(Math.round(dalt))} ft ${dalt >= 0 ? 'above' : 'below'}`;
  return `${Math.round(rel.bearing_deg)}° ${rel.range_nm.toFixed(1)} NM${d}`;
}

export function cardContent(a, tracks) {
  const clearing = a.state === 'clearing';
  const own = a.own || [];
  const live = liveOther(a, tracks);
  let mine, other;
  if (!a.threat && own.length >= 2) {  // a pair of the party's own aircraft (or civil-civil)
    mine = own[0].id;
    const rel = live && live.me && live.other.lat !== undefined ? rangeBearing(live.me, live.other) : null;
    other = `${own[1].id} ${fl(live ? live.other.alt_ft : own[1].alt_ft)}` +
      (rel ? `, ${relWords(rel, (live.other.alt_ft ?? 0) - (live.me.alt_ft ?? 0))}` : '');
  } else {
    mine = own.map((o) => o.id).join(' + ');
    const t = a.threat || {};
    const who = t.civil_id ? `${t.civil_id} (civil)` : shortRef(t.ref);
    if (clearing) other = who;
    else {
      const rel = t.relative ? `, ${relWords(t.relative, t.relative.dalt_ft)}` : '';
      other = `${who} ${fl(t.alt_ft)}${rel}`;
    }
  }
  const badge = clearing ? h('span', { class: 'level clearing' }, 'REGAINED')
    : h('span', { class: `level ${a.level}` }, a.level.toUpperCase());
  const head = h('div', { class: 'alert-head' }, badge, h('b', {}, mine), ' ↔ ', h('span', { class: 'other' }, other));
  let times;
  if (clearing) {
    let now = '';
    if (live && live.me && live.other && live.other.lat !== undefined) {
      const dz = Math.abs((live.other.alt_ft ?? 0) - (live.me.alt_ft ?? 0));
      now = ` · now ${rangeBearing(live.me, live.other).range_nm.toFixed(1)} NM / ${Math.round(dz).toLocaleString('en')} ft apart`;
    } else {
      now = ' · the other aircraft is no longer shown to you';
    }
    times = h('div', { class: 'alert-times clearing-now' }, `separation regained — clearing${now}`);
  } else {
    const when = a.t_in_s <= 0 ? 'separation lost now' : `loss of separation in ${dur(a.t_in_s)}`;
    times = h('div', { class: 'alert-times' },
      `${when} · closest ${Number(a.dcpa_nm).toFixed(1)} NM / ${Math.round(a.dalt_cpa_ft)} ft in ${dur(a.tcpa_s)}`);
  }
  const assumes = !clearing && HYPOTHESIS[a.hypothesis]
    ? [h('div', { class: `alert-hypothesis ${a.hypothesis}` }, HYPOTHESIS[a.hypothesis])] : [];
  const advs = [];
  if (clearing) {
    advs.push(h('div', { class: 'advisory none' }, 'No advisory: none needed, separation regained.'));
  } else {
    for (const o of own) {
      if (o.advisory) {
        const adv = o.advisory;
        const noneSafe = adv.resolved === false && String(adv.reason || '').startsWith('NO SAFE');
        const words = noneSafe ? `${adv.aircraft}: none safe — best effort: ${bestEffort(adv)}`
          : adv.rule === 'follow-tcas' ? `${adv.aircraft}: follow TCAS (no instruction from the ground)` : advisoryWords(adv);
        advs.push(h('div', { class: 'advisory' + (noneSafe ? ' unresolved' : '') },
          h('span', { class: 'adv-words' }, '▶ ' + words), h('div', { class: 'adv-reason' }, adv.reason)));
      } else if (own.length === 1 || o.advisory_status) {
        const why = NO_ADVISORY[o.advisory_status] || NO_ADVISORY.pending;
        advs.push(h('div', { class: 'advisory none' }, own.length > 1 ? `${o.id}: ${why}` : why));
      }
    }
  }
  return [head, times, ...assumes, ...advs];
}

function bestEffort(adv) {
  const r = String(adv.reason || '');
  const i = r.indexOf('best effort: ');
  const rest = i >= 0 ? r.slice(i + 13) : r;
  const cut = rest.indexOf(': ');
  return cut > 0 ? rest.slice(0, cut) : rest;
}

// How many cards are not fully in view under the pinned first card: "+N more".
export function updateMore(list, more) {
  const items = [...list.querySelectorAll('li.alert')];
  if (items.length < 2) { more.hidden = true; return 0; }
  const box = list.getBoundingClientRect();
  const top = items[0].getBoundingClientRect().bottom;
  let n = 0;
  for (const li of items.slice(1)) {
    const r = li.getBoundingClientRect();
    if (r.top < top - 1 || r.bottom > box.bottom + 1) n++;
  }
  more.hidden = n === 0;
  more.textContent = `+${n} more — scroll`;
  return n;
}
