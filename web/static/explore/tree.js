// The tree view: d3-hierarchy's tidy tree over what is drawn, placed into Cytoscape.js, with the
// readable Fit and the minimap.

import { showAccountDetails } from './details.js';
import { selectItem, showMore, tapItem } from '../explore.js';
import { CHILD_PAGE, accountKey, impact, model, shownState, view, visibleKids } from './model.js';
import { $, ACTION_COLORS, DEFAULT_COLOR, STATE_COLORS, clearNotice, shorten, showNotice } from './ui.js';

const NAME_LIMIT = 23;
const FONT_SIZE = 12;
const MIN_RENDERED_FONT = 8; // Fit never zooms out so far that labels are smaller than this (px)
const MIN_READABLE_ZOOM = MIN_RENDERED_FONT / FONT_SIZE;
const NODE_W = 170;
const NODE_H = 42;

export let cy = null;

function itemLabel(id) {
  const item = model.nodes.get(id);
  const kids = item.childCount || 0;
  let fold = '';
  if (kids) fold = view.expanded.has(id) ? ' ▾' : ` ▸ ${kids}`;
  const detail = item.specName && item.specName.toLowerCase() !== item.name.toLowerCase() ? `${shorten(item.specName, 22)} · ` : '';
  const lines = [shorten(item.name, NAME_LIMIT), `${detail}${shownState(id)}${fold}`];
  const hit = impact.byItem.get(id);
  if (hit) lines[1] = `⇢ ${hit.action}${hit.move ? ' · MOVE' : ''}${fold}`;
  return lines.join('\n');
}

function itemData(id) {
  const item = model.nodes.get(id);
  const hit = impact.byItem.get(id);
  const data = {
    id,
    kind: 'item',
    label: itemLabel(id),
    state: shownState(id),
    color: STATE_COLORS[shownState(id)] || DEFAULT_COLOR,
    collapsed: Boolean(item.childCount) && !view.expanded.has(id),
    hit: view.hits.has(id),
  };
  if (hit) {
    data.impact = hit.action;
    data.impactColor = hit.move ? ACTION_COLORS.MOVE : ACTION_COLORS[hit.action] || '#000';
    data.move = Boolean(hit.move);
    data.ghost = (impact.phase === 'before' && hit.action === 'ADD') || (impact.phase === 'after' && hit.action === 'DISCONNECT');
  }
  return data;
}

// What is drawn: the account node, open items' children (a page at a time), and move copies.
function visibleElements() {
  const nodes = [];
  const edges = [];
  const link = (source, target, kind) => edges.push({ group: 'edges', data: { id: `edge:${source}>${target}`, source, target, kind: kind || 'child' } });
  const drawChildren = (parentCyId, parentKey, kids) => {
    const limit = view.shown.get(parentKey) || CHILD_PAGE;
    let drawn = 0;
    kids.forEach((kid, index) => {
      if (index < limit || view.pinned.has(kid)) {
        drawItem(kid, parentCyId);
        drawn += 1;
      }
    });
    if (kids.length > drawn) {
      const moreId = `more:${parentKey}`;
      nodes.push({ group: 'nodes', data: { id: moreId, kind: 'more', parentKey, label: `+ ${kids.length - drawn} more…` } });
      link(parentCyId, moreId);
    }
  };
  const drawItem = (id, parentCyId) => {
    nodes.push({ group: 'nodes', data: itemData(id) });
    link(parentCyId, id);
    if (view.expanded.has(id) && model.children.has(id)) drawChildren(id, id, visibleKids(id));
  };
  const accountId = accountKey();
  nodes.push({ group: 'nodes', data: { id: accountId, kind: 'account', label: `${shorten(model.account.name, NAME_LIMIT)}\n${model.account.id}` } });
  drawChildren(accountId, accountId, visibleKids(null));
  const drawnIds = new Set(nodes.map((n) => n.data.id));
  for (const [oldId, copy] of impact.copies) {
    if (!drawnIds.has(oldId)) continue;
    if (!drawnIds.has(copy.id)) {
      nodes.push({
        group: 'nodes',
        data: {
          id: copy.id, kind: 'copy', anchor: oldId, color: STATE_COLORS[copy.state] || DEFAULT_COLOR,
          label: `${shorten(copy.name, NAME_LIMIT)}\ncopy${copy.location ? ` at ${shorten(copy.location, 16)}` : ''}`,
        },
      });
      drawnIds.add(copy.id);
    }
    edges.push({ group: 'edges', data: { id: `replaces:${copy.id}>${oldId}`, source: copy.id, target: oldId, kind: 'replaces' } });
  }
  return { nodes, edges };
}

