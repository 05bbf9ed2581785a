// Slotcast operator UI: wires the session, the timeline, the dialogs and the
// live panel together, and keeps the timeline fresh.

import { api, ApiError, onUnauthorized, query, setCsrfToken } from './api.js';
import { $, h, clear } from './dom.js';
import { BookingDialog } from './booking.js';
import { DetailsDialog } from './details.js';
import { LivePanel } from './live.js';
import { LoginView, endSession, resumeSession } from './session.js';
import { Timeline } from './timeline.js';
import {
  MINUTE, addDays, formatSpan, rangeLabel, snap, startOfDay, viewRange, zoneLabel,
} from './time.js';

const REFRESH_MS = 30 * 1000;

const state = {
  user: null, // {name, role}
  view: 'day',
  anchor: startOfDay(new Date()),
  lanes: [],
  refreshSeq: 0,
  timer: null,
};

const el = {
  appView: $('#app-view'),
  who: $('#who'),
  whoName: $('#who-name'),
  whoRole: $('#who-role'),
  logout: $('#logout'),
  rangeLabel: $('#range-label'),
  tzLabel: $('#tz-label'),
  status: $('#status'),
  timeline: $('#timeline'),
  prev: $('#nav-prev'),
  next: $('#nav-next'),
  today: $('#nav-today'),
  viewDay: $('#view-day'),
  viewWeek: $('#view-week'),
  bookOpen: $('#book-open'),
};

const isOperator = () => state.user && state.user.role === 'operator';

const timeline = new Timeline(el.timeline, {
  onOpen: (reservation, button) => details.open(reservation, button),
  onBook: (slot) => bookFromTimeline(slot),
});
const booking = new BookingDialog($('#booking'), { onBooked: booked });
const details = new DetailsDialog($('#details'), {
  onCancelled: cancelled,
  fallbackFocus: el.timeline,
});
const live = new LivePanel($('.live-card'));
const login = new LoginView($('#login-view'), { onLogin: signedIn });

// Status line under the toolbar; an optional action button after the text.
function status(text, action) {
  clear(el.status).append(text);
  if (action) {
    el.status.append(' ', h('button', { type: 'button', class: 'btn link', onclick: action.run },
      action.label));
  }
}

/* Session */

function signedIn(session) {
  state.user = { name: session.name, role: session.role };
  el.whoName.textContent = session.name;
  el.whoRole.textContent = session.role;
  el.who.hidden = false;
  document.title = `Slotcast – ${session.name}`;
  login.hide();
  el.appView.hidden = false;
  status('');
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (document.visibilityState === 'visible') refresh();
  }, REFRESH_MS);
  live.start(isOperator());
  updateView();
  el.timeline.focus();
}

function signedOut(notice) {
  state.user = null;
  state.refreshSeq++;
  clearInterval(state.timer);
  state.timer = null;
  setCsrfToken(null);
  live.stop();
  booking.close();
  details.close();
  timeline.reset();
  el.who.hidden = true;
  el.appView.hidden = true;
  document.title = 'Slotcast';
  login.show(notice);
}

onUnauthorized(() => {
  if (state.user) signedOut('Your session has ended. Please sign in again.');
});

el.logout.addEventListener('click', async () => {
  el.logout.disabled = true;
  try {
    await endSession();
    signedOut('You have signed out.');
  } catch (error) {
    status(`Signing out failed: ${error.message}`);
  } finally {
    el.logout.disabled = false;
  }
});

/* Timeline data */

function lanesFrom(availability, nodes) {
  const free = new Map((availability.nodes || []).map((n) => [n.node, n]));
  if (nodes) {
    return nodes.map((n) => ({
      node: n.name, capacity: n.capacity, free: free.has(n.name) ? free.get(n.name).free : [],
    }));
  }
  return (availability.nodes || []).map((n) => ({
    node: n.node, capacity: n.capacity, free: n.free || [],
  }));
}

// Up to 1000 reservations, or the server's own limit when it is lower
// (`[booking] list-limit`; a limit above it is a 400).
async function listReservations(window) {
  try {
    return await api('GET', `/api/v1/reservations?${window}&limit=1000`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'bad_query') throw error;
    return api('GET', `/api/v1/reservations?${window}`);
  }
}

