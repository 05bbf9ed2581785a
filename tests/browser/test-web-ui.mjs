#!/usr/bin/env node
// Browser test of the Slotcast web UI: a real `slotcast serve` on free
// ports, Debian's Chromium driven by playwright-core, TAP on stdout.
//
//   SLOTCAST=build/src/slotcast SCREENSHOT_DIR=build/screenshots \
//     node tests/browser/test-web-ui.mjs
//
// Exits 77 (skip) only when chromium or the playwright-core module is
// missing (cd tests/browser && npm ci). Every other problem is a failure.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const CHROMIUM = '/usr/bin/chromium';
const OVERALL_TIMEOUT_MS = 180 * 1000; // meson's timeout is 240 s
const STEP_TIMEOUT_MS = 15 * 1000;
const PASSWORDS = { admin: 'admin-secret-1', alice: 'alice-secret-1', bob: 'bob-secret-1' };

// Under CI (CI=true) nothing may be missing: tools/test installs it all.
function skip(reason) {
  if (process.env.CI === 'true') {
    console.log(`Bail out! ${reason}`);
    process.exit(1);
  }
  console.log(`1..0 # SKIP ${reason}`);
  process.exit(77);
}

if (!fs.existsSync(CHROMIUM)) skip(`${CHROMIUM} not found`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  skip('playwright-core not installed (cd tests/browser && npm ci)');
}

const SLOTCAST = process.env.SLOTCAST;
if (!SLOTCAST || !fs.existsSync(SLOTCAST)) {
  console.log('Bail out! SLOTCAST must name the slotcast binary');
  process.exit(1);
}

/* Clean-up, whatever happens */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slotcast-ui-'));
const shotDir = process.env.SCREENSHOT_DIR
  || fs.mkdtempSync(path.join(os.tmpdir(), 'slotcast-ui-shots-'));
fs.mkdirSync(shotDir, { recursive: true });
let server = null;
let serverLog = '';
const publishers = []; // ffmpeg processes, see publish()
let browser = null;

async function cleanup() {
  for (const p of publishers) if (p.exitCode === null) p.kill('SIGKILL');
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  server = null;
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const guard = setTimeout(async () => {
  console.log(`Bail out! no result after ${OVERALL_TIMEOUT_MS / 1000} s`);
  await cleanup();
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    console.log(`Bail out! ${signal}`);
    await cleanup();
    process.exit(1);
  });
}

/* The server */

