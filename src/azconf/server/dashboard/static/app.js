// azconf flags dashboard: one vanilla-JS file, no build step, nothing loaded from the network.
// Pages are hash routes (#/, #/flag/NAME, #/stale, #/alerts) over the JSON API under /dashboard/api.
// Every element is built with h() (textContent, never innerHTML): config text cannot inject markup.
'use strict';

const API = '/dashboard/api';
const PAGE_SIZE = 50;
const state = {
  session: null, table: null, stale: null, selected: new Set(),
  filters: { q: '', state: '', env: '', staleOnly: false, differs: false }, page: 0, plan: null,
  bulkEnv: null, // the environment chosen in the bulk bar (kept while the bar is rebuilt)
  etags: {}, // env -> the ETag of what the page shows: a change event announcing one of them is not news
  applying: null, // this page's Apply in flight (the change events it causes wait for its answer)
};

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.session ? state.session.csrf : '' },
  };
  const response = await fetch(API + path, { credentials: 'same-origin', ...options });
  const data = await response.json().catch(() => ({ errorDetails: `HTTP ${response.status}` }));
  if (!response.ok) throw Object.assign(new Error(data.errorDetails || response.statusText), { status: response.status, data });
  return data;
}

function say(text, isError = false) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.className = isError ? 'error' : '';
}

function fill(node, ...children) {
  // replaceChildren, flattening arrays and dropping null/false as h() does.
  node.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
}

function show(...nodes) {
  fill(document.getElementById('main'), ...nodes);
}

const canWrite = (env) => state.session && state.session.write.includes(env);

// -- sign-in ---------------------------------------------------------------------------------------

function signInPage(message) {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true });
  const form = h('form', { class: 'signin', onsubmit: async (event) => {
    event.preventDefault();
    try {
      state.session = await api('/signin', { token: input.value });
      input.value = '';
      started();
    } catch (error) { say(error.message, true); }
  } }, h('h2', {}, 'Sign in'), h('p', {}, message || 'Paste an azconf serve token; it is not stored in the page.'),
  h('label', { for: 'token' }, 'Token '), input, ' ', h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  show(form);
  input.focus();
}

// -- the flags page --------------------------------------------------------------------------------

function matches(flag) {
  const f = state.filters;
  const text = `${flag.name} ${flag.description} ${flag.owner}`.toLowerCase();
  if (f.q && !text.includes(f.q.toLowerCase())) return false;
  const envs = f.env ? [f.env] : state.table.envs;
  if (f.state && !envs.some((env) => flag.cells[env].state === f.state)) return false;
  if (f.differs && !flag.differs) return false;
  if (f.staleOnly && !(flag.expired || (state.stale && state.stale.has(flag.name)))) return false;
  return true;
}

function filterBar() {
  const f = state.filters;
  const update = (key, value) => { f[key] = value; state.page = 0; renderTable(); };
  const envOptions = state.table.envs.map((env) => h('option', { value: env, selected: f.env === env }, env));
  return h('div', { class: 'filters', role: 'search' },
    h('label', {}, 'Search name, description, owner',
      h('input', { id: 'search', type: 'search', value: f.q, oninput: (e) => update('q', e.target.value) })),
    h('label', {}, 'State',
      h('select', { id: 'filter-state', onchange: (e) => update('state', e.target.value) },
        ['', 'ENABLED', 'DISABLED'].map((s) => h('option', { value: s, selected: f.state === s }, s || 'any')))),
    h('label', {}, 'In environment',
      h('select', { id: 'filter-env', onchange: (e) => update('env', e.target.value) },
        h('option', { value: '' }, 'any'), envOptions)),
    h('label', { class: 'check' }, h('input', { id: 'filter-stale', type: 'checkbox', checked: f.staleOnly,
      onchange: async (e) => { if (e.target.checked) await loadStaleNames(); update('staleOnly', e.target.checked); } }),
    'stale or expired'),
    h('label', { class: 'check' }, h('input', { id: 'filter-differs', type: 'checkbox', checked: f.differs,
      onchange: (e) => update('differs', e.target.checked) }), 'differs between environments'));
}

async function loadStaleNames() {
  const stale = await api('/stale');
  state.stale = new Set(stale.flags.map((flag) => flag.name));
}

