// The disclosure ledger: every time one of this party's aircraft was shown to another party under
// an alert — when, to whom, which aircraft (by this party's own id), at what precision, under which
// alert. Loaded from /v1/disclosures when the tab opens; live entries arrive on the stream.
import { h, clear, hhmmss } from './util.js';

const MAX_ROWS = 500;

export class Ledger {
  constructor(S, el) {
    this.S = S;
    this.el = el;
    this.rows = new Map();  // cursor -> event, newest last
    this.error = null;
    this.unseen = 0;
  }

  async load() {
    try {
      const body = await this.S.api.get('/v1/disclosures');
      for (const ev of body.disclosures || []) this.rows.set(ev.cursor, ev);
      this.trim();
      this.error = null;
    } catch (e) {
      this.error = e.message;
    }
    this.render();
  }

  onEvent(ev, live) {
    this.rows.set(ev.cursor, ev);
    this.trim();
    if (live && this.S.tab !== 'ledger') this.unseen += 1;
    if (live) this.render();
  }

  trim() {
    while (this.rows.size > MAX_ROWS) this.rows.delete(this.rows.keys().next().value);
  }

  render() {
    const badge = document.getElementById('ledger-unseen');
    if (this.S.tab === 'ledger') this.unseen = 0;
    if (badge) { badge.hidden = this.unseen === 0; badge.textContent = String(this.unseen); }
    const el = clear(this.el);
    el.append(h('p', { class: 'hint' },
      'Every time one of your aircraft was shown to another party, under an alert with it. ',
      'Coarse: rounded to the protocol\'s coarse precision (the other track was new).'));
    if (this.error) { el.append(h('div', { class: 'error' }, `Cannot read the ledger: ${this.error}`)); return; }
    if (this.rows.size === 0) { el.append(h('div', { class: 'empty' }, 'None of your aircraft has been shown to another party.')); return; }
    const body = h('tbody', {});
    for (const ev of [...this.rows.values()].reverse()) {
      const d = ev.data || {};
      body.append(h('tr', { dataset: { alertId: d.alert_id || '' } },
        h('td', {}, hhmmss(ev.at)), h('td', {}, d.to || ''), h('td', {}, d.aircraft || ''),
        h('td', { class: 'precision-' + (d.precision || '') }, d.precision || ''),
        h('td', {}, d.on || ''), h('td', {}, h('code', {}, d.alert_id || ''))));
    }
    el.append(h('table', { class: 'ledger' },
      h('thead', {}, h('tr', {}, ['When', 'To', 'Your aircraft', 'Precision', 'On', 'Alert'].map((t) => h('th', {}, t)))),
      body));
  }
}