function slotcast(args, input) {
  const r = spawnSync(SLOTCAST, [...args, '--data-dir', dataDir],
    { input: input ?? '', encoding: 'utf8', timeout: 15000 });
  if (r.status !== 0) {
    throw new Error(`slotcast ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
  return r.stdout;
}

function addUser(name, role) {
  const out = slotcast(['user', 'add', name, '--role', role]);
  const key = out.split('\n').map((l) => l.trim()).find((l) => /^[A-Za-z0-9_-]{43}$/.test(l));
  if (!key) throw new Error(`no API key in the output of user add ${name}: ${out}`);
  slotcast(['user', 'passwd', name], `${PASSWORDS[name]}\n`);
  return key;
}

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(SLOTCAST, ['serve', '--data-dir', dataDir, '--http-port', '0',
      '--rtsp-port', '0', '--rtmp-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-8000); });
    const timer = setTimeout(() => reject(new Error('no http-port= line within 20 s')), 20000);
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`slotcast serve exited (${code ?? signal}): ${serverLog}`));
    });
    readline.createInterface({ input: server.stdout }).on('line', (line) => {
      const m = /^http-port=(\d+)$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
}

/* Time: a zone where it is around noon now, so that nothing the test books
   crosses midnight (or a week's end) while it runs. */

const ZONES = ['Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/Anchorage',
  'America/Los_Angeles', 'America/Denver', 'America/Chicago', 'America/New_York',
  'America/Halifax', 'America/Sao_Paulo', 'America/Noronha', 'Atlantic/Cape_Verde',
  'Europe/London', 'Europe/Berlin', 'Europe/Athens', 'Europe/Moscow', 'Asia/Dubai',
  'Asia/Karachi', 'Asia/Dhaka', 'Asia/Bangkok', 'Asia/Shanghai', 'Asia/Tokyo',
  'Australia/Brisbane', 'Pacific/Noumea', 'Pacific/Auckland', 'Pacific/Tongatapu'];

function hourIn(zone, at) {
  const parts = new Intl.DateTimeFormat('en-GB',
    { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const get = (t) => Number(parts.find((p) => p.type === t).value);
  return get('hour') + get('minute') / 60;
}

function noonZone() {
  const now = new Date();
  return ZONES.reduce((best, z) =>
    (Math.abs(hourIn(z, now) - 12) < Math.abs(hourIn(best, now) - 12) ? z : best));
}

/* TAP */

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
}

function diag(error) {
  const text = String(error && error.stack ? error.stack : error);
  return ['  ---', '  message: |', ...text.split('\n').slice(0, 12).map((l) => `    ${l}`), '  ...']
    .join('\n');
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/* The browser session used by most tests */

let base;
let page;
let context;
const keys = {};
const pageErrors = [];

function watch(p) {
  p.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  p.on('console', (m) => {
    // Failed requests (401 at load, 409 on a conflict) are expected; CSP
    // violations and script errors are not.
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) {
      pageErrors.push(`console: ${m.text()}`);
    }
  });
  // Only API answers may fail (401 before login, 409 on a conflict…);
  // a page file that does not load is an error.
  p.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/')) {
      pageErrors.push(`${r.status()} for ${r.url()}`);
    }
  });
}

async function newPage(viewport) {
  const ctx = await browser.newContext({
    viewport, locale: 'en-GB', timezoneId: noonZone(), reducedMotion: 'reduce',
  });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const p = await ctx.newPage();
  p.setDefaultTimeout(STEP_TIMEOUT_MS);
  watch(p);
  return [ctx, p];
}

async function logIn(p, name, password = PASSWORDS[name]) {
  await p.locator('#login-form').waitFor();
  await p.fill('#login-name', name);
  await p.fill('#login-password', password);
  await p.click('#login-submit');
}

async function loggedIn(p, name) {
  await p.locator('#app-view').waitFor();
  await p.locator('#who-name', { hasText: name }).waitFor();
}

const block = (p, stream) => p.locator('#timeline .block', {
  has: p.locator('.b-name', { hasText: new RegExp(`^${stream}$`) }),
});

async function bookWithForm(p, stream) {
  await p.click('#book-open');
  await p.locator('#booking').waitFor();
  await p.fill('#bf-stream', stream);
  await p.fill('#bf-duration', '30');
  await p.click('#bf-submit');
}

async function bookViaApi(key, body) {
  const r = await fetch(`${base}/api/v1/reservations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status !== 201) throw new Error(`booking through the API: ${r.status} ${await r.text()}`);
  return r.json();
}

test('log in: a wrong password shows an error', async () => {
  await page.goto(`${base}/`);
  await logIn(page, 'alice', 'not-the-password');
  await page.locator('#login-error', { hasText: 'Wrong user name or password' }).waitFor();
  check(await page.locator('#app-view').isHidden(), 'the app is shown after a wrong password');
});

test('log in: the right password shows the app', async () => {
  await logIn(page, 'alice');
  await loggedIn(page, 'alice');
  await page.locator('#who-role', { hasText: 'broadcaster' }).waitFor();
  await page.locator('.tl-track[data-node="local"]').waitFor();
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  await page.locator('#tz-label', { hasText: zone.replace(/_/g, ' ') }).waitFor();
  await page.locator('#live-streams', { hasText: 'Nothing is live' }).waitFor();
});

test('book a slot with the form; its block is on the timeline', async () => {
  await bookWithForm(page, 'alice-news');
  await page.locator('#booking').waitFor({ state: 'hidden' });
  await block(page, 'alice-news').waitFor();
  await page.locator('#status', { hasText: 'Booked alice-news' }).waitFor();
  check(await block(page, 'alice-news').count() === 1, 'not exactly one alice-news block');
});

test('a conflicting booking shows the conflict next to the stream field', async () => {
  await bookWithForm(page, 'alice-news');
  const error = page.locator('#bf-stream-error');
  await error.waitFor();
  check(/already booked/i.test(await error.textContent()),
    `unexpected message: ${await error.textContent()}`);
  const input = page.locator('#bf-stream');
  check((await input.getAttribute('aria-describedby')).includes('bf-stream-error'),
    'the stream field is not described by its error');
  check(await input.getAttribute('aria-invalid') === 'true', 'the stream field is not invalid');
  check(await input.inputValue() === 'alice-news', 'the form lost its stream value');
  check(await page.locator('#bf-duration').inputValue() === '30', 'the form lost its duration');
  check(await error.getAttribute('role') === 'alert', 'the error is not an alert');
});

test('reservation details: connection data, copy, ticket and uploader links', async () => {
  await page.click('#booking .dialog-foot [data-close]');
  await page.locator('#booking').waitFor({ state: 'hidden' });
  await block(page, 'alice-news').focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('#details');
  await dialog.waitFor();
  await dialog.locator('.facts', { hasText: 'alice-news' }).waitFor();
  await dialog.locator('#ticket-rtsp').waitFor();
  const value = (id) => dialog.locator(id).inputValue();
  const rtsp = await value('#ticket-rtsp');
  check(/^rtsp:\/\/[^/]+\/live\/alice-news\?token=[A-Za-z0-9_-]{43}$/.test(rtsp),
    `RTSP URL ${rtsp}`);
  check(/^rtmp:\/\/[^/]+\/live$/.test(await value('#ticket-obs-server')), 'OBS server');
  check(/^alice-news\?token=[A-Za-z0-9_-]{43}$/.test(await value('#ticket-obs-key')), 'OBS key');
  check(/^rtsp:\/\/[^/]+\/live\/alice-news$/.test(await value('#ticket-play')), 'play URL');
  for (const label of ['RTSP publish URL', 'OBS server', 'OBS stream key', 'Play URL']) {
    await dialog.getByRole('button', { name: `Copy ${label}` }).waitFor();
  }
  await dialog.getByRole('button', { name: 'Copy RTSP publish URL' }).click();
  await dialog.locator('.copy-status', { hasText: 'RTSP publish URL' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === rtsp, `the clipboard holds ${copied}`);

  const download = dialog.getByRole('link', { name: 'Download ticket' });
  const href = await download.getAttribute('href');
  const id = /^\/api\/v1\/reservations\/([^/]+)\/ticket$/.exec(href);
  check(id, `ticket link ${href}`);
  check(await download.getAttribute('download') === `alice-news-${id[1]}.slotcast-ticket`,
    'download name');
  const ticket = await page.request.get(`${base}${href}`);
  check(ticket.status() === 200, `the ticket link answers ${ticket.status()}`);
  check((await ticket.json()).type === 'slotcast-ticket', 'the ticket link gives no ticket');
  // "Open in uploader": a one-use link, shown as a command too.
  await dialog.getByRole('button', { name: 'Send to uploader…' }).click();
  const open = await dialog.getByRole('link', { name: 'Open in uploader' }).getAttribute('href');
  const command = await dialog.locator('#details-import-command').textContent();
  const handler = /^slotcast-upload import '(slotcast:\/\/import\?url=([^']+))'$/.exec(command);
  check(handler, `import command ${command}`);
  check(open === handler[1], `the uploader link ${open} is not the command's`);
  const linkUrl = decodeURIComponent(handler[2]);
  check(linkUrl.startsWith(`${base}/api/v1/tickets/`), `ticket link ${linkUrl}`);
  const byLink = await page.request.get(linkUrl, { headers: { Cookie: '' } });
  check(byLink.status() === 200, `the one-use link answers ${byLink.status()}`);
  check((await byLink.json()).id === id[1], 'the one-use link gives another ticket');
  const again = await page.request.get(linkUrl);
  check(again.status() === 404, `the used link answers ${again.status()}`);
});

