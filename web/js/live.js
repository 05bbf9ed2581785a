// The live panel: polls /api/v1/streams every 2 s while the tab is visible.

import { api, ApiError } from './api.js';
import { $, h, clear } from './dom.js';
import { formatDateTime, formatTime, sameDay } from './time.js';

const POLL_MS = 2000;

const REASONS = {
  missing_token: 'no token',
  malformed_token: 'malformed token',
  unknown_token: 'unknown token',
  wrong_role: 'wrong token kind',
  wrong_stream: 'token for another stream',
  wrong_node: 'token for another node',
  cancelled: 'reservation cancelled',
  too_early: 'too early',
  ended: 'slot ended',
};

const kbits = (bps) => `${Math.round((bps || 0) / 1000).toLocaleString()} kbit/s`;

function when(iso) {
  const d = new Date(iso);
  return sameDay(d, new Date()) ? formatTime(d) : formatDateTime(d);
}

export class LivePanel {
  constructor(root) {
    this.root = root;
    this.streamsEl = $('#live-streams', root);
    this.refusalsBox = $('#live-refusals', root);
    this.refusalsEl = $('#live-refusals-body', root);
    this.updatedEl = $('#live-updated', root);
    this.timer = null;
    this.running = false;
    this.operator = false;
    this.inFlight = false;
    this.generation = 0; // bumped at stop: late answers are dropped
    document.addEventListener('visibilitychange', () => this.schedule(0));
  }

  start(operator) {
    this.operator = operator;
    this.running = true;
    this.refusalsBox.hidden = !operator;
    this.schedule(0);
  }

  stop() {
    this.running = false;
    this.generation++;
    clearTimeout(this.timer);
    this.timer = null;
    clear(this.streamsEl);
    clear(this.refusalsEl);
    this.updatedEl.textContent = '';
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.running || document.visibilityState !== 'visible') return;
    this.timer = setTimeout(() => this.poll(), delay);
  }

  async poll() {
    if (this.inFlight) return;
    this.inFlight = true;
    const generation = this.generation;
    try {
      const data = await api('GET', '/api/v1/streams');
      if (!this.running || generation !== this.generation) return;
      this.render(data || {});
      this.updatedEl.textContent = `Updated ${formatTime(new Date())}`;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      this.updatedEl.textContent = `Not updated: ${error.message}`;
    } finally {
      this.inFlight = false;
      this.schedule(POLL_MS);
    }
  }

  render(data) {
    const streams = data.streams || [];
    clear(this.streamsEl);
    if (!streams.length) {
      this.streamsEl.append(h('p', { class: 'muted empty' }, 'Nothing is live right now.'));
    } else {
      this.streamsEl.append(table(['Stream', 'State', 'Node', 'Since', 'Bitrate', 'Viewers'],
        streams.map((s) => [
          h('strong', {}, s.stream),
          s.live === false
            ? h('span', { class: 'pill waiting' }, 'Waiting for start')
            : h('span', { class: 'pill live' }, 'Live'),
          s.node,
          s.since ? when(s.since) : '–',
          kbits(s.bitrate),
          String(s.viewers ?? 0),
        ]), 'Live streams'));
    }
    if (this.operator) this.renderRefusals(data);
  }

  renderRefusals(data) {
    const recent = data.recent_refusals || [];
    clear(this.refusalsEl);
    if (!recent.length) {
      this.refusalsEl.append(h('p', { class: 'muted empty' }, 'No refused attempts.'));
    } else {
      this.refusalsEl.append(table(['Time', 'Stream', 'Reason', 'Address', 'Protocol'],
        recent.map((r) => [
          when(r.at), r.stream || '–', REASONS[r.reason] || r.reason,
          h('span', { class: 'mono' }, r.address || '–'),
          [(r.protocol || '').toUpperCase(), r.role].filter(Boolean).join(' '),
        ]), 'Refused attempts'));
    }
    const totals = Object.entries(data.refused || {}).filter(([, n]) => n > 0);
    if (totals.length) {
      this.refusalsEl.append(h('p', { class: 'hint' }, 'Since start: ',
        totals.map(([k, n]) => `${REASONS[k] || k} ${n}`).join(', '), '.'));
    }
  }
}

function table(headers, rows, caption) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c)))))));
}
