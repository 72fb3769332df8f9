// The order panel: the account's order picker, and an order's impact drawn on the tree with its
// summary (lines per action, flags, tasks, work orders, returns).

import { GraphQLRequestError, fieldType, graphql, selection } from './graphql.js';
import { drawListWindow, listRows, scrollListTo } from './list.js';
import { openAccount, render, revealAll, updateStatus } from '../explore.js';
import { ancestorsOf, app, impact, model, view } from './model.js';
import { cy, fitReadable } from './tree.js';
import { $, ACTION_COLORS, clearError, el, setBusy, showError } from './ui.js';
import { setHash } from './url.js';

const ACTION_ORDER = ['ADD', 'CHANGE', 'DISCONNECT', 'SUSPEND', 'RESUME', 'NO_CHANGE'];

export function clearImpactState() {
  impact.order = null;
  impact.byItem = new Map();
  impact.copies = new Map();
  view.pinned = new Set(view.hits);
  $('#impact-summary').hidden = true;
  $('#impact-summary').replaceChildren();
  $('#clear-impact').hidden = true;
  $('#impact-phase').hidden = true;
  for (const button of document.querySelectorAll('[data-testid="order-pick"]')) button.setAttribute('aria-current', 'false');
}

// Task fields from the fulfillment rules; the optional ones are asked for only when the server has them.
const TASK_FIELDS = ['id', 'name', 'sequence', 'state', 'pointOfNoReturn', 'ready', 'jeopardy', 'failureReason',
  'failureCategory', ['dependsOn', ['id', 'name']]];
const ORDER_IMPACT = [
  'id', 'action', 'state', 'pastPointOfNoReturn', 'held', 'onHold', 'inFallout', 'fallout', 'jeopardy',
  ['account', ['id', 'name']],
  ['lines', ['id', 'action', 'moveOperation',
    ['inventoryItem', ['id', 'name', 'state', ['ancestors', ['id']], ['replacedBy', ['id', 'name', 'state', ['location', ['name']]]]]],
    ['targetLocation', ['id', 'name']]]],
  ['domainOrders', ['id', 'kind', 'state', ['tasks', TASK_FIELDS]]],
  ['workOrders', ['kind', 'state']],
  ['returns', ['state', 'reason', ['device', ['name']]]],
  ['blockers', ['id', 'name']],
];

function orderQuery() {
  return `query ExplorerOrder($id: ID!) {\n  order(id: $id) ${selection(fieldType('Query', 'order'), ORDER_IMPACT)}\n}`;
}

export async function runImpact(orderId, options) {
  const id = (orderId || '').trim();
  if (!id) return;
  $('#order-id').value = id;
  clearError();
  try {
    setBusy(`Loading order ${id}…`);
    const data = await graphql(orderQuery(), { id });
    if (!data.order) throw new GraphQLRequestError(`No order with id ${id}`);
    const order = data.order;
    const accountId = order.account ? order.account.id : model.account && model.account.id;
    if (!accountId) throw new GraphQLRequestError('Pick the order\'s account first');
    // Reload the tree: items the order added exist only since it was captured.
    const wasRestoring = app.restoring;
    app.restoring = true;
    try {
      await openAccount(accountId, { keepView: Boolean(model.account && model.account.id === accountId) });
    } finally {
      app.restoring = wasRestoring;
    }
    const targets = order.lines.map((l) => l.inventoryItem).filter(Boolean);
    await revealAll(targets.map((item) => ({ id: item.id, ancestors: item.ancestors || [] })));
    applyImpact(order, options || {});
  } catch (error) {
    showError(error.message);
    updateStatus();
  }
}

function applyImpact(order, options) {
  impact.order = order;
  impact.byItem = new Map();
  impact.copies = new Map();
  view.pinned = new Set(view.hits);
  if (options.phase) impact.phase = options.phase;
  const counts = new Map();
  let moves = 0;
  let outside = 0;
  for (const line of order.lines) {
    counts.set(line.action, (counts.get(line.action) || 0) + 1);
    if (line.moveOperation) moves += 1;
    const item = line.inventoryItem;
    if (!item || !model.nodes.has(item.id)) {
      outside += 1;
      continue;
    }
    impact.byItem.set(item.id, { action: line.action, move: Boolean(line.moveOperation), line });
    if (item.replacedBy && item.replacedBy.id !== item.id) {
      impact.copies.set(item.id, {
        id: item.replacedBy.id, name: item.replacedBy.name, state: item.replacedBy.state,
        location: item.replacedBy.location ? item.replacedBy.location.name : '',
      });
    }
    view.pinned.add(item.id);
    for (const above of ancestorsOf(item.id)) {
      view.expanded.add(above);
      view.pinned.add(above);
    }
  }
  renderImpactSummary(order, counts, moves, outside);
  for (const button of document.querySelectorAll('[data-testid="order-pick"]')) {
    button.setAttribute('aria-current', String(button.dataset.orderId === order.id));
  }
  $('#impact-phase').hidden = false;
  for (const input of document.querySelectorAll('input[name="phase"]')) input.checked = input.value === impact.phase;
  setHash(!app.restoring);
  bringImpactIntoView();
}

// Draw and show every impacted item: the view fits them (readable), the list scrolls to the first.
function bringImpactIntoView() {
  render({});
  if (view.mode === 'tree') {
    const impacted = cy.nodes('[impact], [kind = "copy"]');
    fitReadable(impacted.nonempty() ? impacted : cy.elements());
  } else {
    const first = listRows.find((r) => impact.byItem.has(r.id));
    if (first) scrollListTo(first.id, true);
    drawListWindow();
  }
}