function cell(flag, env) {
  const c = flag.cells[env];
  const attrs = { class: c.changed ? 'changed' : '', 'data-env': env };
  if (!c.state) return h('td', attrs, h('span', { class: 'muted' }, 'absent'));
  const next = c.state === 'ENABLED' ? 'DISABLED' : 'ENABLED';
  return h('td', attrs,
    c.changed ? h('span', { class: 'marker', title: 'differs from the previous environment' }, '≠ ') : null,
    c.changed ? h('span', { class: 'sr-only' }, 'differs from the previous environment: ') : null,
    h('span', { class: `state-${c.state}` }, c.state === 'ENABLED' ? 'enabled' : 'disabled'),
    ' ', h('span', { class: 'muted' }, c.variant ?? '–'), ' ',
    // The id lets a live refresh give the focus back to this button (keyboard users keep their place).
    canWrite(env) ? h('button', { type: 'button', class: 'toggle', id: `toggle-${env}-${flag.name}`, 'aria-label': `${next === 'ENABLED' ? 'Enable' : 'Disable'} ${flag.name} in ${env}`,
      onclick: () => planChange({ action: 'set', env, flags: { [flag.name]: { state: next } } }) },
    next === 'ENABLED' ? 'Enable' : 'Disable') : null);
}

function row(flag) {
  const writable = state.table.envs.some(canWrite);
  return h('tr', { 'data-flag': flag.name },
    writable ? h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select ${flag.name}`, checked: state.selected.has(flag.name),
      onchange: (e) => { e.target.checked ? state.selected.add(flag.name) : state.selected.delete(flag.name); renderBulk(); } })) : null,
    h('td', {}, h('a', { href: `#/flag/${encodeURIComponent(flag.name)}` }, flag.name),
      flag.expired ? h('span', { class: 'error' }, ` expired ${flag.expires}`) : null,
      h('div', { class: 'desc' }, flag.description, flag.owner ? ` · ${flag.owner}` : '')),
    state.table.envs.map((env) => cell(flag, env)));
}

function renderBulk() {
  // Built once per page, then only its count and buttons updated: the environment chosen under "in"
  // and the keyboard focus stay where they are while flags are ticked (and across an Apply).
  const bar = document.getElementById('bulk');
  if (!bar) return;
  if (!bar.firstChild) {
    const writable = state.table.envs.filter(canWrite);
    if (!writable.includes(state.bulkEnv)) state.bulkEnv = writable[0];
    const envSelect = h('select', { id: 'bulk-env', onchange: (e) => { state.bulkEnv = e.target.value; } },
      writable.map((env) => h('option', { value: env, selected: env === state.bulkEnv }, env)));
    const run = (target) => planChange({ action: 'set', env: envSelect.value,
      flags: Object.fromEntries([...state.selected].map((name) => [name, { state: target }])) });
    fill(bar, h('span', { id: 'bulk-count' }), h('label', { for: 'bulk-env' }, 'in'), envSelect,
      h('button', { type: 'button', class: 'bulk-run', onclick: () => run('ENABLED') }, 'Enable selected'),
      h('button', { type: 'button', class: 'bulk-run', onclick: () => run('DISABLED') }, 'Disable selected'));
  }
  const count = state.selected.size;
  document.getElementById('bulk-count').textContent = `${count} selected`;
  for (const button of bar.querySelectorAll('.bulk-run')) button.disabled = !count;
}

function renderTable() {
  const holder = document.getElementById('flags');
  if (!holder) return;
  const shown = state.table.flags.filter(matches);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const slice = shown.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  const writable = state.table.envs.some(canWrite);
  const go = (delta) => { state.page += delta; renderTable(); };
  fill(holder, 
    h('div', { class: 'pager' },
      h('button', { type: 'button', disabled: state.page === 0, onclick: () => go(-1) }, 'Previous page'),
      h('span', { id: 'count' }, shown.length ? `${state.page * PAGE_SIZE + 1}–${state.page * PAGE_SIZE + slice.length} of ${shown.length} flags` : 'no flag matches'),
      h('button', { type: 'button', disabled: state.page >= pages - 1, onclick: () => go(1) }, 'Next page')),
    h('table', { id: 'flag-table' },
      h('caption', { class: 'sr-only' }, 'Flags, one column per environment in promotion order'),
      h('thead', {}, h('tr', {}, writable ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')) : null,
        h('th', { scope: 'col' }, 'Flag'), state.table.envs.map((env) => h('th', { scope: 'col' }, env)))),
      h('tbody', {}, slice.map(row))));
}

async function loadTable() {
  state.table = await api('/flags');
  state.etags = state.table.etags || {};
}