async function refresh() {
  if (!state.user) return;
  const seq = ++state.refreshSeq;
  const { from, to } = viewRange(state.view, state.anchor);
  const window = query({ from, to });
  try {
    const [list, availability, nodes] = await Promise.all([
      listReservations(window),
      api('GET', `/api/v1/availability?${window}`),
      isOperator() ? api('GET', '/api/v1/nodes') : null,
    ]);
    if (seq !== state.refreshSeq || !state.user) return;
    state.lanes = lanesFrom(availability, nodes ? nodes.nodes : null);
    timeline.render({
      view: state.view, from, to, lanes: state.lanes,
      reservations: list.reservations || [], operator: isOperator(),
    });
    booking.configure({ nodes: state.lanes, operator: isOperator() });
    el.timeline.setAttribute('aria-busy', 'false');
    if (list.truncated) {
      status(`Only the first ${list.reservations.length} reservations are shown.`);
    }
  } catch (error) {
    if (seq !== state.refreshSeq) return;
    el.timeline.setAttribute('aria-busy', 'false');
    if (error instanceof ApiError && error.status === 401) return;
    status(`The timeline could not be loaded: ${error.message}`);
  }
}

/* Navigation */

function updateView() {
  const { from, to } = viewRange(state.view, state.anchor);
  const unit = state.view === 'week' ? 'week' : 'day';
  el.rangeLabel.textContent = rangeLabel(state.view, from, to);
  el.prev.setAttribute('aria-label', `Previous ${unit}`);
  el.next.setAttribute('aria-label', `Next ${unit}`);
  el.viewDay.setAttribute('aria-pressed', String(state.view === 'day'));
  el.viewWeek.setAttribute('aria-pressed', String(state.view === 'week'));
  el.tzLabel.textContent = `Times in ${zoneLabel(from)}.`;
  el.timeline.setAttribute('aria-label',
    `Timeline, ${state.view} view, ${el.rangeLabel.textContent}`);
  el.timeline.setAttribute('aria-busy', 'true');
  refresh();
}

function move(n) {
  state.anchor = addDays(state.anchor, n * (state.view === 'week' ? 7 : 1));
  updateView();
}

function goToday() {
  state.anchor = startOfDay(new Date());
  updateView();
}

function setView(view) {
  if (state.view === view) return;
  state.view = view;
  updateView();
}

el.prev.addEventListener('click', () => move(-1));
el.next.addEventListener('click', () => move(1));
el.today.addEventListener('click', goToday);
el.viewDay.addEventListener('click', () => setView('day'));
el.viewWeek.addEventListener('click', () => setView('week'));

el.timeline.addEventListener('keydown', (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const actions = {
    ArrowLeft: () => move(-1),
    ArrowRight: () => move(1),
    t: goToday,
    d: () => setView('day'),
    w: () => setView('week'),
  };
  const action = actions[e.key.length === 1 ? e.key.toLowerCase() : e.key];
  if (!action) return;
  e.preventDefault();
  action();
  if (e.target !== el.timeline) el.timeline.focus();
});

/* Booking and cancelling */

el.bookOpen.addEventListener('click', () => booking.open());

function bookFromTimeline({ node, start, end }) {
  const now = Date.now();
  if (+end <= now + MINUTE) {
    status('That time is over: drag over a time from now on.');
    return;
  }
  if (+start < now + 30 * 1000) {
    start = new Date(snap(now + MINUTE, MINUTE, 0, 'ceil'));
    if (end - start < 5 * MINUTE) end = new Date(+start + 15 * MINUTE);
  }
  booking.open({ node, start, end });
}

async function showReservation(id) {
  try {
    const r = await api('GET', `/api/v1/reservations/${encodeURIComponent(id)}`);
    details.open(r, el.timeline.querySelector(`.block[data-id="${CSS.escape(id)}"]`));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) status(error.message);
  }
}

function booked(ticket) {
  const start = new Date(ticket.start);
  const end = new Date(ticket.end);
  status(`Booked ${ticket.stream} on ${ticket.node}, ${formatSpan(start, end)}.`,
    { label: 'Show ticket', run: () => showReservation(ticket.id) });
  const { from, to } = viewRange(state.view, state.anchor);
  if (end <= from || start >= to) {
    state.anchor = startOfDay(start);
    updateView();
  } else {
    refresh();
  }
}

function cancelled(r) {
  status(`Cancelled ${r.stream} (${formatSpan(new Date(r.start), new Date(r.end))}).`);
  refresh();
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.user) refresh();
});

/* Start */

async function start() {
  el.tzLabel.textContent = `Times in ${zoneLabel()}.`;
  try {
    const session = await resumeSession();
    if (session) signedIn(session);
    else login.show();
  } catch (error) {
    login.show(`The server could not be reached (${error.message}).`);
  }
}

start();
