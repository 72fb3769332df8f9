// The order panel: the account's order picker, and an order's impact drawn on the tree with its
// summary: lines per action; flags (past the point of no return, on hold with the reason, in
// fallout, jeopardy, due); its version with every revision and what each changed (R14); the order
// it follows and its follow-on orders (R15), each a link to that order's impact; the tasks with
// readiness, what blocks them, failures, holds, due dates and jeopardy (R13); work orders, returns.

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
  'failureCategory', 'failedAt', 'attempt', 'skipReason', 'plannedStartAt', 'dueAt', 'heldBy',
  ['dependsOn', ['id', 'name']], ['blockedBy', ['id', 'name']], ['blockedByWorkOrders', ['id', 'kind', 'state']]];
const LINE_CHANGE = ['lineId', 'inventoryItemId', 'specificationId', 'action', ['changes', ['field', 'oldValue', 'newValue']]];
const REVISION_FIELDS = ['id', 'version', 'state', 'reason', 'requestedBy', 'decidedBy', 'createdAt', 'decidedAt',
  ['linesAdded', LINE_CHANGE], ['linesRemoved', LINE_CHANGE], ['linesChanged', LINE_CHANGE]];
const RELATED_ORDER = ['id', 'action', 'state', 'version'];
// What the account's order picker shows of each order.
export const ORDER_PICK = ['id', 'action', 'state', 'version', ['followsOrder', ['id']]];
const ORDER_IMPACT = [
  'id', 'action', 'state', 'version', 'pastPointOfNoReturn', 'held', 'onHold', 'holdReason', 'inFallout', 'fallout',
  'jeopardy', 'dueAt', 'requestedStartDate', 'requestedCompletionDate', 'notes',
  ['account', ['id', 'name']],
  ['lines', ['id', 'action', 'moveOperation',
    ['inventoryItem', ['id', 'name', 'state', ['ancestors', ['id']], ['replacedBy', ['id', 'name', 'state', ['location', ['name']]]]]],
    ['targetLocation', ['id', 'name']]]],
  ['domainOrders', ['id', 'kind', 'state', ['tasks', TASK_FIELDS]]],
  ['workOrders', ['kind', 'state']],
  ['returns', ['state', 'reason', ['device', ['name']]]],
  ['blockers', ['id', 'name']],
  ['revisions', REVISION_FIELDS],
  ['followsOrder', RELATED_ORDER],
  ['followOnOrders', RELATED_ORDER],
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

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function shownTime(value) {
  return value ? when.format(new Date(value)) : '';
}

// What keeps a task that is not ready from starting: the tasks it waits for, its field work, a
// hold of the order or of a revision, or the order's requested start.
function waitingFor(task, order) {
  const reasons = [];
  if (task.blockedBy && task.blockedBy.length) {
    reasons.push(el('span', { 'data-testid': 'task-blocked-by', 'data-task-ids': task.blockedBy.map((b) => b.id).join(' ') },
      `blocked by ${task.blockedBy.map((b) => b.name).join(', ')}`));
  } else if (!task.blockedBy && task.dependsOn && task.dependsOn.length) {
    reasons.push(`after ${task.dependsOn.map((d) => d.name).join(', ')}`);
  }
  if (task.blockedByWorkOrders && task.blockedByWorkOrders.length) {
    reasons.push(el('span', { 'data-testid': 'task-work-orders' },
      `waits for ${task.blockedByWorkOrders.map((w) => `${w.kind} work order (${w.state})`).join(', ')}`));
  }
  if (task.heldBy && task.heldBy.length) {
    reasons.push(el('span', { 'data-testid': 'task-held' }, `held by revision ${task.heldBy.join(', ')}`));
  }
  if (order.onHold && ['OPEN', 'IN_PROGRESS'].includes(task.state)) reasons.push('order on hold');
  // Nothing else holds it back: the order's requested start (what `plannedStartAt` says) has not come.
  if (!reasons.length && task.plannedStartAt) {
    reasons.push(el('span', { 'data-testid': 'task-start', 'data-planned-start-at': task.plannedStartAt },
      `may start from ${shownTime(task.plannedStartAt)}`));
  }
  return reasons;
}

function taskLine(task, order) {
  const open = ['OPEN', 'IN_PROGRESS'].includes(task.state);
  const extras = [];
  if (task.ready !== undefined && task.ready !== null && open) extras.push(task.ready ? 'ready' : 'waiting');
  if (open && !task.ready) extras.push(...waitingFor(task, order));
  if (task.state === 'FAILED') {
    const category = task.failureCategory ? ` (${task.failureCategory})` : '';
    extras.push(el('span', { className: 'failure', 'data-testid': 'task-failure', 'data-category': task.failureCategory || null },
      `failed${category}${task.failureReason ? `: ${task.failureReason}` : ''}`,
      task.failedAt ? ` at ${shownTime(task.failedAt)}` : ''));
  }
  if (task.attempt && task.attempt > 1) extras.push(`attempt ${task.attempt}`);
  if (task.skipReason) extras.push(`skipped: ${task.skipReason}`);
  if (task.dueAt && (open || task.state === 'FAILED')) {
    extras.push(el('span', { 'data-testid': 'task-due', 'data-due-at': task.dueAt }, `due ${shownTime(task.dueAt)}`));
  }
  if (task.jeopardy && task.jeopardy !== 'NONE') {
    extras.push(el('span', { className: `jeopardy jeopardy-${task.jeopardy.toLowerCase()}`, 'data-testid': 'task-jeopardy' },
      `jeopardy ${task.jeopardy}`));
  }
  const parts = [];
  for (const extra of extras) parts.push(' · ', extra);
  return el('li', {
    'data-testid': 'order-task',
    'data-task-id': task.id,
    'data-state': task.state,
    'data-ready': task.ready === undefined || task.ready === null ? null : String(task.ready),
    'data-jeopardy': task.jeopardy || null,
  },
  `${task.sequence ?? ''}. ${task.name} · ${task.state}`,
  task.pointOfNoReturn ? el('span', { className: 'ponr' }, ' · PONR') : null,
  parts.length ? el('span', { className: 'muted' }, parts) : null);
}

// A link that opens another order's impact (the order a follow-on follows, or a follow-on).
function orderLink(related, testid) {
  return el('button', {
    type: 'button',
    className: 'link-button',
    'data-testid': testid,
    'data-order-id': related.id,
    'data-state': related.state,
    onclick: () => runImpact(related.id),
  }, `${related.id} · ${related.action} · ${related.state}`);
}

function followOnsSection(order) {
  const follows = order.followsOrder;
  const followOns = order.followOnOrders || [];
  if (!follows && !followOns.length) return null;
  return el('div', { 'data-testid': 'order-follow-on-section' },
    el('h3', {}, 'Follow-on orders'),
    follows ? el('p', { 'data-testid': 'order-follows' }, 'Follows ', orderLink(follows, 'order-follows-link'),
      order.state === 'QUEUED' ? el('span', { className: 'muted' }, ': waits until that order completes') : null) : null,
    followOns.length ? el('ul', { className: 'related', 'data-testid': 'order-follow-ons' },
      followOns.map((f) => el('li', {}, orderLink(f, 'order-follow-on')))) : null);
}

function changeValues(change) {
  return (change.changes || []).map((c) => el('li', {
    'data-testid': 'revision-field', 'data-field': c.field, 'data-old': c.oldValue ?? '', 'data-new': c.newValue ?? '',
  }, `${c.field}: ${c.oldValue ?? '∅'} → ${c.newValue ?? '∅'}`));
}

function revisionChanges(revision) {
  const groups = [['added', 'Adds', revision.linesAdded], ['removed', 'Removes', revision.linesRemoved],
    ['changed', 'Changes', revision.linesChanged]];
  const rows = [];
  for (const [kind, verb, changes] of groups) {
    for (const change of changes || []) {
      const item = change.inventoryItemId ? model.nodes.get(change.inventoryItemId) : null;
      const what = item ? item.name : change.inventoryItemId || change.specificationId;
      rows.push(el('li', {
        'data-testid': 'revision-change', 'data-kind': kind, 'data-line-id': change.lineId,
        'data-item-id': change.inventoryItemId || null,
      }, `${verb} ${change.action} line on ${what}`, el('ul', { className: 'values' }, changeValues(change))));
    }
  }
  return rows.length ? el('ul', { className: 'changes' }, rows) : el('p', { className: 'muted' }, 'No line changed (yet).');
}

function revisionsSection(order) {
  if (order.version === undefined && !order.revisions) return null;
  const revisions = order.revisions || [];
  const current = order.version ?? 1;
  return el('div', { 'data-testid': 'order-revisions' },
    el('h3', {}, 'Versions'),
    el('p', { 'data-testid': 'order-version', 'data-version': current },
      `Version ${current}${revisions.length ? '' : ' (as first captured; never revised)'}`),
    revisions.length ? el('ol', { className: 'revisions' }, revisions.map((r) => el('li', {
      'data-testid': 'order-revision', 'data-revision-id': r.id, 'data-version': r.version, 'data-state': r.state,
    },
    el('strong', {}, `v${r.version}`), ` · ${r.state}`, r.reason ? ` · “${r.reason}”` : '',
    el('div', { className: 'muted' }, [
      r.requestedBy ? `asked by ${r.requestedBy}` : 'asked',
      r.createdAt ? ` ${shownTime(r.createdAt)}` : '',
      r.decidedBy || r.decidedAt ? `; ${r.state === 'CANCELLED' ? 'cancelled' : 'approved'}${r.decidedBy ? ` by ${r.decidedBy}` : ''}${r.decidedAt ? ` ${shownTime(r.decidedAt)}` : ''}` : '',
    ]),
    revisionChanges(r)))) : null);
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
  if (order.dueAt && !['COMPLETED', 'CANCELLED', 'REJECTED'].includes(order.state)) flags.push(`due ${shownTime(order.dueAt)}`);
  const domainOrders = order.domainOrders || [];
  const failed = domainOrders.flatMap((d) => (d.tasks || []).filter((task) => task.state === 'FAILED'));
  const alerts = [];
  if (order.held || order.onHold) {
    alerts.push(el('p', { className: 'alert', 'data-testid': 'order-hold' },
      el('strong', {}, 'On hold'), order.holdReason ? `: ${order.holdReason}` : '', '. No task can start or close until the order is resumed.'));
  }
  if (failed.length) {
    alerts.push(el('p', { className: 'alert', 'data-testid': 'order-fallout' }, el('strong', {}, 'In fallout'),
      `: ${failed.map((task) => `${task.name} failed${task.failureCategory ? ` (${task.failureCategory})` : ''}${task.failureReason ? `: ${task.failureReason}` : ''}`).join('; ')}. Retry or skip it to go on.`));
  }
  const tasks = domainOrders.length
    ? el('div', { 'data-testid': 'order-tasks' }, el('h3', {}, 'Tasks'), domainOrders.map((d) => [
      el('p', { className: 'muted' }, `${d.kind} order · ${d.state}`),
      el('ol', { className: 'tasks' }, (d.tasks || []).map((task) => taskLine(task, order))),
    ]))
    : el('p', { className: 'muted', 'data-testid': 'order-tasks' }, 'No tasks yet: approval decomposes the order.');
  const blockers = order.blockers && order.blockers.length
    ? el('p', { 'data-testid': 'order-blockers' }, `Blocked by ${order.blockers.map((b) => b.name || b.id).join(', ')}`) : null;
  const summary = $('#impact-summary');
  summary.replaceChildren(...[
    el('p', {}, el('strong', {}, order.id), ` · ${order.action} · ${order.state}${order.version ? ` · v${order.version}` : ''} · ${order.lines.length} line${order.lines.length === 1 ? '' : 's'}`),
    flags.length ? el('p', { 'data-testid': 'order-flags' }, flags.join(' · ')) : null,
    ...alerts,
    (order.notes || []).length ? el('ul', { className: 'notes', 'data-testid': 'order-notes' }, order.notes.map((note) => el('li', {}, note))) : null,
    rows.length ? el('ul', {}, rows) : el('p', { className: 'muted' }, 'This order has no lines yet.'),
    outside ? el('p', { className: 'muted', 'data-testid': 'impact-outside' }, `${outside} line${outside === 1 ? '' : 's'} not in this account's tree`) : null,
    impact.copies.size ? el('p', { className: 'muted', 'data-testid': 'impact-copies' }, `${impact.copies.size} move cop${impact.copies.size === 1 ? 'y' : 'ies'} drawn beside the items they replace`) : null,
    blockers,
    revisionsSection(order),
    followOnsSection(order),
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
    'data-state': order.state,
    'data-follows': order.followsOrder ? order.followsOrder.id : null,
    'aria-current': String(Boolean(impact.order) && impact.order.id === order.id),
    onclick: () => runImpact(order.id),
  }, el('span', {}, `${order.action} · ${order.state}${order.version > 1 ? ` · v${order.version}` : ''}`),
  el('span', { className: 'muted' }, order.id, order.followsOrder ? ` · follows ${order.followsOrder.id}` : '')))));
}
