// The line: conversations with the other parties (one per party, plus "all parties"), delivery and
// read receipts (✓ delivered, ✓✓ read), structured kinds and the incident report form. A received
// message counts as read when it is displayed: its conversation is open on screen. What was read is
// the hub's to say (read_by_me when the line is loaded, our own read receipts after that), so a
// message read on one of the party's consoles shows as read on all of them, and after a reload.
import { h, clear, hhmmss, utc } from './util.js';

const KINDS = ['text', 'safety-notice', 'request', 'reply', 'incident-report'];
const KIND_WORDS = { 'text': 'message', 'safety-notice': 'safety notice', 'request': 'request', 'reply': 'reply', 'incident-report': 'incident report' };
const INCIDENT_FIELDS = [
  ['aircraft', 'Aircraft', 'e.g. BLUE-07'],
  ['time', 'Time (UTC)', 'e.g. 2026-11-25 14:32Z'],
  ['position', 'Position', 'e.g. 35.42N 38.90E, FL200'],
  ['closest_approach', 'Closest approach', 'e.g. 1.2 NM / 300 ft'],
  ['description', 'Description', 'what happened'],
];

export class Line {
  constructor(S, el) {
    this.S = S;
    this.el = el;
    this.messages = new Map();   // message_id -> {ev, data, delivered:Set, read:Set}
    this.order = [];
    this.readSent = new Set();   // ids of received messages read (here or on another console)
    this.conv = 'all';
    this.replyTo = null;
    this.build();
  }

  reset() { this.messages.clear(); this.order = []; this.readSent.clear(); this.render(); }

  // The whole line as the hub has it now, page by page (the stream then brings what follows).
  async load() {
    this.messages.clear(); this.order = []; this.readSent.clear();
    let after = null;
    for (;;) {
      const q = new URLSearchParams({ limit: '1000' });
      if (after) q.set('after', after);
      const page = (await this.S.api.get(`/v1/messages?${q}`)).messages;
      if (!page.length) break;
      for (const ev of page) this.onEvent(ev, false);
      after = page[page.length - 1].cursor;
    }
    this.render();
  }

  others() {
    const fromDoc = ((this.S.protocol && this.S.protocol.view && this.S.protocol.view.document.parties) || []).map((p) => p.id);
    const seen = new Set(fromDoc);
    for (const m of this.messages.values()) { seen.add(m.data.from); if (m.data.to !== 'all') seen.add(m.data.to); }
    seen.delete(this.S.party);
    return [...seen].sort();
  }