function patchRows(done) {
  // Put the rows an Apply answered in place of the table's (by name; filters, page and order stay).
  // False when it cannot (another page, no rows, a flag the table lacks): the caller re-reads instead.
  if (!onTablePage() || !state.table || !done.rows || !done.etags) return false;
  const at = new Map(state.table.flags.map((flag, index) => [flag.name, index]));
  if (!done.rows.length || !done.rows.every((flag) => at.has(flag.name))) return false;
  for (const flag of done.rows) state.table.flags[at.get(flag.name)] = flag;
  return true;
}

async function flagsPage() {
  await loadTable();
  const writable = state.table.envs.some(canWrite);
  show(h('h2', {}, 'Flags'), filterBar(), writable ? h('div', { id: 'bulk', class: 'bulk' }) : null, h('div', { id: 'flags' }));
  renderBulk();
  renderTable();
  document.body.dataset.loaded = 'flags';
  // For benchmarks/dashboard_bench.py: when the first list is on screen (the frame after rendering).
  requestAnimationFrame(() => performance.mark('azconf:flags-shown'));
}

// -- one flag --------------------------------------------------------------------------------------

function diffBlock(text) {
  return h('pre', {}, text.split('\n').map((line) => h('span', {
    class: line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : '',
  }, line + '\n')));
}

function envSection(detail, entry, index) {
  const { env, flag } = entry;
  const id = (what) => `${what}-${env}`;
  const next = state.session.envs[state.session.envs.indexOf(env) + 1];
  const variants = flag ? Object.keys(flag.variants || {}) : [];
  const defaultInput = h('input', { id: id('default'), list: id('variants'), value: flag ? flag.defaultVariant ?? '' : '' });
  const controls = flag && canWrite(env) ? h('div', { class: 'controls' },
    h('button', { type: 'button', class: 'toggle', onclick: () => planChange({ action: 'set', env, flags: { [detail.name]: { state: flag.state === 'ENABLED' ? 'DISABLED' : 'ENABLED' } } }) },
      flag.state === 'ENABLED' ? `Disable in ${env}` : `Enable in ${env}`), ' ',
    h('label', { for: id('default') }, 'Default variant '), defaultInput,
    h('datalist', { id: id('variants') }, variants.map((v) => h('option', { value: v }))), ' ',
    h('button', { type: 'button', onclick: () => planChange({ action: 'set', env, flags: { [detail.name]: { defaultVariant: defaultInput.value } } }) }, 'Plan default change')) : null;
  const promote = next && canWrite(next) ? h('button', { type: 'button', onclick: () => planChange({ action: 'promote', flag: detail.name, from: env }) },
    `Promote to ${next}`) : null;
  return h('section', { class: 'env', 'aria-labelledby': id('h') },
    h('h3', { id: id('h') }, env),
    flag ? [
      h('p', {}, 'State ', h('span', { class: `state-${flag.state}` }, flag.state), ' · default variant ', h('strong', {}, flag.defaultVariant ?? '(none)')),
      h('table', {}, h('caption', {}, 'Variants'), h('tbody', {}, Object.entries(flag.variants || {}).map(([name, value]) =>
        h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, JSON.stringify(value)))))),
      h('p', {}, 'Targeting: ', entry.targeting ? h('code', {}, entry.targeting) : h('span', { class: 'muted' }, 'none (the default variant for everyone)')),
      flag.targeting ? h('details', {}, h('summary', {}, 'Targeting as JSON'), h('pre', {}, JSON.stringify(flag.targeting, null, 2))) : null,
      h('h4', {}, 'Where each value comes from'),
      h('ul', { class: 'sources' }, entry.sources.map((s) => h('li', {}, h('code', {}, s.path), ' — ', `${s.file}:${s.line}:${s.column}`))),
      controls, promote,
    ] : h('p', { class: 'muted' }, `not defined in ${env}`),
    h('h4', {}, 'History'),
    entry.history.length ? h('ol', { class: 'history', reversed: true }, entry.history.map((e) => h('li', {},
      h('span', { class: 'actor' }, e.actor), ` ${e.action} ${e.resource} · ${e.time}`, e.version ? ` · ${e.version}` : '',
      e.note ? h('div', { class: 'desc' }, e.note) : null, diffBlock(e.diff)))) : h('p', { class: 'muted' }, 'no recorded change'));
}

