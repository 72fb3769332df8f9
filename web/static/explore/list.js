// The list view: a virtualized tree-grid that draws only the rows in sight.

import { selectItem, toggle } from '../explore.js';
import { impact, model, shownState, view, visibleKids } from './model.js';
import { $, el, stateBadge } from './ui.js';

const ROW_HEIGHT = 26;
const LIST_OVERSCAN = 12;

export let listRows = []; // [{ id, depth }]

function buildListRows() {
  const rows = [];
  const stack = visibleKids(null).slice().reverse().map((id) => [id, 0]);
  while (stack.length) {
    const [id, depth] = stack.pop();
    rows.push({ id, depth });
    if (view.expanded.has(id) && model.children.has(id)) {
      const kids = visibleKids(id);
      for (let i = kids.length - 1; i >= 0; i -= 1) stack.push([kids[i], depth + 1]);
    }
  }
  return rows;
}

export function renderList(opts) {
  listRows = buildListRows();
  $('#list-rows').style.height = `${listRows.length * ROW_HEIGHT}px`;
  $('#list').dataset.rows = String(listRows.length);
  if (opts && opts.focus) scrollListTo(opts.focus, false);
  drawListWindow();
}

export function scrollListTo(id, always) {
  const index = listRows.findIndex((r) => r.id === id);
  if (index < 0) return;
  const body = $('#list-body');
  const top = index * ROW_HEIGHT;
  if (always || top < body.scrollTop || top + ROW_HEIGHT > body.scrollTop + body.clientHeight) {
    body.scrollTop = Math.max(0, top - body.clientHeight / 3);
  }
}

export function drawListWindow() {
  const body = $('#list-body');
  const first = Math.max(0, Math.floor(body.scrollTop / ROW_HEIGHT) - LIST_OVERSCAN);
  const last = Math.min(listRows.length, Math.ceil((body.scrollTop + body.clientHeight) / ROW_HEIGHT) + LIST_OVERSCAN);
  const rows = [];
  for (let index = first; index < last; index += 1) {
    const { id, depth } = listRows[index];
    const item = model.nodes.get(id);
    const hit = impact.byItem.get(id);
    const open = view.expanded.has(id);
    const row = el('div', {
      className: `list-row${view.hits.has(id) ? ' hit' : ''}`,
      role: 'row',
      'data-id': id,
      'data-testid': 'list-row',
      'aria-level': depth + 1,
      'aria-expanded': item.childCount ? String(open) : null,
      'aria-selected': String(view.selected === id),
    },
    el('span', { role: 'gridcell', style: `padding-left:${depth * 16}px` },
      el('span', { className: 'toggle', 'data-toggle': id }, item.childCount ? (open ? '▾' : '▸') : ''),
      item.name, item.childCount && !open ? el('span', { className: 'muted' }, ` (${item.childCount})`) : null),
    el('span', { role: 'gridcell' }, item.specName),
    el('span', { role: 'gridcell' }, stateBadge(shownState(id)), hit ? ` ⇢ ${hit.action}` : ''),
    el('span', { role: 'gridcell' }, item.location || ''),
    el('span', { role: 'gridcell' }, item.openOrder ? `${item.openOrder.id} · ${item.openOrder.action}` : ''));
    row.style.top = `${index * ROW_HEIGHT}px`;
    rows.push(row);
  }
  $('#list-rows').replaceChildren(...rows);
}

export function listClick(event) {
  const toggleId = event.target.closest('[data-toggle]')?.dataset.toggle;
  const row = event.target.closest('[data-id]');
  if (!row) return;
  if (toggleId && model.nodes.get(toggleId)?.childCount) {
    toggle(toggleId);
    return;
  }
  selectItem(row.dataset.id, {});
}
