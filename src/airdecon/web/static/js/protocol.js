// The protocol in force (version, minima, frequencies, who signed when) and the versions awaiting
// this party's answer, with their diff and Accept / Counter. Signing happens here, in the browser,
// with the party's Ed25519 private key (PKCS#8 PEM) through WebCrypto: the key never leaves the page.
import { h, clear, b64ToBytes, bytesToB64 } from './util.js';

export class ProtocolPane {
  constructor(S, el) {
    this.S = S;
    this.el = el;
    this.view = null;
    this.key = null;
    this.keyName = null;
    this.load();
  }

  async load() {
    try {
      this.view = await this.S.api.get('/v1/protocol');
      this.error = null;
    } catch (e) {
      this.error = e.message;
    }
    this.render();
    if (this.S.line) this.S.line.render();
  }

  render() {
    const el = clear(this.el);
    if (this.error) { el.append(h('div', { class: 'error' }, `Cannot read the protocol: ${this.error}`)); return; }
    const v = this.view;
    if (!v) { el.append(h('div', { class: 'empty' }, 'Loading…')); return; }
    const doc = v.document || {};
    const min = (doc.minima || {}).default || {};
    const al = doc.alerting || {};
    const ds = doc.distress || {};
    const rec = ds.on_receipt || {};
    const rules = doc.rules_of_the_air || {};
    el.append(
      h('h3', {}, doc.title || 'Protocol'),
      h('div', { class: 'proto-status ' + (v.in_force ? 'ok' : 'bad') },
        v.in_force ? 'In force' : 'NOT in force (rehearsal)', ` · revision ${doc.revision ?? '?'} · `,
        h('code', { class: 'digest', title: v.digest }, String(v.digest).replace('sha256:', '').slice(0, 12))),
      table('Minima', [
        ['Horizontal', `${min.horizontal_nm} NM`], ['Vertical', `${min.vertical_ft} ft`],
        ...((doc.minima || {}).altitude_bands || []).map((b) => [`Band ${JSON.stringify(b.band || b.from_ft || '')}`, JSON.stringify(b)]),
      ]),
      table('Alerting', [
        ['Look-ahead', `${al.lookahead_s} s`], ['Caution', `${al.caution_s} s`], ['Warning', `${al.warning_s} s`],
      ]),
      table('Distress', [
        ['Common frequencies', (ds.frequencies_mhz || []).map((f) => Number(f).toFixed(1) + ' MHz').join(', ')],
        ['Squawks', (ds.squawk_codes || []).join(', ')],
        ['Acknowledge within', `${rec.acknowledge_within_s} s`], ['Escalate after', `${rec.escalate_after_s} s`],
      ]),
      table('Rules of the air', Object.entries(rules).map(([k, val]) => [k.replace(/_/g, ' '), String(val)])),
      table('Signatures', (doc.parties || []).map((p) => {
        const s = (v.signatures || {})[p.id];
        return [`${p.id} — ${p.name}`, s ? `signed ${s.signed_at}` : 'not signed'];
      }), 'signatures'),
    );
    el.append(this.renderKey(), this.renderPending(v.pending));
  }

  renderKey() {
    const input = h('input', { type: 'file', class: 'key-file', accept: '.key,.pem,application/x-pem-file,text/plain',
      onchange: (e) => this.loadKey(e.target.files[0]) });
    return h('div', { class: 'key-box' },
      h('label', {}, 'Signing key (PKCS#8 PEM; stays in this browser): ', input),
      h('span', { class: 'key-state' }, this.key ? `loaded: ${this.keyName}` : 'no key loaded'),
      this.keyError ? h('div', { class: 'error' }, this.keyError) : null);
  }

  async loadKey(file) {
    this.keyError = null;
    try {
      const pem = await file.text();
      const b64 = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
      this.key = await crypto.subtle.importKey('pkcs8', b64ToBytes(b64), { name: 'Ed25519' }, false, ['sign']);
      this.keyName = file.name;
    } catch (e) {
      this.key = null;
      this.keyError = `Not an Ed25519 PKCS#8 PEM private key (${e.message || e.name}).`;
    }
    this.render();
  }

