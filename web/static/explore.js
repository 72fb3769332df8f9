// Inventory explorer: an account's product inventory as a tidy tree (d3-hierarchy's tree layout
// drawn by Cytoscape.js) or as a virtualized tree-grid list, read through the public GraphQL API
// only, downloads included. Levels load on demand (`inventoryTree(maxDepth: 1)` per opened item,
// `childCount` says what can still be opened); at most CHILD_PAGE children per item are drawn until
// asked, and "Open one more level" stops at LEVEL_BUDGET drawn items and says so.
//
// This module starts the page and holds what ties the parts together (opening accounts and items,
// selection, keys, find, account search); the parts are the ES modules under explore/.

import { refreshToggleButton, showDetails, showDetailsPlaceholder } from './explore/details.js';
import { download, downloadAccount, updateExportTarget } from './explore/exports.js';
import { GraphQLRequestError, fieldType, graphql, has, readSchema, selection } from './explore/graphql.js';
import { drawListWindow, listClick, listRows, renderList, scrollListTo } from './explore/list.js';
import { CHILD_PAGE, ITEM_FIELDS, accountKey, ancestorsOf, app, byName, ensureChildren, ensurePaths, impact, isLoaded, kidsOf, model, nextFrame, now, remember, resetModel, timings, view, visibleKids } from './explore/model.js';
import { ORDER_PICK, clearImpact, clearImpactState, renderOrders, runImpact, setPhase } from './explore/orders.js';
import { createGraph, cy, fitReadable, keepInView, minimapClick, renderTree, scheduleMinimap } from './explore/tree.js';
import { $, ACTION_COLORS, STATE_COLORS, clearError, clearNotice, el, setBusy, showError, showNotice } from './explore/ui.js';
import { applyHash, setHash } from './explore/url.js';

const LEVEL_BUDGET = 2000; // "open one more level" stops before drawing more items than this
const LIST_BUDGET = 50000; // the list view's limit for the same button

export async function openAccount(accountId, options) {
  const keepView = Boolean(options && options.keepView);
  const started = now();
  setBusy(`Loading ${accountId}…`);
  const orderFields = has('Account', 'orders') ? `orders ${selection(fieldType('Account', 'orders'), ORDER_PICK)}` : '';
  const data = await graphql(`query ExplorerAccount($id: ID!) {
    account(id: $id) { id name roots { ${ITEM_FIELDS} } ${orderFields} }
  }`, { id: accountId });
  if (!data.account) throw new GraphQLRequestError(`No account with id ${accountId}`);
  const sameAccount = model.account && model.account.id === data.account.id;
  const previouslyLoaded = sameAccount && keepView ? [...model.children.keys()] : [];
  resetModel({ id: data.account.id, name: data.account.name });
  model.orders = data.account.orders || [];
  const roots = data.account.roots.map(remember);
  roots.sort((a, b) => byName.compare(a.name, b.name));
  model.roots = roots.map((r) => r.id);
  // Roots and their children first; everything else when someone opens it.
  await ensureChildren(model.roots);
  if (previouslyLoaded.length) await ensurePaths([previouslyLoaded.filter((id) => model.nodes.has(id))]);
  if (!(keepView && sameAccount)) {
    view.expanded = new Set([accountKey(), ...model.roots.filter((id) => kidsOf(id).length)]);
    view.shown = new Map();
    view.pinned = new Set();
    view.hits = new Set();
    view.selected = null;
    clearImpactState();
    $('#find-results').replaceChildren();
    showDetailsPlaceholder();
  } else {
    view.expanded.add(accountKey());
  }
  $('#account-title').textContent = `${model.account.name}`;
  $('#account-title').title = model.account.id;
  markCurrentAccount();
  renderOrders();
  enableTreeControls(true);
  render({ fit: true });
  setHash(!app.restoring && !keepView);
  await nextFrame();
  timings.firstPaint = now() - started;
}

export function render(options) {
  const opts = options || {};
  if (!model.account) return;
  if (view.mode === 'list') renderList(opts);
  if (view.mode === 'tree' || opts.both) renderTree(opts);
  updateStatus();
  updateExportTarget();
}

export function updateStatus() {
  const items = model.nodes.size;
  const drawn = cy.nodes('[kind = "item"]').length;
  const trees = model.roots.length;
  $('#status').textContent = `${trees} tree${trees === 1 ? '' : 's'} · ${items} item${items === 1 ? '' : 's'} loaded · ${view.mode === 'list' ? `${listRows.length} rows` : `${drawn} drawn`}`;
  $('#status').dataset.items = String(items);
  $('#status').dataset.drawn = String(drawn);
}

export async function tapItem(id) {
  const wasSelected = view.selected === id;
  const item = model.nodes.get(id);
  if (item && item.childCount) {
    if (!view.expanded.has(id)) await expand(id);
    else if (wasSelected) collapse(id);
  }
  selectItem(id, { keepDrawing: true });
}

