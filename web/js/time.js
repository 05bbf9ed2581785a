// Dates in the browser's time zone: view ranges, formatting, snapping.

export const MINUTE = 60 * 1000;
export const HOUR = 60 * MINUTE;

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const hourFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined,
  { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const shortDayFmt = new Intl.DateTimeFormat(undefined,
  { weekday: 'short', day: 'numeric', month: 'short' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined,
  { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit' });
const monthYearFmt = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
const dayMonthFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long' });

export function startOfDay(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

export function addDays(d, n) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n,
    d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

// Weeks start on Monday.
export function startOfWeek(d) {
  const day = startOfDay(d);
  return addDays(day, -((day.getDay() + 6) % 7));
}

// The half-open window a view shows around an anchor date.
export function viewRange(view, anchor) {
  const from = view === 'week' ? startOfWeek(anchor) : startOfDay(anchor);
  return { from, to: addDays(from, view === 'week' ? 7 : 1) };
}

export function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth()
    && a.getDate() === b.getDate();
}

export const formatTime = (d) => timeFmt.format(d);
export const formatHour = (d) => hourFmt.format(d);
export const formatDay = (d) => dayFmt.format(d);
export const formatShortDay = (d) => shortDayFmt.format(d);
export const formatDateTime = (d) => dateTimeFmt.format(d);

// "10:00 – 11:30", with the day when the end is on another day.
export function formatSpan(start, end) {
  if (sameDay(start, new Date(end - 1))) return `${formatTime(start)} – ${formatTime(end)}`;
  return `${formatDateTime(start)} – ${formatDateTime(end)}`;
}

// The label of a view's range: a day, or a week "23 – 29 November 2026".
export function rangeLabel(view, from, to) {
  if (view === 'day') return formatDay(from);
  const last = addDays(to, -1);
  if (from.getMonth() === last.getMonth()) {
    return `${from.getDate()} – ${last.getDate()} ${monthYearFmt.format(last)}`;
  }
  return `${dayMonthFmt.format(from)} – ${dayMonthFmt.format(last)} ${last.getFullYear()}`;
}

// "Europe/Berlin (CET)", "America/New York (EST)".
export function zoneLabel(at = new Date()) {
  const id = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = id ? id.replace(/_/g, ' ') : 'local time';
  const part = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' })
    .formatToParts(at).find((p) => p.type === 'timeZoneName');
  return part && part.value !== zone ? `${zone} (${part.value})` : zone;
}

const pad = (n) => String(n).padStart(2, '0');

// Value of an <input type="datetime-local">, minutes precision.
export function toLocalInput(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
    + `T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(s || '');
  if (!m) return null;
  return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
}

// Rounds a time to a step measured from an origin (a local midnight).
export function snap(ms, step, origin, mode = 'round') {
  const f = mode === 'floor' ? Math.floor : mode === 'ceil' ? Math.ceil : Math.round;
  return origin + f((ms - origin) / step) * step;
}

// Replaces the RFC 3339 times in a server message by local ones.
export function localizeTimes(text) {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g,
    (iso) => {
      const d = new Date(iso);
      return Number.isNaN(+d) ? iso : formatDateTime(d);
    });
}

// "2 h 30 min" for a length in ms.
export function formatLength(ms) {
  const min = Math.round(ms / MINUTE);
  const h = Math.floor(min / 60);
  const m = min % 60;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}