function evaluateBox(name) {
  const input = h('textarea', { id: 'context', rows: 3, cols: 60 }, '{"targetingKey": "user-1"}');
  const out = h('div', { id: 'evaluation', 'aria-live': 'polite' });
  const run = async () => {
    let context;
    try { context = JSON.parse(input.value); } catch { fill(out, h('p', { class: 'error' }, 'the context is not JSON')); return; }
    try {
      const { results } = await api(`/flags/${encodeURIComponent(name)}/evaluate`, { context });
      fill(out, h('table', {}, h('thead', {}, h('tr', {}, ['Environment', 'Value', 'Variant', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, results.map((r) => h('tr', {}, h('td', {}, r.env), h('td', {}, r.error ? r.error : JSON.stringify(r.value)), h('td', {}, r.variant ?? '–'), h('td', {}, r.reason))))));
    } catch (error) { fill(out, h('p', { class: 'error' }, error.message)); }
  };
  return h('section', { 'aria-labelledby': 'eval-h' }, h('h3', { id: 'eval-h' }, 'Evaluate'),
    h('label', { for: 'context' }, 'Context (JSON)'), h('br'), input, ' ',
    h('button', { type: 'button', onclick: run }, 'Evaluate'), out);
}

async function flagPage(name) {
  const detail = await api(`/flags/${encodeURIComponent(name)}`);
  const first = detail.envs.find((e) => e.flag);
  const meta = (first && first.flag.metadata) || {};
  show(h('p', {}, h('a', { href: '#/' }, '← all flags')), h('h2', {}, detail.name),
    h('p', { class: 'desc' }, meta.description || '', meta.owner ? ` · owner ${meta.owner}` : '', meta.expires ? ` · expires ${meta.expires}` : ''),
    evaluateBox(detail.name), h('div', { class: 'envs' }, detail.envs.map((e, i) => envSection(detail, e, i))));
  document.body.dataset.loaded = 'flag';
}

// -- stale flags and alerts ------------------------------------------------------------------------

async function stalePage() {
  const days = new URLSearchParams(location.hash.split('?')[1] || '').get('days');
  const stale = await api(`/stale${days ? `?days=${encodeURIComponent(days)}` : ''}`);
  const input = h('input', { id: 'days', type: 'number', min: 0, value: stale.days });
  show(h('h2', {}, 'Stale flags'),
    h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); location.hash = `#/stale?days=${input.value}`; } },
      h('label', {}, 'Unchanged for at least (days)', input), h('button', { type: 'submit' }, 'Show')),
    stale.flags.length ? h('table', { id: 'stale-table' }, h('thead', {}, h('tr', {}, ['Flag', 'Why', 'What to do'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, stale.flags.map((f) => h('tr', {}, h('td', {}, h('a', { href: `#/flag/${encodeURIComponent(f.name)}` }, f.name)),
        h('td', {}, f.reasons.join(', ')), h('td', {}, h('ul', {}, f.actions.map((a) => h('li', {}, a))))))))
      : h('p', {}, 'No stale flag.'));
  document.body.dataset.loaded = 'stale';
}

async function alertsPage() {
  const { alerts } = await api('/alerts');
  show(h('h2', {}, 'Open alerts'), alerts.length ? h('ul', { id: 'alerts' }, alerts.map((a) => h('li', {},
    h('strong', {}, `${a.severity}: ${a.title}`), ` (${a.environment || 'project'}, since ${a.opened}) `, h('div', { class: 'desc' }, a.message))))
    : h('p', {}, 'No open alert. `azconf doctor` opens them.'));
  document.body.dataset.loaded = 'alerts';
}

// -- plans and writes ------------------------------------------------------------------------------

async function planChange(change) {
  const dialog = document.getElementById('plan');
  const body = document.getElementById('plan-body');
  const applyButton = document.getElementById('plan-apply');
  try {
    const plan = await api('/plan', change);
    state.plan = { change, plan };
    fill(body,
      h('p', {}, `In ${plan.env}: `, plan.changes.length ? plan.changes.join(', ') : 'nothing to change'),
      plan.files.map((f) => diffBlock(f.diff)), plan.skipped.map((s) => h('p', { class: 'muted' }, `held back: ${s}`)),
      problemList(plan.problems));
    applyButton.disabled = plan.problems.length > 0 || plan.files.length === 0;
  } catch (error) {
    state.plan = null;
    fill(body, h('p', { class: 'error' }, error.message), problemList(error.data && error.data.problems));
    applyButton.disabled = true;
  }
  if (!dialog.open) dialog.showModal();
  (applyButton.disabled ? document.getElementById('plan-cancel') : applyButton).focus();
}