export async function expand(id) {
  const started = now();
  if (!isLoaded(id)) {
    setBusy('Loading the next level…');
    await ensureChildren([id]);
  }
  view.expanded.add(id);
  const drawStarted = now();
  render({ focus: id });
  await nextFrame();
  const figure = { id, total: now() - started, draw: now() - drawStarted, children: kidsOf(id).length };
  (view.mode === 'list' ? timings.listExpand : timings.expand).push(figure);
  refreshToggleButton(id);
}

function collapse(id) {
  const started = now();
  view.expanded.delete(id);
  render({ focus: id });
  nextFrame().then(() => timings.collapse.push({ id, total: now() - started }));
  refreshToggleButton(id);
}

export function toggle(id) {
  const item = model.nodes.get(id);
  if (!item || !item.childCount) return Promise.resolve();
  if (view.expanded.has(id)) {
    collapse(id);
    return Promise.resolve();
  }
  return expand(id);
}

export function showMore(parentKey) {
  view.shown.set(parentKey, (view.shown.get(parentKey) || CHILD_PAGE) + CHILD_PAGE);
  render({ focus: `more:${parentKey}` });
}

async function openOneMoreLevel() {
  if (view.mode === 'list') {
    await openListLevel();
    return;
  }
  let drawn = cy.nodes('[kind = "item"]').length;
  const chosen = [];
  let stopped = 0;
  for (const node of cy.nodes('[kind = "item"][?collapsed]')) {
    const count = model.nodes.get(node.id()).childCount;
    const more = Math.min(CHILD_PAGE, count);
    if (drawn + more > LEVEL_BUDGET) {
      stopped += 1;
      continue;
    }
    chosen.push(node.id());
    drawn += more + (count > CHILD_PAGE ? 1 : 0);
  }
  setBusy('Loading the next level…');
  await ensureChildren(chosen);
  for (const id of chosen) view.expanded.add(id);
  render({});
  if (stopped) {
    showNotice(`Stopped before drawing more than ${LEVEL_BUDGET.toLocaleString('en')} items: ${stopped} item${stopped === 1 ? '' : 's'} stayed closed. Open them one at a time, find an item, or use the list view.`, 'limit');
  } else {
    clearNotice('limit');
  }
}

// The list draws only the rows in sight, so a level of 10,000 rows opens at once (up to LIST_BUDGET).
async function openListLevel() {
  const started = now();
  let rows = listRows.length;
  const chosen = [];
  let stopped = 0;
  for (const row of listRows) {
    const item = model.nodes.get(row.id);
    if (!item.childCount || view.expanded.has(row.id)) continue;
    if (rows + item.childCount > LIST_BUDGET) {
      stopped += 1;
      continue;
    }
    chosen.push(row.id);
    rows += item.childCount;
  }
  setBusy('Loading the next level…');
  await ensureChildren(chosen);
  for (const id of chosen) view.expanded.add(id);
  const drawStarted = now();
  render({});
  await nextFrame();
  timings.listExpand.push({ id: 'level', total: now() - started, draw: now() - drawStarted, rows: listRows.length });
  if (stopped) {
    showNotice(`Stopped before listing more than ${LIST_BUDGET.toLocaleString('en')} rows: ${stopped} item${stopped === 1 ? '' : 's'} stayed closed.`, 'limit');
  } else {
    clearNotice('limit');
  }
}

function foldAll() {
  view.expanded = new Set([accountKey(), ...model.roots.filter((id) => kidsOf(id).length)]);
  view.shown = new Map();
  for (const id of view.pinned) for (const above of ancestorsOf(id)) view.expanded.add(above);
  clearNotice('limit');
  render({ fit: true });
}

export function setMode(mode) {
  view.mode = mode;
  $('#tree').hidden = mode !== 'tree';
  $('#list').hidden = mode !== 'list';
  for (const input of document.querySelectorAll('input[name="mode"]')) input.checked = input.value === mode;
  if (!model.account) return;
  if (mode === 'tree') {
    cy.resize();
    render({ fit: !view.selected, focus: view.selected });
  } else {
    clearNotice('fit');
    render({ focus: view.selected });
  }
  scheduleMinimap();
  setHash(false);
}

export function setDirection(direction) {
  view.direction = direction;
  for (const input of document.querySelectorAll('input[name="direction"]')) input.checked = input.value === direction;
  if (model.account && view.mode === 'tree') render({ fit: true });
  setHash(false);
}

// --- selection and keyboard ------------------------------------------------------------------