export function renderTree(opts) {
  const wanted = visibleElements();
  const wantedIds = new Set();
  for (const element of wanted.nodes) wantedIds.add(element.data.id);
  for (const element of wanted.edges) wantedIds.add(element.data.id);
  cy.batch(() => {
    cy.elements().filter((element) => !wantedIds.has(element.id())).remove();
    for (const element of wanted.nodes) {
      const existing = cy.getElementById(element.data.id);
      if (existing.nonempty()) {
        existing.removeData('impact impactColor move ghost');
        existing.data(element.data);
      } else {
        cy.add(element);
      }
    }
    for (const element of wanted.edges) {
      if (cy.getElementById(element.data.id).empty()) cy.add(element);
    }
    cy.nodes().removeClass('dimmed');
    if (impact.order) cy.nodes('[kind = "item"][!impact]').addClass('dimmed');
    cy.nodes().unselect();
    if (view.selected) cy.getElementById(view.selected).select();
    layout(wanted);
  });
  place(opts);
  scheduleMinimap();
}

// A tidy tree (Reingold–Tilford, d3-hierarchy) over what is drawn; move copies sit beside their item.
function layout(wanted) {
  const parents = new Map();
  for (const edge of wanted.edges) if (edge.data.kind === 'child') parents.set(edge.data.target, edge.data.source);
  // A move copy takes a place in the tree right after the item it replaces, under the same parent.
  const copiesOf = new Map();
  for (const n of wanted.nodes) if (n.data.kind === 'copy') copiesOf.set(n.data.anchor, n);
  const treeNodes = [];
  for (const n of wanted.nodes) {
    if (n.data.kind === 'copy') continue;
    treeNodes.push(n);
    const copy = copiesOf.get(n.data.id);
    if (copy && parents.has(n.data.id)) {
      parents.set(copy.data.id, parents.get(n.data.id));
      treeNodes.push(copy);
    }
  }
  const root = d3.stratify().id((n) => n.data.id).parentId((n) => parents.get(n.data.id))(treeNodes);
  const leftRight = view.direction === 'LR';
  const across = leftRight ? NODE_H + 10 : NODE_W + 14;
  const along = leftRight ? NODE_W + 56 : NODE_H + 44;
  d3.tree().nodeSize([across, along]).separation((a, b) => (a.parent === b.parent ? 1 : 1.3))(root);
  const positions = new Map();
  root.each((n) => positions.set(n.id, leftRight ? { x: n.y, y: n.x } : { x: n.x, y: n.y }));
  for (const [id, position] of positions) cy.getElementById(id).position(position);
  cy.style().selector('edge[kind = "child"]').style('taxi-direction', leftRight ? 'rightward' : 'downward').update();
}

function place(opts) {
  if (opts.fit) {
    fitReadable(cy.elements());
    return;
  }
  if (opts.bring && opts.bring.nonempty()) {
    fitReadable(opts.bring);
    return;
  }
  const focus = opts.focus ? cy.getElementById(opts.focus) : null;
  if (focus && focus.nonempty()) keepInView(focus);
}

// Fit `elements` without shrinking labels below MIN_RENDERED_FONT: when they do not fit readable,
// zoom to the readable minimum around the selection (or the first of them) and say so.
export function fitReadable(elements) {
  const target = elements.nonempty() ? elements : cy.elements();
  cy.fit(target, 28);
  if (cy.zoom() > 1.25) {
    cy.zoom(1.25);
    cy.center(target);
  }
  const fits = cy.zoom() >= MIN_READABLE_ZOOM;
  if (!fits) {
    const selected = view.selected ? cy.getElementById(view.selected) : cy.collection();
    const focus = selected.nonempty() && target.contains(selected) ? selected : target.nodes().first();
    cy.zoom(MIN_READABLE_ZOOM);
    cy.center(focus);
    if (!selected.nonempty() || !target.contains(selected)) {
      // Show the start of the drawing: its top-left corner at the top-left of the view.
      const box = target.renderedBoundingBox();
      cy.panBy({ x: Math.max(0, 20 - box.x1), y: Math.max(0, 20 - box.y1) });
    }
    const outside = target.nodes().filter((n) => !inView(n)).length;
    showNotice(`Zoomed to the smallest readable size: ${outside} of ${target.nodes().length} drawn items are outside the view; drag, use the minimap, or the list view.`, 'fit');
  } else {
    clearNotice('fit');
  }
  cy.container().dataset.fitZoom = String(cy.zoom());
  scheduleMinimap();
}

function inView(node) {
  const box = node.renderedBoundingBox();
  return box.x1 >= -1 && box.y1 >= -1 && box.x2 <= cy.width() + 1 && box.y2 <= cy.height() + 1;
}

export function keepInView(node) {
  if (inView(node)) return;
  if (cy.zoom() < MIN_READABLE_ZOOM) cy.zoom(MIN_READABLE_ZOOM);
  cy.center(node);
}

