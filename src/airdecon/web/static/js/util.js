// Small helpers shared by the console's modules. No framework: DOM built with textContent only,
// so nothing a party or the hub sends is ever parsed as HTML.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

export const LEVEL_RANK = { loss: 0, warning: 1, caution: 2, advisory: 3 };

export function pad(n, w = 3) { return String(Math.round(n)).padStart(w, '0'); }

export function fl(altFt) {
  if (altFt === undefined || altFt === null) return 'FL---';
  return 'FL' + pad(altFt / 100, 3);
}

export function trend(vsFpm) {
  if (vsFpm > 300) return '↑';
  if (vsFpm < -300) return '↓';
  return '';
}

export function hhmmss(t) {
  if (t === undefined || t === null) return '--:--:--';
  return new Date(t * 1000).toISOString().slice(11, 19);
}

export function utc(t) { return new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19) + 'Z'; }

export function dur(s) {
  if (s === null || s === undefined || !isFinite(s)) return '—';
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + ' s';
  return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
}

export function latlon(lat, lon) {
  const la = Math.abs(lat).toFixed(3) + '°' + (lat >= 0 ? 'N' : 'S');
  const lo = Math.abs(lon).toFixed(3) + '°' + (lon >= 0 ? 'E' : 'W');
  return la + ' ' + lo;
}

const RULE_WORDS = {
  'head-on': 'Annex 2 head-on',
  'converging': 'Annex 2 converging',
  'overtaking': 'Annex 2 overtaking',
  'vertical': 'vertical resolution',
  'distress-priority': 'keep clear of aircraft in distress',
  'maintain': 'right of way, keep going',
  'follow-tcas': 'follow TCAS',
};

// "BLUE-07: turn right 30° to 125°, Annex 2 head-on" from the hub's advisory object.
export function advisoryWords(adv) {
  if (!adv) return '';
  const reason = String(adv.reason || '');
  const cut = reason.indexOf(': ');
  const action = cut > 0 ? reason.slice(0, cut) : reason;
  const rule = RULE_WORDS[adv.rule] || adv.rule || '';
  return `${adv.aircraft}: ${action}${rule ? ', ' + rule : ''}`;
}

export function shortRef(ref) { return String(ref || '').replace(/^threat:/, ''); }

export function b64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToB64(bytes) {
  let bin = '';
  const u = new Uint8Array(bytes);
  for (let i = 0; i < u.length; i++) bin += String.fromCharCode(u[i]);
  return btoa(bin);
}