test('cancel, after the confirm step, removes the block', async () => {
  const dialog = page.locator('#details');
  await dialog.getByRole('button', { name: 'Cancel reservation' }).click();
  await page.locator('#details-confirm').waitFor();
  check(await block(page, 'alice-news').count() === 1, 'cancelled before confirming');
  await page.click('#details-confirm-yes');
  await dialog.waitFor({ state: 'hidden' });
  await block(page, 'alice-news').waitFor({ state: 'detached' });
  await page.locator('#status', { hasText: 'Cancelled alice-news' }).waitFor();
});

test('book by dragging over a lane', async () => {
  const track = page.locator('.tl-track[data-node="local"]');
  const box = await track.boundingBox();
  const range = await page.evaluate(() => {
    const now = Date.now();
    const from = new Date(); from.setHours(0, 0, 0, 0);
    const to = new Date(from); to.setDate(to.getDate() + 1);
    return { f1: (now + 3600e3 - from) / (to - from), f2: (now + 7200e3 - from) / (to - from) };
  });
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * range.f1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * (range.f1 + range.f2) / 2, y, { steps: 4 });
  await page.mouse.move(box.x + box.width * range.f2, y, { steps: 4 });
  await page.mouse.up();
  await page.locator('#booking').waitFor();
  check(await page.locator('#bf-node').inputValue() === 'local', 'node not prefilled');
  const minutes = Number(await page.locator('#bf-duration').inputValue());
  check(minutes >= 45 && minutes <= 75 && minutes % 15 === 0, `duration ${minutes}`);
  await page.fill('#bf-stream', 'alice-drag');
  await page.click('#bf-submit');
  await page.locator('#booking').waitFor({ state: 'hidden' });
  await block(page, 'alice-drag').waitFor();
});