function problemList(problems) {
  if (!problems || !problems.length) return null;
  return h('ul', { class: 'problems error', role: 'alert' }, problems.map((p) =>
    h('li', {}, `${p.file}:${p.line}:${p.column}: ${p.code} ${p.path ? p.path + ': ' : ''}${p.message}`)));
}

async function applyPlan() {
  const body = document.getElementById('plan-body');
  if (!state.plan) return;
  document.getElementById('plan-apply').disabled = true;
  state.applying = carryOut(state.plan);
  try {
    const done = await state.applying;
    say(`Recorded ${done.version || 'no change'}: ${done.changes.join(', ')}`);
  } catch (error) {
    const stale = error.status === 409 && error.data && error.data.errorCode === 'CONFLICT'; // not HELD_BACK
    const message = stale ? `Conflict: ${error.message}. Close this and plan again to see the current files.` : error.message;
    body.append(...[h('p', { class: 'error', role: 'alert' }, message), problemList(error.data && error.data.problems)].filter(Boolean));
  } finally {
    state.applying = null;
  }
}

async function carryOut({ change, plan }) {
  const done = await api('/apply', { ...change, etag: plan.etag });
  document.getElementById('plan').close();
  state.selected.clear();
  // The rows show the change before it is announced as recorded: on the flags table the answer's
  // own rows, elsewhere (or without them) the page read again.
  if (patchRows(done)) await keepingFocus(() => { renderBulk(); renderTable(); }); else await refresh();
  Object.assign(state.etags, done.etags);
  return done;
}

// -- routing and live updates ----------------------------------------------------------------------

const onTablePage = () => /^#\/?(\?|$)/.test(location.hash || '#/');

async function route() {
  const hash = location.hash || '#/';
  state.etags = {}; // only the flags table knows what it was read from
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === hash.split('?')[0]);
    if (link.hasAttribute('aria-current')) link.setAttribute('aria-current', 'page');
  }
  try {
    if (hash.startsWith('#/flag/')) await flagPage(decodeURIComponent(hash.slice(7)));
    else if (hash.startsWith('#/stale')) await stalePage();
    else if (hash.startsWith('#/alerts')) await alertsPage();
    else await flagsPage();
  } catch (error) {
    if (error.status === 401) { signInPage(); return; }
    show(h('p', { class: 'error', role: 'alert' }, error.message));
  }
}

async function keepingFocus(update) {
  // Rebuilt controls keep their ids, so the focus goes back to the one a keyboard user was on.
  const focused = document.activeElement && document.activeElement.id;
  await update();
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}

async function refresh() {
  // Re-read the current page's data; on the flags page keep filters, page and focus.
  await keepingFocus(async () => {
    if (onTablePage() && state.table) { await loadTable(); renderTable(); } else await route();
  });
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
}

function listen() {
  // Each event carries the changed environment's new ETag. The page re-reads unless it already
  // shows that ETag (its own Apply, whose answer carried the rows): a saved file, a REST write or
  // another browser is news.
  const stream = new EventSource(`${API}/events`);
  const heard = new Set();
  let timer = null;
  const check = async () => {
    const etags = [...heard];
    heard.clear();
    await state.applying?.catch(() => null); // an Apply in flight may be what was announced
    const shown = Object.values(state.etags);
    if (etags.some((etag) => !shown.includes(etag))) refresh();
  };
  stream.onmessage = (event) => {
    heard.add(JSON.parse(event.data).etag);
    clearTimeout(timer);
    timer = setTimeout(check, 50);
  };
}

function started() {
  const who = document.getElementById('who');
  who.textContent = `${state.session.actor || 'local'} · ${state.session.write.length ? `may change ${state.session.write.join(', ')}` : 'read only'}`;
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = !state.session.actor;
  listen();
  route();
}

async function start() {
  document.getElementById('plan-apply').addEventListener('click', applyPlan);
  document.getElementById('plan-cancel').addEventListener('click', () => document.getElementById('plan').close());
  document.getElementById('signout').addEventListener('click', async () => { await api('/signout', {}); location.reload(); });
  window.addEventListener('hashchange', route);
  try {
    state.session = await api('/session');
    started();
  } catch (error) {
    if (error.status === 401) signInPage(); else say(error.message, true);
  }
}

start();
