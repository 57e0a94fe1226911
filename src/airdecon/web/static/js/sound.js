// The distress tone. Browsers keep an AudioContext suspended until the person clicks something on
// the page (Chromium's autoplay rule), so a tone started by a stream event alone is silent. The
// top bar carries a "Sound" button: one click creates and resumes the context (and plays a short
// test tone), after which every distress tone sounds. While sound is off and a distress awaits the
// party's acknowledgement, the button flashes to say the tone cannot be heard.
//
// What was played is observable for tests and the curious: state.tones counts oscillators
// started, state.context is the AudioContext's state, level() is the output level just now.
import { h } from './util.js';

export class Sound {
  constructor(host) {
    this.state = { context: 'none', tones: 0, last: null, wanted: 0 };
    this.ac = null;
    this.button = h('button', { id: 'sound', class: 'sound off', type: 'button', title: 'Distress tone' }, '');
    this.button.addEventListener('click', () => (this.on() ? this.off() : this.enable()));
    host.append(this.button);
    this._muted = false;
    this.render();
  }

  on() { return !!this.ac && this.ac.state === 'running' && !this._muted; }

  async enable() {
    try {
      if (!this.ac) {
        this.ac = new AudioContext();
        this.analyser = this.ac.createAnalyser();
        this.analyser.fftSize = 2048;
        this.analyser.connect(this.ac.destination);
        this.ac.addEventListener('statechange', () => this.render());
      }
      await this.ac.resume();
      this._muted = false;
      this.tone('test');
    } catch (e) {
      this.state.error = String(e && e.message || e);
    }
    this.render();
  }

  off() { this._muted = true; this.render(); }

  // One short tone: 880 Hz for a distress, 1250 Hz once escalated. Counted as wanted always, as
  // played only when the context runs.
  tone(stage) {
    this.state.wanted++;
    if (!this.on()) { this.render(); return false; }
    const ac = this.ac;
    const o = ac.createOscillator(), g = ac.createGain();
    o.frequency.value = stage === 'escalated' ? 1250 : stage === 'test' ? 660 : 880;
    g.gain.value = stage === 'test' ? 0.03 : 0.08;
    o.connect(g).connect(this.analyser);
    o.start(); o.stop(ac.currentTime + (stage === 'test' ? 0.15 : 0.35));
    this.state.tones++;
    this.state.last = { stage, hz: o.frequency.value, at: ac.currentTime };
    return true;
  }

  // RMS of the output over the last analyser window (0: silence).
  level() {
    if (!this.analyser) return 0;
    const buf = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(buf);
    let s = 0;
    for (const v of buf) s += v * v;
    return Math.sqrt(s / buf.length);
  }

  // urgent: a distress awaits this party's acknowledgement
  render(urgent) {
    if (urgent !== undefined) this._urgent = urgent;
    this.state.context = this.ac ? this.ac.state : 'none';
    const on = this.on();
    this.button.textContent = on ? '♪ Sound on' : '♪ Sound off — click to hear distress tones';
    this.button.className = 'sound ' + (on ? 'on' : 'off') + (!on && this._urgent ? ' urgent' : '');
    this.button.setAttribute('aria-pressed', String(on));
  }
}
