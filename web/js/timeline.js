// The timeline: one lane per node, time running left to right, reservations
// as buttons stacked when they overlap, free capacity shaded behind them,
// a line at "now", and dragging over a lane to book.

import { h, clear } from './dom.js';
import {
  HOUR, MINUTE, addDays, formatHour, formatShortDay, formatSpan, formatTime,
  sameDay, snap, startOfDay,
} from './time.js';

const DRAG_THRESHOLD_PX = 4;

// Puts overlapping items on separate rows; returns the number of rows.
export function stack(items) {
  const rowEnds = [];
  for (const item of items) {
    let row = rowEnds.findIndex((end) => end <= item.start);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(0);
    }
    rowEnds[row] = item.end;
    item.row = row;
  }
  return Math.max(rowEnds.length, 1);
}

export class Timeline {
  // onOpen(reservation, button), onBook({node, start, end})
  constructor(root, { onOpen, onBook }) {
    this.root = root;
    this.onOpen = onOpen;
    this.onBook = onBook;
    this.state = null;
    this.drag = null;
    this.pending = null;
    this.scroller = null;
  }

  // Forgets the view (after signing out), so the next render starts afresh.
  reset() {
    this.state = null;
    this.drag = null;
    this.pending = null;
    this.scroller = null;
    clear(this.root);
  }

  get step() {
    return this.state && this.state.view === 'week' ? HOUR : 15 * MINUTE;
  }

  // state: {view, from, to, lanes: [{node, capacity, free}], reservations, operator}
  render(state) {
    if (this.drag) {
      // Not under the pointer: the drag's end renders it.
      this.pending = state;
      return;
    }
    this.pending = null;
    const previous = this.state;
    const sameRange = previous && previous.view === state.view
      && +previous.from === +state.from;
    const scrollLeft = this.scroller ? this.scroller.scrollLeft : 0;
    const focusedId = this.root.contains(document.activeElement)
      ? document.activeElement.dataset.id : undefined;

    this.state = state;
    this.drag = null;
    const grid = h('div', { class: `tl-grid tl-${state.view}` });
    grid.append(this.axis());
    if (!state.lanes.length) {
      grid.append(h('p', { class: 'tl-empty' }, 'No nodes to show.'));
    }
    state.lanes.forEach((lane, i) => grid.append(this.lane(lane, i)));

    this.scroller = h('div', { class: 'tl-scroll' }, grid);
    clear(this.root).append(this.scroller);
    this.updateNow();

    if (sameRange) this.scroller.scrollLeft = scrollLeft;
    else this.scrollToInteresting();
    if (focusedId) {
      const again = this.root.querySelector(`.block[data-id="${CSS.escape(focusedId)}"]`);
      (again || this.root).focus({ preventScroll: true });
    }
  }

  // Percent of the view's width at a time (clamped to the view).
  pct(ms) {
    const { from, to } = this.state;
    const f = (ms - from) / (to - from);
    return Math.min(Math.max(f, 0), 1) * 100;
  }

  place(el, start, end) {
    const left = this.pct(start);
    el.style.left = `${left}%`;
    if (end !== undefined) el.style.width = `${this.pct(end) - left}%`;
  }

  axis() {
    const { view, from } = this.state;
    const track = h('div', { class: 'tl-axis', 'aria-hidden': 'true' });
    if (view === 'day') {
      for (let i = 0; i < 24; i += 2) {
        const at = new Date(from.getFullYear(), from.getMonth(), from.getDate(), i);
        const tick = h('span', { class: 'tick' }, formatHour(at));
        this.place(tick, +at);
        track.append(tick);
      }
    } else {
      const today = new Date();
      for (let i = 0; i < 7; i++) {
        const day = addDays(from, i);
        const tick = h('span', { class: `tick day${sameDay(day, today) ? ' today' : ''}` },
          formatShortDay(day));
        this.place(tick, +day, +addDays(day, 1));
        track.append(tick);
      }
    }
    track.append(h('div', { class: 'tl-now', hidden: true }));
    return h('div', { class: 'tl-row tl-head' },
      h('div', { class: 'tl-label tl-corner' }, 'Node'), track);
  }

  lane({ node, capacity, free }, index) {
    const { reservations, operator } = this.state;
    const labelId = `lane-${index}`;
    const track = h('div', { class: 'tl-track', dataset: { node } });

    for (const seg of free || []) {
      if (seg.free >= capacity) continue;
      const full = seg.free <= 0;
      const el = h('div', {
        class: `free-seg ${full ? 'full' : 'partial'}`,
        title: full ? 'Full' : `${seg.free} of ${capacity} places free`,
      });
      this.place(el, Date.parse(seg.start), Date.parse(seg.end));
      track.append(el);
    }

    const items = reservations.filter((r) => r.node === node)
      .map((r) => ({ r, start: Date.parse(r.start), end: Date.parse(r.end) }))
      .sort((a, b) => a.start - b.start || a.end - b.end);
    const rows = stack(items);
    track.style.setProperty('--rows', rows);
    for (const item of items) track.append(this.block(item, operator));

    track.append(h('div', { class: 'tl-now', hidden: true }));
    this.bindDrag(track, node);

    const label = h('div', { class: 'tl-label', id: labelId },
      h('span', { class: 'lane-name' }, node),
      h('span', { class: 'lane-cap' }, capacity === 1 ? '1 place' : `${capacity} places`));
    return h('div', { class: 'tl-row', role: 'group', 'aria-labelledby': labelId },
      label, track);
  }

