// The signed heads of this party's extract of the record, kept in the browser so that the party,
// not only the hub, holds proof of what was recorded. The hub sends each new head on the stream
// ({"type": "head", …}) and the last one from GET /v1/audit/head; each is a statement signed with
// the hub key: "the first n entries you may see fold to hash". Kept in localStorage (shared by this
// party's consoles on this origin, so a reload or a second tab keeps them), per hub key (a hub on
// the same address with another key starts a new set), the newest MAX_KEPT of them: the newest head alone already pins every entry before it. "Download heads" writes them as
// a JSON-lines file that `airdecon audit check EXPORT --pub HUB.pub --heads FILE` checks.
import { h, clear, hhmmss } from './util.js';

export const MAX_KEPT = 2000;
const FIELDS = ['party', 'n', 'hash', 'at', 'key_id', 'signature'];

function isHead(x, party) {
  return x && typeof x === 'object' && x.party === party && Number.isInteger(x.n) && x.n >= 1
    && typeof x.hash === 'string' && typeof x.at === 'number' && typeof x.key_id === 'string'
    && typeof x.signature === 'string';
}

export class HeadKeeper {
  constructor(S, party, el) {
    this.S = S;
    this.party = party;
    this.el = el;
    this.keyId = null;  // the hub key of the heads this session received (none before the first)
    this.error = null;
    this.heads = [];
  }

  get key() { return `airdecon.heads.${this.party}.${this.keyId}`; }

  get count() { return this.heads.length; }
  get latest() { return this.heads.length ? this.heads[this.heads.length - 1] : null; }

  read() {
    if (this.keyId === null) return [];
    try {
      const kept = JSON.parse(localStorage.getItem(this.key) || '[]');
      return Array.isArray(kept) ? kept.filter((x) => isHead(x, this.party)) : [];
    } catch { return []; }
  }

  // A head from the stream or the hub: kept once (by n), in order, with only its signed fields.
  add(msg) {
    if (!isHead(msg, this.party)) return false;
    this.keyId = msg.key_id;
    const heads = this.read();  // another console of this party may have kept some meanwhile
    if (heads.some((x) => x.n === msg.n && x.hash === msg.hash)) {  // kept already (before a reload)
      this.heads = heads;
      this.render();
      return false;
    }
    const head = { type: 'head' };
    for (const f of FIELDS) head[f] = msg[f];
    heads.push(head);
    heads.sort((a, b) => a.n - b.n || a.at - b.at);
    this.heads = heads.slice(-MAX_KEPT);
    try {
      localStorage.setItem(this.key, JSON.stringify(this.heads));
      this.error = null;
    } catch (e) {
      this.error = `cannot keep heads in this browser: ${e.message}`;
    }
    this.render();
    return true;
  }

  text() { return this.heads.map((x) => JSON.stringify(x)).join('\n') + (this.heads.length ? '\n' : ''); }

  download() {
    const url = URL.createObjectURL(new Blob([this.text()], { type: 'application/x-ndjson' }));
    const a = h('a', { href: url, download: `${this.party}.heads` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  render() {
    const el = this.el && clear(this.el);
    if (!el) return;
    const last = this.latest;
    el.append(h('h3', {}, 'Signed heads of your record'),
      h('p', { class: 'hint' },
        'Each head is the hub\'s signature over the entries of the record you may see. Keep them: ',
        'with them, ', h('code', {}, 'airdecon audit check --heads'),
        ' proves later that nothing you were sent was dropped or rewritten, even by whoever holds the hub key.'));
    el.append(h('div', { class: 'heads-summary' }, last
      ? `${this.count} kept in this browser; the last covers your first ${last.n} entries (signed ${hhmmss(last.at)}).`
      : 'None yet: the hub signs one every few seconds while your record grows.'));
    if (this.error) el.append(h('div', { class: 'error' }, this.error));
    el.append(h('button', { type: 'button', class: 'heads-download', disabled: !last, onclick: () => this.download() },
      'Download heads'));
  }
}