// Select `id`: draw and reveal it, show its details, and put it in the URL.
export function selectItem(id, options) {
  const opts = options || {};
  view.selected = id;
  if (!opts.keepDrawing) render({ focus: id });
  else if (view.mode === 'tree') {
    cy.nodes().unselect();
    cy.getElementById(id).select();
    keepInView(cy.getElementById(id));
    updateExportTarget();
  } else {
    render({ focus: id });
  }
  if (view.mode === 'list') drawListWindow();
  showDetails(id);
  setHash(!app.restoring);
}

// The sibling order the keys move through: what is drawn, in drawing order.
function siblingsOf(id) {
  const parent = model.parent.get(id);
  const kids = parent === undefined ? visibleKids(null) : visibleKids(parent);
  const limit = view.shown.get(parent === undefined ? accountKey() : parent) || CHILD_PAGE;
  return view.mode === 'list' ? kids : kids.filter((k, index) => index < limit || view.pinned.has(k));
}

async function onKey(event) {
  if (!model.account || event.target.closest('input, textarea, select')) return;
  const inPane = event.target.closest('#tree, #list');
  if (!inPane) return;
  const current = view.selected && model.nodes.has(view.selected) ? view.selected : null;
  const key = event.key;
  if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Enter', ' ', 'Home', 'f', 'F'].includes(key)) return;
  event.preventDefault();
  if (key === 'f' || key === 'F') {
    if (view.mode === 'tree') fitReadable(cy.elements());
    return;
  }
  if (!current || key === 'Home') {
    if (model.roots.length) selectItem(visibleKids(null)[0], {});
    return;
  }
  if (key === 'ArrowDown' || key === 'ArrowUp') {
    if (view.mode === 'list') {
      const index = listRows.findIndex((r) => r.id === current) + (key === 'ArrowDown' ? 1 : -1);
      if (index >= 0 && index < listRows.length) selectItem(listRows[index].id, {});
      return;
    }
    const siblings = siblingsOf(current);
    const index = siblings.indexOf(current) + (key === 'ArrowDown' ? 1 : -1);
    if (index >= 0 && index < siblings.length) selectItem(siblings[index], {});
  } else if (key === 'ArrowRight') {
    const item = model.nodes.get(current);
    if (item.childCount && !view.expanded.has(current)) await expand(current);
    else if (visibleKids(current).length) selectItem(visibleKids(current)[0], {});
  } else if (key === 'ArrowLeft') {
    if (view.expanded.has(current) && model.nodes.get(current).childCount) collapse(current);
    else if (model.parent.has(current)) selectItem(model.parent.get(current), {});
  } else if (key === ' ') {
    await toggle(current);
  } else if (key === 'Enter') {
    showDetails(current);
  }
}

// --- find ------------------------------------------------------------------------------------

async function findItems(text) {
  const query = (text || '').trim();
  if (!model.account || !query) return;
  clearError();
  setBusy(`Finding “${query}”…`);
  try {
    const data = await graphql(`query ExplorerFind($account: ID!, $text: String!) {
      searchInventory(accountId: $account, text: $text, first: 50) {
        totalCount hits { matchedField matchedValue item { id name ancestors { id } } }
      }
    }`, { account: model.account.id, text: query });
    const result = data.searchInventory;
    await revealAll(result.hits.map((h) => h.item));
    view.hits = new Set(result.hits.map((h) => h.item.id));
    for (const id of view.hits) view.pinned.add(id);
    renderFindResults(query, result);
    const first = result.hits.length ? result.hits[0].item.id : null;
    if (first) {
      view.selected = first;
      render({});
      if (view.mode === 'tree') {
        const hits = cy.nodes('[?hit]');
        fitReadable(hits.nonempty() ? hits : cy.elements());
      } else {
        scrollListTo(first, true);
        drawListWindow();
      }
      showDetails(first);
      setHash(true);
    } else {
      render({});
    }
  } catch (error) {
    showError(error.message);
    updateStatus();
  }
}

// Load and open every level above `items` ({ id, ancestors: [{ id }] }) so each is drawn.
export async function revealAll(items) {
  const paths = items.map((item) => item.ancestors.map((a) => a.id));
  await ensurePaths(paths);
  for (const path of paths) for (const id of path) { view.expanded.add(id); view.pinned.add(id); }
}

function renderFindResults(query, result) {
  const list = $('#find-results');
  const rows = result.hits.map((hit) => el('li', {}, el('button', {
    type: 'button',
    'data-testid': 'find-result',
    'data-item-id': hit.item.id,
    onclick: () => selectItem(hit.item.id, {}),
  }, el('span', {}, hit.item.name), el('span', { className: 'muted' }, `${hit.matchedField}: ${hit.matchedValue}`))));
  const head = el('li', { className: 'muted', 'data-testid': 'find-count', 'data-count': result.totalCount },
    result.totalCount ? `${result.totalCount} match${result.totalCount === 1 ? '' : 'es'} for “${query}”${result.totalCount > result.hits.length ? `, first ${result.hits.length} shown` : ''}`
      : `Nothing matches “${query}”.`);
  list.replaceChildren(head, ...rows);
}