  block({ r, start, end, row }, operator) {
    const now = Date.now();
    const span = formatSpan(new Date(start), new Date(end));
    const classes = ['block', r.visibility === 'private' ? 'private' : 'public'];
    if (end <= now) classes.push('past');
    else if (start <= now) classes.push('current');
    if (start < +this.state.from) classes.push('cut-start');
    if (end > +this.state.to) classes.push('cut-end');
    const who = operator ? `, owner ${r.owner}` : '';
    const label = `${r.stream}, ${span}, node ${r.node}, ${r.visibility}${who}`;
    const button = h('button', {
      type: 'button', class: classes.join(' '), dataset: { id: r.id },
      'aria-label': label, title: label,
    },
    h('span', { class: 'b-name' }, r.stream),
    h('span', { class: 'b-time' }, operator ? `${formatTime(new Date(start))} · ${r.owner}`
      : `${formatTime(new Date(start))} – ${formatTime(new Date(end))}`));
    button.addEventListener('click', () => this.onOpen(r, button));
    this.place(button, start, end);
    button.style.setProperty('--row', row);
    return button;
  }

  // Moves the "now" lines; called on every render (the 30 s refresh).
  updateNow() {
    if (!this.state) return;
    const now = Date.now();
    const inside = now >= +this.state.from && now < +this.state.to;
    for (const line of this.root.querySelectorAll('.tl-now')) {
      line.hidden = !inside;
      if (inside) this.place(line, now);
    }
  }

  // Shows the current time (or the morning) when the grid is wider than its box.
  scrollToInteresting() {
    const s = this.scroller;
    if (s.scrollWidth <= s.clientWidth) return;
    const { from, to, view } = this.state;
    const now = Date.now();
    let target = +from;
    if (now >= +from && now < +to) target = view === 'day' ? now - HOUR : +startOfDay(new Date());
    else if (view === 'day') target = +from + 8 * HOUR;
    const track = s.querySelector('.tl-track, .tl-axis');
    const labelWidth = track ? track.offsetLeft : 0;
    const trackWidth = s.scrollWidth - labelWidth;
    target = Math.max(target, +from);
    s.scrollLeft = (trackWidth * (target - from)) / (to - from);
  }

  timeAt(track, clientX) {
    const rect = track.getBoundingClientRect();
    const f = Math.min(Math.max((clientX - rect.left) / rect.width, 0), 1);
    return +this.state.from + f * (this.state.to - this.state.from);
  }

  // The snapped window between the drag's anchor and a time.
  dragWindow(drag, ms) {
    const origin = +this.state.from;
    const step = this.step;
    if (!drag.moved) {
      const start = snap(drag.anchor, step, origin, 'floor');
      return { start, end: start + Math.max(step, HOUR) };
    }
    let start = snap(Math.min(drag.anchor, ms), step, origin);
    let end = snap(Math.max(drag.anchor, ms), step, origin);
    if (end - start < step) end = start + step;
    if (end > +this.state.to) {
      end = +this.state.to;
      start = Math.min(start, end - step);
    }
    return { start, end };
  }

  bindDrag(track, node) {
    track.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || e.target.closest('.block')) return;
      const selection = h('div', { class: 'tl-selection', 'aria-hidden': 'true' },
        h('span', { class: 'sel-label' }));
      this.drag = {
        track, node, selection, x0: e.clientX, moved: false,
        anchor: this.timeAt(track, e.clientX), pointerId: e.pointerId,
      };
      if (e.pointerType === 'mouse') {
        track.setPointerCapture(e.pointerId);
        e.preventDefault();
      }
    });
    track.addEventListener('pointermove', (e) => {
      const drag = this.drag;
      if (!drag || drag.pointerId !== e.pointerId || drag.track !== track) return;
      if (!drag.moved && Math.abs(e.clientX - drag.x0) < DRAG_THRESHOLD_PX) return;
      if (!drag.moved) {
        drag.moved = true;
        track.append(drag.selection);
      }
      const { start, end } = this.dragWindow(drag, this.timeAt(track, e.clientX));
      this.place(drag.selection, start, end);
      drag.selection.firstChild.textContent = formatSpan(new Date(start), new Date(end));
    });
    const finish = (e, book) => {
      const drag = this.drag;
      if (!drag || drag.pointerId !== e.pointerId || drag.track !== track) return;
      const slot = book && this.dragWindow(drag, this.timeAt(track, e.clientX));
      this.drag = null;
      drag.selection.remove();
      if (this.pending) this.render(this.pending);
      if (slot) this.onBook({ node, start: new Date(slot.start), end: new Date(slot.end) });
    };
    track.addEventListener('pointerup', (e) => finish(e, true));
    track.addEventListener('pointercancel', (e) => finish(e, false));
  }
}
