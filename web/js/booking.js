// The booking form in its <dialog>: prefilled from a drag or the "Book"
// button, validated here first, errors shown next to the field concerned.

import { api, ApiError } from './api.js';
import { $, h, clear, setMessage } from './dom.js';
import {
  MINUTE, formatDateTime, formatLength, fromLocalInput, snap, toLocalInput,
} from './time.js';

const STREAM_RE = /^[A-Za-z0-9_-]{1,64}$/;
const FIELDS = ['stream', 'start', 'duration', 'node', 'visibility', 'owner'];
// Which form field shows the server's complaint about an API field.
const API_FIELD = { stream: 'stream', start: 'start', end: 'duration', node: 'node',
  visibility: 'visibility', owner: 'owner' };

// The next quarter hour at least a minute away.
export function nextQuarter(now = Date.now()) {
  return new Date(snap(now + MINUTE, 15 * MINUTE, 0, 'ceil'));
}

export class BookingDialog {
  constructor(dialog, { onBooked }) {
    this.dialog = dialog;
    this.form = $('form', dialog);
    this.onBooked = onBooked;
    this.operator = false;
    this.busy = false;
    this.inputs = {
      stream: $('#bf-stream', dialog),
      start: $('#bf-start', dialog),
      duration: $('#bf-duration', dialog),
      node: $('#bf-node', dialog),
      owner: $('#bf-owner', dialog),
    };
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.form.addEventListener('input', () => this.updateSummary());
    for (const b of dialog.querySelectorAll('[data-close]')) {
      b.addEventListener('click', () => dialog.close());
    }
  }

  // nodes: [{node, capacity}]; operators may book for another owner.
  configure({ nodes, operator }) {
    const key = JSON.stringify([operator, nodes.map((n) => [n.node, n.capacity])]);
    if (key === this.configured) return;
    this.configured = key;
    this.operator = operator;
    $('#bf-owner-field', this.dialog).hidden = !operator;
    const select = this.inputs.node;
    const chosen = select.value;
    clear(select).append(h('option', { value: '' }, 'Any node (most free places)'));
    for (const n of nodes) {
      select.append(h('option', { value: n.node }, `${n.node} (${n.capacity} places)`));
    }
    select.value = nodes.some((n) => n.node === chosen) ? chosen : '';
  }

  open({ node, start, end } = {}) {
    const from = start || nextQuarter();
    const to = end || new Date(+from + 60 * MINUTE);
    this.clearErrors();
    this.inputs.start.value = toLocalInput(from);
    this.inputs.duration.value = String(Math.max(1, Math.round((to - from) / MINUTE)));
    if (node !== undefined) this.inputs.node.value = node;
    this.updateSummary();
    if (!this.dialog.open) this.dialog.showModal();
    this.inputs.stream.focus();
    if (this.inputs.stream.value) this.inputs.stream.select();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  errorEl(field) {
    return $(`#bf-${field}-error`, this.dialog);
  }

  controlOf(field) {
    if (field === 'visibility') return this.form.querySelector('input[name="visibility"]:checked');
    return this.inputs[field];
  }

  clearErrors() {
    for (const f of FIELDS) {
      setMessage(this.errorEl(f), '');
      const control = f === 'visibility' ? null : this.inputs[f];
      if (control) control.removeAttribute('aria-invalid');
    }
    setMessage($('#bf-form-error', this.dialog), '');
  }

  showError(field, text) {
    if (!field) {
      setMessage($('#bf-form-error', this.dialog), text);
      return;
    }
    setMessage(this.errorEl(field), text);
    const control = this.controlOf(field);
    if (control && field !== 'visibility') control.setAttribute('aria-invalid', 'true');
  }

  // The form's values checked here; returns [body, errors].
  read() {
    const errors = [];
    const stream = this.inputs.stream.value.trim();
    if (!stream) errors.push(['stream', 'Enter a stream name.']);
    else if (!STREAM_RE.test(stream)) {
      errors.push(['stream', 'Use 1 to 64 letters, digits, - or _ only.']);
    }
    const start = fromLocalInput(this.inputs.start.value);
    if (!start) errors.push(['start', 'Enter a start date and time.']);
    const minutes = Number(this.inputs.duration.value);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      errors.push(['duration', 'Enter whole minutes from 1 to 1440 (24 h).']);
    }
    const body = {
      stream,
      start: start ? start.toISOString() : null,
      end: start ? new Date(+start + minutes * MINUTE).toISOString() : null,
      visibility: this.form.elements.visibility.value || 'public',
    };
    if (this.inputs.node.value) body.node = this.inputs.node.value;
    const owner = this.inputs.owner.value.trim();
    if (this.operator && owner) body.owner = owner;
    return [body, errors];
  }

  updateSummary() {
    const start = fromLocalInput(this.inputs.start.value);
    const minutes = Number(this.inputs.duration.value);
    const out = $('#bf-summary', this.dialog);
    if (!start || !Number.isInteger(minutes) || minutes < 1) {
      out.textContent = '';
      return;
    }
    const end = new Date(+start + minutes * MINUTE);
    out.textContent = `Ends ${formatDateTime(end)} (${formatLength(minutes * MINUTE)}).`;
  }

  async submit() {
    if (this.busy) return;
    this.clearErrors();
    const [body, errors] = this.read();
    if (errors.length) {
      for (const [field, text] of errors) this.showError(field, text);
      this.controlOf(errors[0][0]).focus();
      return;
    }
    this.setBusy(true);
    try {
      const ticket = await api('POST', '/api/v1/reservations', { body });
      this.close();
      this.onBooked(ticket);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) {
        if (error.status !== 401) this.showError(null, String(error.message || error));
        return;
      }
      const field = this.fieldFor(error);
      this.showError(field, field ? error.text : error.message);
      const control = field && this.controlOf(field);
      if (control) control.focus();
    } finally {
      this.setBusy(false);
    }
  }

  fieldFor(error) {
    if (error.code === 'stream_taken') return 'stream';
    if (error.code === 'no_capacity') return 'node';
    if (error.code === 'invalid_field') return API_FIELD[error.field] || null;
    return null;
  }

  setBusy(busy) {
    this.busy = busy;
    const button = $('#bf-submit', this.dialog);
    button.disabled = busy;
    button.textContent = busy ? 'Booking…' : 'Book';
    this.form.setAttribute('aria-busy', String(busy));
  }
}