  build() {
    this.convList = h('ul', { class: 'conv-list' });
    this.thread = h('div', { class: 'thread', 'aria-live': 'polite' });
    this.kind = h('select', { class: 'kind', onchange: () => this.kindChanged() }, KINDS.map((k) => h('option', { value: k }, KIND_WORDS[k])));
    this.text = h('textarea', { class: 'compose-text', rows: 2, placeholder: 'Message to the selected conversation' });
    this.incident = h('div', { class: 'incident-form', hidden: true },
      INCIDENT_FIELDS.map(([k, label, ph]) => h('label', {}, label,
        k === 'description' ? h('textarea', { name: k, rows: 2, placeholder: ph }) : h('input', { name: k, placeholder: ph }))));
    this.replyNote = h('div', { class: 'reply-note', hidden: true });
    this.sendErr = h('div', { class: 'error' });
    this.form = h('form', { class: 'compose', onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.replyNote, h('div', { class: 'compose-row' }, this.kind, h('span', { class: 'to' })),
      this.incident, this.text, h('div', { class: 'compose-row' }, h('button', { type: 'submit', class: 'send' }, 'Send'), this.sendErr));
    clear(this.el).append(h('div', { class: 'line-layout' }, this.convList, h('div', { class: 'line-main' }, this.thread, this.form)));
    document.addEventListener('visibilitychange', () => this.markDisplayedRead());
  }

  kindChanged() {
    const inc = this.kind.value === 'incident-report';
    this.incident.hidden = !inc;
    this.text.placeholder = inc ? 'Summary (optional: built from the fields)' : 'Message to the selected conversation';
  }

  onEvent(ev, live) {
    const d = ev.data || {};
    if (ev.kind === 'message') {
      if (!this.messages.has(d.message_id)) this.order.push(d.message_id);
      const prev = this.messages.get(d.message_id);
      const m = { ev, data: d, delivered: prev ? prev.delivered : new Set(), read: prev ? prev.read : new Set() };
      this.messages.set(d.message_id, m);
      if (d.read_by_me) this.readSent.add(d.message_id);
      for (const p of d.read_by || []) { m.read.add(p); m.delivered.add(p); }
    } else if (ev.kind === 'receipt' && d.by === this.S.party) {
      this.readSent.add(d.message_id);  // we read it, maybe on another console
    } else if (ev.kind === 'receipt') {
      let m = this.messages.get(d.message_id);
      if (!m) { m = { ev: null, data: { message_id: d.message_id, from: this.S.party, to: '?' }, delivered: new Set(), read: new Set() }; this.messages.set(d.message_id, m); this.order.push(d.message_id); }
      if (d.status === 'read') { m.read.add(d.by); m.delivered.add(d.by); } else m.delivered.add(d.by);
    }
    if (live) this.render();
  }

  convOf(d) {
    if (d.to === 'all') return 'all';
    return d.from === this.S.party ? d.to : d.from;
  }

  unread(conv) {
    let n = 0;
    for (const m of this.messages.values()) {
      if (!m.ev || m.data.from === this.S.party || this.readSent.has(m.data.message_id)) continue;
      if (conv === undefined || this.convOf(m.data) === conv) n++;
    }
    return n;
  }

  render() {
    if (!this.S.live && this.S.stream) { /* history still loading: render once live */ }
    const convs = ['all', ...this.others()];
    clear(this.convList);
    for (const c of convs) {
      const n = this.unread(c);
      this.convList.append(h('li', { class: c === this.conv ? 'active' : '', dataset: { conv: c },
        onclick: () => { this.conv = c; this.replyTo = null; this.render(); } },
        c === 'all' ? 'All parties' : c, n ? h('span', { class: 'badge unread' }, String(n)) : null));
    }
    this.form.querySelector('.to').textContent = `to ${this.conv === 'all' ? 'all parties' : this.conv}`;
    clear(this.thread);
    const msgs = this.order.map((id) => this.messages.get(id)).filter((m) => m.ev && this.convOf(m.data) === this.conv);
    if (!msgs.length) this.thread.append(h('div', { class: 'empty' }, 'No messages yet.'));
    for (const m of msgs) this.thread.append(this.renderMessage(m));
    this.thread.scrollTop = this.thread.scrollHeight;
    this.replyNote.hidden = !this.replyTo;
    if (this.replyTo) this.replyNote.textContent = `Replying to ${this.replyTo}`;
    const total = this.unread();
    const badge = document.getElementById('line-unread');
    if (badge) { badge.textContent = total ? String(total) : ''; badge.hidden = !total; }
    this.markDisplayedRead();
  }

  renderMessage(m) {
    const d = m.data, mine = d.from === this.S.party;
    let receipt = null;
    if (mine) {
      const targets = d.to === 'all' ? this.others() : [d.to];
      const parts = targets.map((p) => {
        const mark = m.read.has(p) ? '✓✓' : m.delivered.has(p) ? '✓' : '…';
        const state = m.read.has(p) ? 'read' : m.delivered.has(p) ? 'delivered' : 'sent';
        return h('span', { class: `tick ${state}`, title: `${p}: ${state}`, dataset: { party: p, state } }, d.to === 'all' ? `${mark} ${p}` : mark);
      });
      receipt = h('span', { class: 'receipts' }, parts);
    }
    // a request linked to a notice: the hub gives each side its own notice ids only (about)
    const f = d.fields || {};
    const linked = f.notices ? f.notices : f.notice_id ? [{ notice_id: f.notice_id, operation: f.operation }] : null;
    const about = linked ? h('div', { class: 'msg-about' }, linked.length
      ? `About your notice ${linked.map((n) => `${n.notice_id} (${n.operation})`).join(', ')}` : 'About a conflict with your plans') : null;
    const rest = Object.entries(f).filter(([k]) => !linked || !['notices', 'notice_id', 'operation'].includes(k));
    const fields = rest.length ? h('dl', { class: 'fields' },
      rest.map(([k, v]) => [h('dt', {}, k.replace(/_/g, ' ')), h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))])) : null;
    return h('div', { class: `msg ${mine ? 'mine' : 'theirs'} kind-${d.kind}`, dataset: { messageId: d.message_id } },
      h('div', { class: 'msg-head' }, h('b', {}, mine ? 'You' : d.from),
        h('span', { class: 'kind-badge' }, KIND_WORDS[d.kind] || d.kind),
        h('span', { class: 'msg-time', title: m.ev ? utc(m.ev.at) : '' }, m.ev ? hhmmss(m.ev.at) + 'Z' : ''),
        d.in_reply_to ? h('span', { class: 'in-reply' }, `re ${d.in_reply_to}`) : null,
        receipt),
      about, h('div', { class: 'msg-text' }, d.text), fields,
      mine ? null : h('button', { class: 'reply-btn', type: 'button', onclick: () => { this.replyTo = d.message_id; this.kind.value = 'reply'; this.kindChanged(); this.render(); this.text.focus(); } }, 'Reply'));
  }

  displayed() {
    return this.S.live && this.S.tab === 'line' && !this.el.hidden && document.visibilityState === 'visible';
  }

  async markDisplayedRead() {
    if (!this.displayed()) return;
    for (const m of this.messages.values()) {
      const d = m.data;
      if (!m.ev || d.from === this.S.party || this.readSent.has(d.message_id) || this.convOf(d) !== this.conv) continue;
      this.readSent.add(d.message_id);
      try {
        await this.S.api.post(`/v1/messages/${encodeURIComponent(d.message_id)}/read`);
      } catch (e) {
        this.readSent.delete(d.message_id);
      }
    }
    const total = this.unread();
    const badge = document.getElementById('line-unread');
    if (badge) { badge.textContent = total ? String(total) : ''; badge.hidden = !total; }
    for (const li of this.convList.querySelectorAll('li')) {
      const b = li.querySelector('.badge');
      if (b && !this.unread(li.dataset.conv)) b.remove();
    }
  }

  async send() {
    const kind = this.kind.value;
    let text = this.text.value.trim();
    const body = { to: this.conv, kind };
    if (kind === 'incident-report') {
      const f = {};
      for (const el of this.incident.querySelectorAll('input, textarea')) if (el.value.trim()) f[el.name] = el.value.trim();
      if (!f.aircraft || !f.description) { this.sendErr.textContent = 'An incident report needs at least the aircraft and a description.'; return; }
      body.fields = f;
      if (!text) {
        text = `Incident report: ${f.aircraft}` + (f.time ? ` at ${f.time}` : '') + (f.position ? `, ${f.position}` : '') +
          (f.closest_approach ? `, closest approach ${f.closest_approach}` : '') + `. ${f.description}`;
      }
    }
    if (!text) { this.sendErr.textContent = 'Nothing to send.'; return; }
    body.text = text;
    if (this.replyTo) body.in_reply_to = this.replyTo;
    this.sendErr.textContent = '';
    try {
      await this.S.api.post('/v1/messages', body);
      this.text.value = '';
      for (const el of this.incident.querySelectorAll('input, textarea')) el.value = '';
      this.replyTo = null;
      this.kind.value = 'text'; this.kindChanged();
      this.render();
    } catch (e) {
      this.sendErr.textContent = `Not sent: ${e.message}`;
    }
  }
}