export function createGraph() {
  const container = $('#tree');
  container.textContent = '';
  cy = cytoscape({
    container,
    elements: [],
    minZoom: 0.05,
    maxZoom: 2.5,
    boxSelectionEnabled: false,
    autoungrabify: true,
    style: [
      {
        selector: 'node',
        style: {
          shape: 'round-rectangle',
          width: NODE_W,
          height: NODE_H,
          'background-color': 'data(color)',
          'border-width': 1,
          'border-color': '#5f6b7a',
          label: 'data(label)',
          'text-wrap': 'wrap',
          'text-max-width': NODE_W - 10,
          'text-valign': 'center',
          'text-halign': 'center',
          'font-size': FONT_SIZE,
          'line-height': 1.2,
          'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
          color: '#1b1f24',
        },
      },
      { selector: 'node[?collapsed]', style: { 'border-width': 2, 'border-color': '#37474f' } },
      { selector: 'node[kind = "account"]', style: { 'background-color': '#263238', color: '#ffffff', 'font-weight': 600, 'border-width': 0 } },
      { selector: 'node[kind = "more"]', style: { 'background-color': '#ffffff', 'border-style': 'dashed', color: '#37474f' } },
      { selector: 'node[kind = "copy"]', style: { 'border-style': 'dashed', 'border-width': 2, 'border-color': ACTION_COLORS.MOVE } },
      { selector: 'node[impact]', style: { 'border-width': 5, 'border-color': 'data(impactColor)' } },
      { selector: 'node[?move]', style: { 'border-style': 'double', 'border-width': 7 } },
      { selector: 'node[?ghost]', style: { 'background-opacity': 0.35, 'text-opacity': 0.6, 'border-style': 'dashed' } },
      { selector: 'node[?hit]', style: { 'underlay-color': '#ffb300', 'underlay-opacity': 0.55, 'underlay-padding': 7, 'underlay-shape': 'round-rectangle' } },
      { selector: 'node.dimmed', style: { opacity: 0.45 } },
      { selector: 'node:selected', style: { 'overlay-color': '#1565c0', 'overlay-opacity': 0.16, 'overlay-padding': 6 } },
      {
        selector: 'edge[kind = "child"]',
        style: { width: 1.3, 'line-color': '#9aa5b1', 'curve-style': 'taxi', 'taxi-direction': 'rightward', 'taxi-turn': 20 },
      },
      {
        selector: 'edge[kind = "replaces"]',
        style: {
          width: 2, 'line-color': ACTION_COLORS.MOVE, 'line-style': 'dashed', 'curve-style': 'bezier',
          'target-arrow-shape': 'triangle', 'target-arrow-color': ACTION_COLORS.MOVE, label: 'replaces',
          'font-size': 10, color: ACTION_COLORS.MOVE, 'text-background-color': '#fff', 'text-background-opacity': 1,
        },
      },
    ],
  });
  cy.on('tap', 'node', (event) => {
    const node = event.target;
    const kind = node.data('kind');
    if (kind === 'more') showMore(node.data('parentKey'));
    else if (kind === 'item') tapItem(node.id());
    else if (kind === 'copy') selectItem(node.id(), { fetchOnly: true });
    else showAccountDetails();
  });
  cy.on('viewport', scheduleMinimap);
  window.explorer.cy = cy;
}

let minimapPending = false;
export const minimap = { scale: 1, x0: 0, y0: 0 };

export function scheduleMinimap() {
  if (minimapPending) return;
  minimapPending = true;
  requestAnimationFrame(() => {
    minimapPending = false;
    drawMinimap();
  });
}

function drawMinimap() {
  const canvas = $('#minimap');
  canvas.hidden = view.mode !== 'tree' || !model.account;
  if (canvas.hidden) return;
  const context = canvas.getContext('2d');
  const box = cy.elements().boundingBox();
  const pad = 6;
  const scale = Math.min((canvas.width - 2 * pad) / Math.max(box.w, 1), (canvas.height - 2 * pad) / Math.max(box.h, 1));
  Object.assign(minimap, { scale, x0: box.x1 - pad / scale, y0: box.y1 - pad / scale });
  context.clearRect(0, 0, canvas.width, canvas.height);
  const toCanvas = (x, y) => [(x - minimap.x0) * scale, (y - minimap.y0) * scale];
  cy.nodes().forEach((node) => {
    const p = node.position();
    const [x, y] = toCanvas(p.x - NODE_W / 2, p.y - NODE_H / 2);
    context.fillStyle = node.data('hit') ? '#ffb300' : node.data('impact') ? node.data('impactColor') : node.data('color') || '#263238';
    context.fillRect(x, y, Math.max(2, NODE_W * scale), Math.max(2, NODE_H * scale));
  });
  const extent = cy.extent();
  const [vx, vy] = toCanvas(extent.x1, extent.y1);
  context.strokeStyle = '#1565c0';
  context.lineWidth = 2;
  context.strokeRect(vx, vy, extent.w * scale, extent.h * scale);
  canvas.dataset.viewport = JSON.stringify([vx, vy, extent.w * scale, extent.h * scale].map((v) => Math.round(v)));
}

export function minimapClick(event) {
  const canvas = $('#minimap');
  const rect = canvas.getBoundingClientRect();
  const x = (event.clientX - rect.left) * (canvas.width / rect.width) / minimap.scale + minimap.x0;
  const y = (event.clientY - rect.top) * (canvas.height / rect.height) / minimap.scale + minimap.y0;
  const zoom = cy.zoom();
  cy.pan({ x: cy.width() / 2 - x * zoom, y: cy.height() / 2 - y * zoom });
}