// --- accounts --------------------------------------------------------------------------------

let searchTimer = null;
let searchToken = 0;

async function searchAccounts(text) {
  const token = ++searchToken;
  const search = text.trim() || null;
  let data;
  try {
    data = await graphql(`query ExplorerAccounts($search: String) {
      accounts(first: 20, search: $search) { edges { node { id name } } }
    }`, { search });
  } catch (error) {
    if (token === searchToken) showError(error.message);
    return;
  }
  if (token !== searchToken) return;
  const results = $('#account-results');
  const edges = data.accounts.edges;
  results.replaceChildren(...(edges.length ? edges.map(({ node }) => el('li', {},
    el('button', {
      type: 'button',
      'data-testid': 'account-result',
      'data-account-id': node.id,
      onclick: () => pickAccount(node.id),
    }, el('span', {}, node.name), el('span', { className: 'muted' }, node.id))))
    : [el('li', { className: 'muted' }, 'No account matches.')]));
  markCurrentAccount();
}

export async function pickAccount(accountId) {
  clearError();
  try {
    await openAccount(accountId, { keepView: false });
  } catch (error) {
    showError(error.message);
  }
}

function markCurrentAccount() {
  for (const button of document.querySelectorAll('[data-testid="account-result"]')) {
    button.setAttribute('aria-current', String(Boolean(model.account) && button.dataset.accountId === model.account.id));
  }
}

function enableTreeControls(enabled) {
  for (const button of document.querySelectorAll('.toolbar-buttons button, #find, #item-search')) button.disabled = !enabled;
}

export async function revealById(id) {
  const data = await graphql('query ExplorerReveal($id: ID!) { inventoryItem(id: $id) { id ancestors { id } } }', { id });
  if (!data.inventoryItem) return;
  await revealAll([data.inventoryItem]);
  view.pinned.add(id);
}

function renderLegend() {
  const items = Object.entries(STATE_COLORS).map(([state, color]) => {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = color;
    return el('li', {}, swatch, state.replace(/_/g, ' ').toLowerCase());
  });
  for (const [action, color] of Object.entries(ACTION_COLORS)) {
    const swatch = el('span', { className: 'swatch outline' });
    swatch.style.borderColor = color;
    items.push(el('li', {}, swatch, `line: ${action.replace(/_/g, ' ').toLowerCase()}`));
  }
  $('#legend').replaceChildren(...items);
}

async function start() {
  window.explorer = {
    cy: null, model, view, impact, timings,
    openAccount: pickAccount, showImpact: runImpact, find: findItems, toggle, select: selectItem,
    rows: () => listRows,
  };
  renderLegend();
  if (typeof window.cytoscape !== 'function' || !window.d3 || typeof window.d3.tree !== 'function') {
    showError('The drawing libraries are missing under /static/vendor. Build them once with `python web/build_assets.py` and reload.');
    return;
  }
  createGraph();

  $('#account-search').addEventListener('input', (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => searchAccounts(event.target.value), 200);
  });
  $('#impact-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runImpact($('#order-id').value);
  });
  $('#find-form').addEventListener('submit', (event) => {
    event.preventDefault();
    findItems($('#item-search').value);
  });
  $('#hide-inactive').addEventListener('change', (event) => {
    view.hideInactive = event.target.checked;
    render({});
    setHash(false);
  });
  for (const input of document.querySelectorAll('input[name="phase"]')) input.addEventListener('change', () => setPhase(input.value));
  for (const input of document.querySelectorAll('input[name="mode"]')) input.addEventListener('change', () => setMode(input.value));
  for (const input of document.querySelectorAll('input[name="direction"]')) input.addEventListener('change', () => setDirection(input.value));
  $('#clear-impact').addEventListener('click', clearImpact);
  $('#fit').addEventListener('click', () => fitReadable(cy.elements()));
  $('#expand-level').addEventListener('click', openOneMoreLevel);
  $('#collapse-all').addEventListener('click', foldAll);
  $('#minimap').addEventListener('click', minimapClick);
  $('#list-body').addEventListener('scroll', () => requestAnimationFrame(drawListWindow));
  $('#list-body').addEventListener('click', listClick);
  document.addEventListener('keydown', onKey);
  window.addEventListener('popstate', () => applyHash());
  for (const button of document.querySelectorAll('#export-buttons button')) {
    button.addEventListener('click', () => download(button.dataset.format));
  }
  for (const button of document.querySelectorAll('#export-account-buttons button')) {
    button.addEventListener('click', () => downloadAccount(button.dataset.format));
  }

  await readSchema();
  const searchDone = searchAccounts('');
  await applyHash();
  await searchDone;
  document.body.dataset.ready = 'true';
}

start();
