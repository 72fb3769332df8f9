// The details pane: an item's location, services, entitlement, open order, move links and history.

import { fieldType, graphql, has, selection } from './graphql.js';
import { revealById, selectItem, toggle } from '../explore.js';
import { model, view } from './model.js';
import { runImpact } from './orders.js';
import { $, definitionList, el, stateBadge } from './ui.js';

let detailsToken = 0;

export function showDetailsPlaceholder() {
  $('#details').replaceChildren(
    el('p', { className: 'placeholder' }, 'Click an item in the tree to see its location, services, entitlement and history.'),
  );
}

export function showAccountDetails() {
  if (!model.account) return;
  $('#details').replaceChildren(
    el('h2', { 'data-testid': 'details-name' }, model.account.name),
    definitionList([['Account', model.account.id], ['Items', String(model.nodes.size)], ['Trees', String(model.roots.length)]]),
  );
}

const ITEM_DETAILS = [
  'id', 'name', 'state', 'version', 'createdAt',
  ['specification', ['id', 'name', 'version', 'physical']],
  ['location', ['id', 'name', 'address', 'city', 'country']],
  ['characteristics', ['name', 'value']],
  ['services', ['id', 'name', 'state', ['specification', ['name']]]],
  ['entitlement', ['id', 'name', 'state', 'startDate', 'endDate', ['contract', ['id', 'name', 'state']]]],
  ['openOrder', ['id', 'action', 'state']],
  ['replaces', ['id', 'name', 'state']],
  ['replacedBy', ['id', 'name', 'state']],
];
const HISTORY_DETAILS = ['at', 'field', 'fromValue', 'toValue', 'orderId'];

function itemDetailsQuery() {
  const item = selection(fieldType('Query', 'inventoryItem'), ITEM_DETAILS);
  // inventoryHistory is optional: servers without it still get the other details.
  const history = has('Query', 'inventoryHistory')
    ? `history: inventoryHistory(id: $id) ${selection(fieldType('Query', 'inventoryHistory'), HISTORY_DETAILS)}`
    : '';
  return `query ExplorerItem($id: ID!) {\n  item: inventoryItem(id: $id) ${item}\n  ${history}\n}`;
}

export async function showDetails(id) {
  const token = ++detailsToken;
  const summary = model.nodes.get(id) || { id, name: id };
  $('#details').replaceChildren(
    el('h2', { 'data-testid': 'details-name' }, summary.name),
    el('p', { className: 'placeholder' }, 'Loading details…'),
  );
  let data;
  try {
    data = await graphql(itemDetailsQuery(), { id });
  } catch (error) {
    if (token !== detailsToken) return;
    $('#details').replaceChildren(
      el('h2', { 'data-testid': 'details-name' }, summary.name),
      el('p', { className: 'error', role: 'alert' }, error.message),
    );
    return;
  }
  if (token !== detailsToken) return;
  renderDetails(id, data.item || summary, data.history);
}

function renderDetails(id, item, history) {
  const spec = item.specification;
  const location = item.location;
  const parts = [
    el('h2', { 'data-testid': 'details-name' }, item.name),
    definitionList([
      ['Id', item.id],
      ['State', stateBadge(item.state)],
      ['Specification', spec ? `${spec.name}${spec.version ? ` v${spec.version}` : ''}${spec.physical ? ' (device)' : ''}` : item.specName],
      ['Location', location ? [location.name, location.address, location.city, location.country].filter(Boolean).join(', ') : null],
      ['Version', item.version],
      ['Created', item.createdAt ? new Date(item.createdAt).toLocaleString() : null],
      ['Children', model.nodes.get(id) && model.nodes.get(id).childCount ? String(model.nodes.get(id).childCount) : null],
    ]),
  ];
  if (item.characteristics && item.characteristics.length) {
    parts.push(el('h3', {}, 'Characteristics'), el('table', { 'data-testid': 'details-characteristics' },
      item.characteristics.map((c) => el('tr', {}, el('td', {}, c.name), el('td', {}, c.value)))));
  }
  if (item.services) {
    parts.push(el('h3', {}, 'Services'), item.services.length
      ? el('ul', { 'data-testid': 'details-services' }, item.services.map((s) => el('li', {}, `${s.name} `, stateBadge(s.state))))
      : el('p', { className: 'muted' }, 'No service realizes this item.'));
  }
  if (item.entitlement !== undefined) {
    const ent = item.entitlement;
    parts.push(el('h3', {}, 'Entitlement'), ent
      ? el('div', { 'data-testid': 'details-entitlement' }, definitionList([
        ['Name', ent.name],
        ['State', ent.state],
        ['From', ent.startDate],
        ['Until', ent.endDate],
        ['Contract', ent.contract ? `${ent.contract.name} (${ent.contract.state})` : null],
      ]))
      : el('p', { className: 'muted' }, 'No entitlement covers this item.'));
  }
  if (item.openOrder) {
    const order = item.openOrder;
    parts.push(el('h3', {}, 'Open order'), el('p', {},
      `${order.id} · ${order.action} · ${order.state} `,
      el('button', { type: 'button', className: 'link-button', onclick: () => runImpact(order.id) }, 'Show impact')));
  }
  for (const [title, link, testid] of [['Replaces (moved from)', item.replaces, 'details-replaces'], ['Replaced by (moved to)', item.replacedBy, 'details-replaced-by']]) {
    if (!link) continue;
    parts.push(el('h3', {}, title), el('p', { 'data-testid': testid, 'data-item-id': link.id },
      el('button', { type: 'button', className: 'link-button', onclick: () => revealById(link.id).then(() => selectItem(link.id, {})) },
        `${link.name} · ${link.state}`), el('span', { className: 'muted' }, ` ${link.id}`)));
  }
  if (history !== undefined && history !== null) {
    parts.push(el('h3', {}, 'History'), history.length
      ? el('ol', { 'data-testid': 'details-history' }, history.map((event) => el('li', {},
        `${new Date(event.at).toLocaleString()} · ${event.field}: ${event.fromValue ?? '∅'} → ${event.toValue ?? '∅'}`,
        event.orderId ? ` (order ${event.orderId})` : '')))
      : el('p', { className: 'muted' }, 'No recorded changes.'));
  }
  const actions = el('div', { className: 'actions' });
  if (model.nodes.get(id) && model.nodes.get(id).childCount) {
    actions.append(el('button', { id: 'toggle-expand', type: 'button', onclick: () => toggle(id) },
      view.expanded.has(id) ? 'Fold children' : 'Open children'));
  }
  parts.push(actions);
  $('#details').replaceChildren(...parts);
}

export function refreshToggleButton(id) {
  const button = $('#toggle-expand');
  if (button && view.selected === id) button.textContent = view.expanded.has(id) ? 'Fold children' : 'Open children';
}