export function setPhase(phase) {
  impact.phase = phase;
  if (impact.order) render({});
  setHash(false);
}

function taskLine(task) {
  const extras = [];
  if (task.ready !== undefined && task.ready !== null) extras.push(task.ready ? 'ready' : 'waiting');
  if (task.dependsOn && task.dependsOn.length) extras.push(`after ${task.dependsOn.map((d) => d.name).join(', ')}`);
  if (task.state === 'FAILED') extras.push(`fallout${task.failureReason ? `: ${task.failureReason}` : ''}${task.failureCategory ? ` (${task.failureCategory})` : ''}`);
  if (task.jeopardy && task.jeopardy !== 'NONE') extras.push(`jeopardy ${task.jeopardy}`);
  return el('li', { 'data-testid': 'order-task', 'data-task-id': task.id, 'data-state': task.state },
    `${task.sequence ?? ''}. ${task.name} · ${task.state}`,
    task.pointOfNoReturn ? el('span', { className: 'ponr' }, ' · PONR') : null,
    extras.length ? el('span', { className: 'muted' }, ` · ${extras.join(' · ')}`) : null);
}

function renderImpactSummary(order, counts, moves, outside) {
  const actions = [...ACTION_ORDER, ...[...counts.keys()].filter((a) => !ACTION_ORDER.includes(a))];
  const rows = actions.filter((action) => counts.get(action)).map((action) => {
    const swatch = el('span', { className: 'swatch outline' });
    swatch.style.borderColor = ACTION_COLORS[action] || '#000';
    return el('li', { 'data-action': action, 'data-count': counts.get(action) }, swatch, action, el('strong', {}, String(counts.get(action))));
  });
  if (moves) {
    const swatch = el('span', { className: 'swatch outline' });
    swatch.style.borderColor = ACTION_COLORS.MOVE;
    rows.push(el('li', { 'data-action': 'MOVE', 'data-count': moves }, swatch, 'MOVE', el('strong', {}, String(moves))));
  }
  const flags = [];
  if (order.pastPointOfNoReturn) flags.push('past the point of no return');
  if (order.held || order.onHold) flags.push('on hold');
  if (order.inFallout || (order.fallout && order.fallout !== false)) flags.push('in fallout');
  if (order.jeopardy && order.jeopardy !== 'NONE') flags.push(`jeopardy ${order.jeopardy}`);
  const domainOrders = order.domainOrders || [];
  const tasks = domainOrders.length
    ? el('div', { 'data-testid': 'order-tasks' }, el('h3', {}, 'Tasks'), domainOrders.map((d) => [
      el('p', { className: 'muted' }, `${d.kind} order · ${d.state}`),
      el('ol', { className: 'tasks' }, (d.tasks || []).map(taskLine)),
    ]))
    : el('p', { className: 'muted', 'data-testid': 'order-tasks' }, 'No tasks yet: approval decomposes the order.');
  const blockers = order.blockers && order.blockers.length
    ? el('p', { 'data-testid': 'order-blockers' }, `Blocked by ${order.blockers.map((b) => b.name || b.id).join(', ')}`) : null;
  const summary = $('#impact-summary');
  summary.replaceChildren(...[
    el('p', {}, el('strong', {}, order.id), ` · ${order.action} · ${order.state} · ${order.lines.length} line${order.lines.length === 1 ? '' : 's'}`),
    flags.length ? el('p', { 'data-testid': 'order-flags' }, flags.join(' · ')) : null,
    rows.length ? el('ul', {}, rows) : el('p', { className: 'muted' }, 'This order has no lines yet.'),
    outside ? el('p', { className: 'muted', 'data-testid': 'impact-outside' }, `${outside} line${outside === 1 ? '' : 's'} not in this account's tree`) : null,
    impact.copies.size ? el('p', { className: 'muted', 'data-testid': 'impact-copies' }, `${impact.copies.size} move cop${impact.copies.size === 1 ? 'y' : 'ies'} drawn beside the items they replace`) : null,
    blockers,
    tasks,
    (order.workOrders || []).length ? el('p', { className: 'muted' }, `Work orders: ${order.workOrders.map((w) => `${w.kind} ${w.state}`).join(', ')}`) : null,
    (order.returns || []).length ? el('p', { className: 'muted' }, `Returns: ${order.returns.map((r) => `${r.device ? r.device.name : ''} ${r.state}`).join(', ')}`) : null,
  ].filter(Boolean));
  summary.dataset.orderId = order.id;
  summary.hidden = false;
  $('#clear-impact').hidden = false;
}

export function clearImpact() {
  clearImpactState();
  setHash(true);
  render({});
}

export function renderOrders() {
  const list = $('#order-list');
  if (!model.orders.length) {
    list.replaceChildren(el('li', { className: 'muted' }, 'No orders for this account.'));
    return;
  }
  list.replaceChildren(...model.orders.map((order) => el('li', {}, el('button', {
    type: 'button',
    'data-testid': 'order-pick',
    'data-order-id': order.id,
    'aria-current': String(Boolean(impact.order) && impact.order.id === order.id),
    onclick: () => runImpact(order.id),
  }, el('span', {}, `${order.action} · ${order.state}`), el('span', { className: 'muted' }, order.id)))));
}