test("broadcaster alice does not see bob's reservation", async () => {
  await page.click('#nav-today');
  await block(page, 'alice-drag').waitFor();
  check(await block(page, 'bob-show').count() === 0, "alice sees bob's block");
  const list = await (await page.request.get(`${base}/api/v1/reservations`)).json();
  check(!list.reservations.some((r) => r.stream === 'bob-show'), "alice's list has bob-show");
});

test('log out: back to the login form, the old cookie no longer works', async () => {
  const cookie = (await context.cookies(base)).find((c) => c.name === 'slotcast_session');
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'no strict HttpOnly cookie');
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  check(await page.locator('#app-view').isHidden(), 'the app is still shown');
  const plain = await page.request.get(`${base}/api/v1/session`);
  check(plain.status() === 401, `GET /api/v1/session after logout: ${plain.status()}`);
  const old = await page.request.get(`${base}/api/v1/session`,
    { headers: { Cookie: `slotcast_session=${cookie.value}` } });
  check(old.status() === 401, `the old cookie still answers ${old.status()}`);
});

test('operator admin sees both reservations, one lane per node', async () => {
  await logIn(page, 'admin');
  await loggedIn(page, 'admin');
  await page.locator('#who-role', { hasText: 'operator' }).waitFor();
  await block(page, 'bob-show').waitFor();
  await block(page, 'alice-drag').waitFor();
  const nodes = await (await page.request.get(`${base}/api/v1/nodes`)).json();
  check(await page.locator('.tl-track').count() === nodes.nodes.length, 'lanes ≠ nodes');
  await page.locator('#live-refusals').waitFor();
});

// ffmpeg publishing a test pattern over RTSP (tools/test installs ffmpeg).
function publish(url) {
  const p = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi',
    '-i', 'testsrc=size=320x240:rate=25', '-pix_fmt', 'yuv420p', '-c:v', 'libx264',
    '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25',
    '-f', 'rtsp', '-rtsp_transport', 'tcp', url], { stdio: 'ignore' });
  publishers.push(p);
  return p;
}

