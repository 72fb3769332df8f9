// What the explorer knows and shows: the loaded part of the account's inventory, the view
// settings, the order impact, and the level-by-level loading through `inventoryTree(maxDepth: 1)`.

import { graphql } from './graphql.js';

export const CHILD_PAGE = 50; // children drawn per item before a "more" placeholder
const TREE_BATCH = 25; // items whose next level is fetched in one request

// The state an item ends in when its line completes (R8); what "After" draws.
const AFTER_STATE = { ADD: 'ACTIVE', CHANGE: 'ACTIVE', DISCONNECT: 'INACTIVE', SUSPEND: 'SUSPENDED', RESUME: 'ACTIVE' };

export const now = () => performance.now();

export const model = {
  account: null, // { id, name }
  nodes: new Map(), // id -> { id, name, state, specId, specName, location, openOrder, childCount }
  children: new Map(), // id -> [child ids], for items whose next level is loaded
  parent: new Map(), // child id -> parent id
  roots: [],
  orders: [],
};
export const view = {
  mode: 'tree', // or 'list'
  direction: 'LR', // or 'TB'
  hideInactive: false,
  expanded: new Set(),
  shown: new Map(), // parent key -> children drawn
  pinned: new Set(), // items drawn even past a page limit (hits, impacted items and their ancestors)
  hits: new Set(),
  selected: null,
};
export const impact = { order: null, byItem: new Map(), copies: new Map(), phase: 'before' };
export const timings = { firstPaint: null, expand: [], collapse: [], listExpand: [] };

// What the page is doing: `restoring` while it shows what the URL says (no history entries then).
export const app = { restoring: false };

export function accountKey() {
  return `account:${model.account.id}`;
}

export function resetModel(account) {
  model.account = account;
  model.nodes = new Map();
  model.children = new Map();
  model.parent = new Map();
  model.roots = [];
}

export const ITEM_FIELDS = 'id name state childCount specification { id name } location { id name } openOrder { id action state }';

export function remember(node) {
  const known = model.nodes.get(node.id);
  const item = {
    id: node.id,
    name: node.name,
    state: node.state,
    specId: node.specification ? node.specification.id : null,
    specName: node.specification ? node.specification.name : '',
    location: node.location ? node.location.name : '',
    openOrder: node.openOrder || null,
    childCount: node.childCount ?? (known ? known.childCount : 0),
  };
  model.nodes.set(node.id, item);
  return item;
}

export const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

// One fetched level (or more) under `rootId`: nodes and their parent/child edges.
function addLevel(rootId, tree, depthLoaded) {
  const depth = new Map([[rootId, 0]]);
  for (const node of tree.nodes) remember(node);
  const kids = new Map();
  for (const edge of tree.edges) {
    depth.set(edge.childId, (depth.get(edge.parentId) ?? 0) + 1);
    if (!kids.has(edge.parentId)) kids.set(edge.parentId, []);
    kids.get(edge.parentId).push(edge.childId);
    model.parent.set(edge.childId, edge.parentId);
  }
  for (const [id, d] of depth) {
    if (d < depthLoaded) {
      const list = kids.get(id) || [];
      const nameOf = (x) => model.nodes.get(x)?.name || x;
      list.sort((a, b) => byName.compare(nameOf(a), nameOf(b)));
      model.children.set(id, list);
    }
  }
}

export function isLoaded(id) {
  const item = model.nodes.get(id);
  return model.children.has(id) || !item || !item.childCount;
}

export function kidsOf(id) {
  return model.children.get(id) || [];
}

export function visibleKids(id) {
  const kids = id === null ? model.roots : kidsOf(id);
  return view.hideInactive ? kids.filter((k) => model.nodes.get(k)?.state !== 'INACTIVE' || view.pinned.has(k)) : kids;
}

export function ancestorsOf(id) {
  const found = [];
  for (let at = model.parent.get(id); at !== undefined; at = model.parent.get(at)) found.push(at);
  return found;
}

// Fetch the next level under every id in `ids` not loaded yet: one request per TREE_BATCH items.
export async function ensureChildren(ids) {
  const wanted = [...new Set(ids)].filter((id) => !isLoaded(id));
  for (let start = 0; start < wanted.length; start += TREE_BATCH) {
    await fetchLevels(wanted.slice(start, start + TREE_BATCH));
  }
}

// One request for the next level under every id of `batch`; a batch the server's query limits
// refuse is split in two and asked again, down to one item per request.
const SPLITTABLE = new Set(['QUERY_TOO_COSTLY', 'TOO_MANY_ALIASES', 'TOO_MANY_TOKENS']);
async function fetchLevels(batch) {
  const variables = {};
  const definitions = [];
  const fields = [];
  batch.forEach((rootId, index) => {
    variables[`r${index}`] = rootId;
    definitions.push(`$r${index}: ID!`);
    fields.push(`t${index}: inventoryTree(rootId: $r${index}, maxDepth: 1) { nodes { ${ITEM_FIELDS} } edges { parentId childId } }`);
  });
  let data;
  try {
    data = await graphql(`query ExplorerLevel(${definitions.join(', ')}) {\n${fields.join('\n')}\n}`, variables);
  } catch (error) {
    if (batch.length > 1 && error.codes && error.codes.some((code) => SPLITTABLE.has(code))) {
      const half = Math.ceil(batch.length / 2);
      await fetchLevels(batch.slice(0, half));
      await fetchLevels(batch.slice(half));
      return;
    }
    throw error;
  }
  batch.forEach((rootId, index) => addLevel(rootId, data[`t${index}`], 1));
}

// Load every level down to each of `ids` (given their ancestors, root first), so they can be drawn.
export async function ensurePaths(paths) {
  const byDepth = [];
  for (const path of paths) path.forEach((id, depth) => { (byDepth[depth] = byDepth[depth] || []).push(id); });
  for (const level of byDepth) if (level) await ensureChildren(level);
}

export function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

export function shownState(id) {
  const item = model.nodes.get(id);
  const hit = impact.byItem.get(id);
  if (impact.order && impact.phase === 'after' && hit && AFTER_STATE[hit.action]) return AFTER_STATE[hit.action];
  return item.state;
}
