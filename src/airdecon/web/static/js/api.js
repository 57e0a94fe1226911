// The hub's API as the console uses it: bearer-token HTTP and the ordered event stream.

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || 'http_error';
    this.details = err.details;
  }
}

export class Api {
  constructor(token, base = '') { this.token = token; this.base = base; }

  async request(method, path, body) {
    const init = { method, headers: { Authorization: 'Bearer ' + this.token } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(this.base + path, init);
    let data = null;
    const text = await res.text();
    if (text) { try { data = JSON.parse(text); } catch { data = null; } }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body === undefined ? {} : body); }
}

// The WebSocket stream: events in order, resumed from the last cursor after any drop (no gaps).
// Callbacks: onEvent(ev, live), onHead(head) (a signed head of the party's record), onLive(), onState(text), onFatal(code), onReset(), and start():
// called whenever there is no cursor yet (at first, and after the hub refused one), it loads the
// current state over HTTP and resolves to the cursor to stream from. Without it, the stream
// starts from the beginning of the party's history.
export class Stream {
  constructor(token, handlers) {
    this.token = token;
    this.h = handlers;
    this.cursor = null;
    this.ws = null;
    this.closed = false;
    this.retry = 0;
    this.live = false;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ token: this.token });
    if (this.cursor) q.set('after', this.cursor);
    return `${proto}//${location.host}/v1/stream?${q}`;
  }

  async open() {
    if (this.closed) return;
    if (!this.cursor && this.h.start) {
      this.h.onState('loading');
      try {
        this.cursor = await this.h.start();
      } catch (e) {
        if (e.status === 401) { this.h.onFatal(4401); return; }
        this.reopenLater();
        return;
      }
    }
    this.h.onState('connecting');
    const ws = new WebSocket(this.url());
    this.ws = ws;
    this.live = false;
    ws.onopen = () => { this.h.onState(this.cursor ? 'catching up' : 'loading history'); };
    ws.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch { return; }
      if (msg.type === 'event') {
        this.cursor = msg.cursor;
        this.h.onEvent(msg, this.live);
      } else if (msg.type === 'head') {
        if (this.h.onHead) this.h.onHead(msg);
      } else if (msg.type === 'live') {
        this.cursor = msg.cursor || this.cursor;
        this.live = true;
        this.retry = 0;
        this.h.onState('live');
        this.h.onLive();
      }
    };
    ws.onclose = (e) => {
      this.ws = null;
      if (this.closed) return;
      if (e.code === 4401) { this.h.onFatal(4401); return; }
      if (e.code === 4400) { this.cursor = null; this.h.onReset && this.h.onReset(); }
      this.reopenLater();
    };
  }

  reopenLater() {
    const wait = Math.min(10000, 500 * 2 ** this.retry++);
    this.h.onState(`reconnecting in ${Math.round(wait / 1000)} s`);
    setTimeout(() => this.open(), wait);
  }

  close() { this.closed = true; if (this.ws) this.ws.close(); }
}