test('live panel: a real publisher is live, a bad token is refused', async () => {
  const start = new Date(Date.now() + 1000);
  const ticket = await bookViaApi(keys.admin, {
    stream: 'live-news', start: start.toISOString(),
    end: new Date(start.getTime() + 120000).toISOString(),
  });
  publish(ticket.connection.rtsp_publish_url);
  const row = page.locator('#live-streams tr', { hasText: 'live-news' });
  await row.locator('.pill.live').waitFor({ timeout: 30000 });
  check(/[1-9][\d,.]* kbit\/s/.test(await row.textContent()),
    `no bitrate in ${await row.textContent()}`);

  const bad = publish(ticket.connection.rtsp_publish_url
    .replace(/live-news\?token=.*/, 'intruder?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
  await page.locator('#live-refusals-body tr', { hasText: 'intruder' }).waitFor();
  const refused = await page.locator('#live-refusals-body tr', { hasText: 'intruder' })
    .textContent();
  check(/127\.0\.0\.1/.test(refused) && /rtsp/i.test(refused), `refusal row ${refused}`);
  for (const p of publishers) p.kill('SIGTERM');
  await new Promise((resolve) => (bad.exitCode !== null ? resolve() : bad.once('exit', resolve)));
});

test('keyboard: ArrowRight on the focused timeline shows the next day', async () => {
  const label = page.locator('#range-label');
  const before = await label.textContent();
  await page.focus('#timeline');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((old) =>
    document.querySelector('#range-label').textContent !== old, before);
  const expected = await page.evaluate(() => {
    const d = new Date(); d.setDate(d.getDate() + 1);
    return new Intl.DateTimeFormat(undefined,
      { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
  });
  check(await label.textContent() === expected, `label ${await label.textContent()}`);
  check(await page.evaluate(() => document.activeElement.id) === 'timeline', 'focus left');
  await page.keyboard.press('w');
  await page.locator('#view-week[aria-pressed="true"]').waitFor();
  await page.keyboard.press('t');
  await page.keyboard.press('d');
  await page.locator('#view-day[aria-pressed="true"]').waitFor();
  await block(page, 'bob-show').waitFor();
});

test('a 390 px wide viewport still shows a usable app', async () => {
  const [, narrow] = await newPage({ width: 390, height: 844 });
  page = narrow; // the screenshots from here on show the narrow page
  await narrow.goto(`${base}/`);
  await logIn(narrow, 'admin');
  await loggedIn(narrow, 'admin');
  await block(narrow, 'bob-show').waitFor();
  await narrow.locator('#book-open').waitFor();
  const sizes = await narrow.evaluate(() => {
    const s = document.querySelector('.tl-scroll');
    return { page: document.documentElement.scrollWidth, inner: s.scrollWidth, box: s.clientWidth };
  });
  check(sizes.page <= 390, `the page is ${sizes.page} px wide`);
  check(sizes.inner > sizes.box, 'the timeline does not scroll inside its box');
  await narrow.click('#book-open');
  const dialog = narrow.locator('#booking');
  await dialog.waitFor();
  const box = await dialog.boundingBox();
  check(box.x >= 0 && box.x + box.width <= 390, `the booking dialog spans ${box.x}+${box.width}`);
  await narrow.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});

test('no script errors or CSP violations', async () => {
  check(pageErrors.length === 0, pageErrors.join('\n'));
});

/* Run */

let failed = 0;
try {
  keys.admin = addUser('admin', 'operator');
  keys.alice = addUser('alice', 'broadcaster');
  keys.bob = addUser('bob', 'broadcaster');
  base = `http://127.0.0.1:${await startServer()}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    // This machine has no network: keep Chromium from trying (its refused
    // background connections and name lookups only slow it down).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync'],
  });
  [context, page] = await newPage({ width: 1280, height: 900 });
  const soon = Date.now() + 10 * 60 * 1000;
  await bookViaApi(keys.bob, {
    stream: 'bob-show', start: new Date(soon).toISOString(),
    end: new Date(soon + 45 * 60 * 1000).toISOString(), visibility: 'private',
  });
} catch (error) {
  console.log(`Bail out! setup failed: ${error.message}`);
  await cleanup();
  process.exit(1);
}

console.log(`1..${tests.length}`);
console.log(`# base ${base}, screenshots in ${shotDir}`);
for (const [i, t] of tests.entries()) {
  const n = i + 1;
  let error = null;
  try {
    await t.fn();
  } catch (e) {
    error = e;
  }
  const shot = path.join(shotDir, `${String(n).padStart(2, '0')}-${slug(t.name)}.png`);
  await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
  if (error) {
    failed++;
    console.log(`not ok ${n} - ${t.name}`);
    console.log(diag(error));
  } else {
    console.log(`ok ${n} - ${t.name}`);
  }
}
if (failed && serverLog) console.log(serverLog.split('\n').map((l) => `# ${l}`).join('\n'));

clearTimeout(guard);
await cleanup();
process.exit(failed ? 1 : 0);