  async sign(canonicalB64) {
    const sig = await crypto.subtle.sign({ name: 'Ed25519' }, this.key, b64ToBytes(canonicalB64));
    return bytesToB64(sig);
  }

  renderPending(pending) {
    const box = h('div', { class: 'pending' }, h('h4', {}, 'Proposals awaiting signatures'));
    if (pending === undefined) { box.append(h('div', { class: 'empty' }, 'This hub does not list pending versions yet.')); return box; }
    if (!pending.length) { box.append(h('div', { class: 'empty' }, 'None.')); return box; }
    for (const p of pending) {
      const mustAnswer = (p.missing || []).includes(this.S.party);
      const diff = h('table', { class: 'diff' }, h('tr', {}, h('th', {}, 'field'), h('th', {}, 'in force / parent'), h('th', {}, 'proposed')),
        (p.diff || []).map((c) => h('tr', {}, h('td', {}, c.path), h('td', { class: 'old' }, fmt(c.old)), h('td', { class: 'new' }, fmt(c.new)))));
      const status = h('div', { class: 'pending-status' });
      box.append(h('div', { class: 'proposal', dataset: { digest: p.digest } },
        h('div', {}, h('b', {}, p.title || 'Untitled'), ` · ${p.short || p.digest} · proposed by ${p.proposer}`),
        h('div', {}, `signed by ${(p.signed_by || []).join(', ') || 'nobody'} · missing ${(p.missing || []).join(', ') || 'nobody'}`),
        diff,
        mustAnswer ? h('div', { class: 'actions' },
          h('button', { class: 'accept-btn', onclick: () => this.accept(p, status) }, 'Accept (sign)'),
          h('button', { class: 'counter-btn', onclick: () => this.counter(p, status) }, 'Counter…')) : h('div', {}, 'Nothing for you to answer.'),
        status));
    }
    return box;
  }

  async accept(p, status) {
    if (!this.key) { status.textContent = 'Load your signing key first.'; return; }
    status.textContent = 'Signing…';
    try {
      const signature = await this.sign(p.canonical_b64);
      await this.S.api.post(`/v1/protocol/versions/${encodeURIComponent(p.digest)}/signatures`, { signature });
      status.textContent = 'Accepted.';
      this.load();
    } catch (e) { status.textContent = `Not accepted: ${e.message}`; }
  }

  counter(p, status) {
    let doc;
    try { doc = JSON.parse(new TextDecoder().decode(b64ToBytes(p.canonical_b64))); } catch { doc = {}; }
    const area = h('textarea', { class: 'counter-doc', rows: 14 }, JSON.stringify(doc, null, 2));
    const preview = h('div', { class: 'counter-preview' });
    let draft = null;
    const ed = h('div', { class: 'counter-editor' },
      h('div', {}, 'Edit the document, check the changes, then sign and record your counter-proposal.'), area,
      h('div', { class: 'actions' },
        h('button', { onclick: async () => {
          try {
            draft = await this.S.api.post('/v1/protocol/drafts', { parent: p.digest, document: JSON.parse(area.value) });
            clear(preview).append(h('table', { class: 'diff' }, (draft.diff || []).map((c) => h('tr', {}, h('td', {}, c.path), h('td', { class: 'old' }, fmt(c.old)), h('td', { class: 'new' }, fmt(c.new))))));
          } catch (e) { clear(preview).append(h('div', { class: 'error' }, `Draft refused: ${e.message}`)); }
        } }, 'Check changes'),
        h('button', { onclick: async () => {
          if (!draft) { preview.textContent = 'Check the changes first.'; return; }
          if (!this.key) { preview.textContent = 'Load your signing key first.'; return; }
          try {
            const signature = await this.sign(draft.canonical_b64);
            await this.S.api.post('/v1/protocol/versions', { parent: p.digest, canonical_b64: draft.canonical_b64, signature });
            status.textContent = 'Counter-proposal recorded.';
            this.load();
          } catch (e) { preview.textContent = `Not recorded: ${e.message}`; }
        } }, 'Sign and send counter')),
      preview);
    status.replaceChildren(ed);
  }
}

function fmt(v) { return v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v); }

function table(title, rows, cls) {
  return h('div', { class: 'proto-section ' + (cls || '') }, h('h4', {}, title),
    h('table', {}, rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}
