// The reservation details <dialog>: facts, the ticket's connection data with
// copy buttons, the ticket download, "Open in uploader", and cancelling.

import { api, ApiError } from './api.js';
import { $, h, clear, refocus, setMessage } from './dom.js';
import { formatDateTime, formatLength } from './time.js';

const ticketPath = (id) => `/api/v1/reservations/${encodeURIComponent(id)}/ticket`;

// Copies text; falls back to selecting it in its field for Ctrl+C.
export async function copyText(text, input) {
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    input.focus();
    input.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    return copied ? 'copied' : 'selected';
  }
}

export class DetailsDialog {
  // onCancelled(reservation); fallbackFocus: where focus goes if the opener is gone
  constructor(dialog, { onCancelled, fallbackFocus }) {
    this.dialog = dialog;
    this.onCancelled = onCancelled;
    this.fallbackFocus = fallbackFocus;
    this.reservation = null;
    this.opener = null;
    this.loadId = 0;
    this.el = {
      title: $('#details-title', dialog),
      facts: $('#details-facts', dialog),
      ticket: $('#details-ticket', dialog),
      error: $('#details-error', dialog),
      confirm: $('#details-confirm', dialog),
      cancel: $('#details-cancel', dialog),
      yes: $('#details-confirm-yes', dialog),
      no: $('#details-confirm-no', dialog),
    };
    for (const b of dialog.querySelectorAll('[data-close]')) {
      b.addEventListener('click', () => dialog.close());
    }
    dialog.addEventListener('close', () => {
      this.loadId++;
      clear(this.el.ticket); // its tokens do not stay in the page
      refocus(this.opener, this.fallbackFocus);
    });
    this.el.cancel.addEventListener('click', () => this.askCancel(true));
    this.el.no.addEventListener('click', () => this.askCancel(false));
    this.el.yes.addEventListener('click', () => this.cancel());
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  open(reservation, opener) {
    this.reservation = reservation;
    this.opener = opener || null;
    this.el.title.textContent = `Reservation ${reservation.stream}`;
    this.renderFacts(reservation);
    setMessage(this.el.error, '');
    this.askCancel(false, false);
    this.el.cancel.hidden = reservation.state !== 'booked';
    if (!this.dialog.open) this.dialog.showModal();
    this.loadTicket(reservation);
  }

  renderFacts(r) {
    const start = new Date(r.start);
    const end = new Date(r.end);
    const rows = [
      ['Stream', r.stream],
      ['Node', r.node],
      ['Owner', r.owner],
      ['Start', formatDateTime(start)],
      ['End', formatDateTime(end)],
      ['Length', formatLength(end - start)],
      ['State', r.state === 'booked' ? 'Booked' : 'Cancelled'],
      ['Visibility', r.visibility === 'private' ? 'Private (view token needed)' : 'Public'],
    ];
    if (r.created_at) rows.push(['Booked at', formatDateTime(new Date(r.created_at))]);
    if (r.cancelled_at) rows.push(['Cancelled at', formatDateTime(new Date(r.cancelled_at))]);
    clear(this.el.facts);
    for (const [k, v] of rows) {
      this.el.facts.append(h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v)));
    }
  }

  async loadTicket(r) {
    const id = ++this.loadId;
    clear(this.el.ticket).append(h('p', { class: 'muted' }, 'Loading the ticket…'));
    try {
      const ticket = await api('GET', ticketPath(r.id));
      if (id === this.loadId) this.renderTicket(r, ticket);
    } catch (error) {
      if (id !== this.loadId) return;
      clear(this.el.ticket);
      if (!(error instanceof ApiError) || error.status !== 401) {
        setMessage(this.el.error, `The ticket could not be loaded: ${error.message}`);
      }
    }
  }

  renderTicket(r, ticket) {
    const c = ticket.connection || {};
    const status = h('p', { class: 'copy-status', role: 'status' });
    const rows = [
      ['rtsp', 'RTSP publish URL', c.rtsp_publish_url],
      ['obs-server', 'OBS server', c.rtmp_server_url],
      ['obs-key', 'OBS stream key', c.rtmp_stream_key],
      ['play', 'Play URL', c.rtsp_play_url],
      ['dial-in', 'Dial-in', c.dial_in],
    ].filter(([, , value]) => value);
    const list = h('div', { class: 'copy-list' },
      rows.map(([key, label, value]) => this.copyRow(key, label, value, status)));

    const handoff = h('p', { class: 'hint', id: 'details-handoff', role: 'status' });
    const uploader = h('button', {
      type: 'button', class: 'btn', id: 'details-uploader',
      'aria-describedby': 'details-handoff',
    }, 'Send to uploader…');
    uploader.addEventListener('click', () => this.openInUploader(r, uploader, handoff));
    const links = h('div', { class: 'ticket-links' },
      h('a', {
        class: 'btn', id: 'details-download', href: ticketPath(r.id),
        download: `${r.stream}-${r.id}.slotcast-ticket`,
      }, 'Download ticket'),
      r.state === 'booked' ? uploader : null);

    const early = ticket.admit_early_s
      ? `The publisher is admitted from ${ticket.admit_early_s} s before the start.` : '';
    clear(this.el.ticket).append(
      h('h3', {}, 'Connection'),
      h('p', { class: 'hint' }, 'Keep these secret: the token in them lets anyone publish. ',
        early),
      list, status, links, handoff);
  }

  // Makes a one-use link (10 min) the uploader fetches without a key and
  // offers it as slotcast://import?url=… ("Open in uploader"), and as a
  // command for machines where the link handler is not installed.
  async openInUploader(r, button, handoff) {
    button.disabled = true;
    setMessage(this.el.error, '');
    try {
      const link = await api('POST',
        `/api/v1/reservations/${encodeURIComponent(r.id)}/ticket-link`);
      const url = new URL(link.path, window.location.origin).href;
      const handler = `slotcast://import?url=${encodeURIComponent(url)}`;
      const until = formatDateTime(new Date(link.expires));
      // The user follows the link: the browser asks before it starts the
      // uploader (a script-started navigation to a custom scheme is
      // blocked or, headless, stalls the page).
      clear(handoff).append(
        h('a', { class: 'btn primary', id: 'details-uploader-open', href: handler },
          'Open in uploader'),
        ` Works once, until ${until}. Without the link handler, run: `,
        h('code', { class: 'mono', id: 'details-import-command' },
          `slotcast-upload import '${handler}'`));
      handoff.hidden = false;
      handoff.querySelector('a').focus();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        setMessage(this.el.error, `No uploader link: ${error.message}`);
      }
    } finally {
      button.disabled = false;
    }
  }

  copyRow(key, label, value, status) {
    const inputId = `ticket-${key}`;
    const input = h('input', {
      id: inputId, class: 'mono', type: 'text', readOnly: true, value,
      spellcheck: 'false',
    });
    const button = h('button', {
      type: 'button', class: 'btn small', 'aria-label': `Copy ${label}`,
      dataset: { copy: key },
    }, 'Copy');
    button.addEventListener('click', async () => {
      const how = await copyText(value, input);
      status.textContent = how === 'copied' ? `${label} copied.`
        : `${label} selected: press Ctrl+C (⌘C) to copy it.`;
      button.textContent = how === 'copied' ? 'Copied' : 'Selected';
      setTimeout(() => { button.textContent = 'Copy'; }, 2000);
    });
    return h('div', { class: 'copy-row' },
      h('label', { for: inputId }, label),
      h('div', { class: 'copy-field' }, input, button));
  }

  askCancel(show, focus = true) {
    this.el.confirm.hidden = !show;
    this.el.cancel.disabled = show;
    if (show && focus) this.el.no.focus();
    else if (!show && focus) this.el.cancel.focus();
  }

  async cancel() {
    const r = this.reservation;
    this.el.yes.disabled = true;
    setMessage(this.el.error, '');
    try {
      await api('DELETE', `/api/v1/reservations/${encodeURIComponent(r.id)}`);
      this.done(r);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'already_cancelled') this.done(r);
      else if (!(error instanceof ApiError) || error.status !== 401) {
        setMessage(this.el.error, `Not cancelled: ${error.message}`);
      }
    } finally {
      this.el.yes.disabled = false;
    }
  }

  done(r) {
    this.askCancel(false, false);
    this.close();
    this.onCancelled(r);
  }
}
