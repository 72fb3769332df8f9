// Inventory explorer: an account's product inventory as a tidy tree (d3-hierarchy's tree layout
// drawn by Cytoscape.js) or as a virtualized tree-grid list, read through the public GraphQL API
// only, downloads included. Levels load on demand (`inventoryTree(maxDepth: 1)` per opened item,
// `childCount` says what can still be opened); at most CHILD_PAGE children per item are drawn until
// asked, and "Open one more level" stops at LEVEL_BUDGET drawn items and says so.
(function () {
  'use strict';

  const ENDPOINT = '/graphql';
  const CHILD_PAGE = 50; // children drawn per item before a "more" placeholder
  const TREE_BATCH = 25; // items whose next level is fetched in one request
  const LEVEL_BUDGET = 2000; // "open one more level" stops before drawing more items than this
  const LIST_BUDGET = 50000; // the list view's limit for the same button
  const NAME_LIMIT = 23;
  const FONT_SIZE = 12;
  const MIN_RENDERED_FONT = 8; // Fit never zooms out so far that labels are smaller than this (px)
  const MIN_READABLE_ZOOM = MIN_RENDERED_FONT / FONT_SIZE;
  const NODE_W = 170;
  const NODE_H = 42;
  const ROW_HEIGHT = 26;
  const LIST_OVERSCAN = 12;

  // Shared with exports/tree_formats.py STATE_COLORS so exports and the explorer look alike.
  const STATE_COLORS = {
    ACTIVE: '#c8e6c9',
    INSTALLATION_PENDING: '#bbdefb',
    CHANGE_PENDING: '#ffe0b2',
    SUSPENDED: '#fff59d',
    DISCONNECT_PENDING: '#ffccbc',
    INACTIVE: '#e0e0e0',
  };
  const DEFAULT_COLOR = '#f5f5f5';
  const ACTION_COLORS = {
    ADD: '#2e7d32',
    CHANGE: '#ef6c00',
    DISCONNECT: '#c62828',
    SUSPEND: '#9e7c00',
    RESUME: '#00838f',
    NO_CHANGE: '#78909c',
    MOVE: '#6a1b9a',
  };
  const ACTION_ORDER = ['ADD', 'CHANGE', 'DISCONNECT', 'SUSPEND', 'RESUME', 'NO_CHANGE'];
  // The state an item ends in when its line completes (R8); what "After" draws.
  const AFTER_STATE = { ADD: 'ACTIVE', CHANGE: 'ACTIVE', DISCONNECT: 'INACTIVE', SUSPEND: 'SUSPENDED', RESUME: 'ACTIVE' };
  // Download file per `TreeExportFormat` value (extensions and types as in exports/tree_formats.py).
  const EXPORT_FILES = {
    MERMAID: { extension: 'mmd', type: 'text/vnd.mermaid;charset=utf-8' },
    DOT: { extension: 'gv', type: 'text/vnd.graphviz;charset=utf-8' },
    GRAPHML: { extension: 'graphml', type: 'application/graphml+xml;charset=utf-8' },
    CYTOSCAPE_JSON: { extension: 'cyjs', type: 'application/json' },
  };

  const $ = (selector) => document.querySelector(selector);
  const now = () => performance.now();

  // --- GraphQL ---------------------------------------------------------------------------------

  class GraphQLRequestError extends Error {
    constructor(message, codes) {
      super(message);
      this.codes = codes || [];
    }
  }

  async function graphql(query, variables) {
    let response;
    try {
      await window.macdAuth.ready;
      response = await fetch(ENDPOINT, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...window.macdAuth.headers() },
        body: JSON.stringify({ query, variables: variables || {} }),
      });
    } catch (error) {
      throw new GraphQLRequestError(`The GraphQL API did not answer: ${error.message}`);
    }
    let body;
    try {
      body = await response.json();
    } catch (error) {
      throw new GraphQLRequestError(`The GraphQL API answered HTTP ${response.status} without JSON`);
    }
    if (body.errors && body.errors.length) {
      throw new GraphQLRequestError(body.errors.map((e) => e.message).join('\n'),
        body.errors.map((e) => (e.extensions && e.extensions.code) || null));
    }
    return body.data;
  }

  // The fields of every type, read once, so the explorer asks only for fields this server has
  // (history, move flags and so on). Without introspection every field is assumed present.
  const schema = { fields: null }; // type name -> Map(field name -> named type of the field)

  async function readSchema() {
    try {
      const data = await graphql(`query ExplorerSchema {
        __schema {
          queryType { name }
          types { name kind fields { name type { name ofType { name ofType { name ofType { name } } } } } }
        }
      }`);
      schema.fields = new Map();
      schema.kinds = new Map(data.__schema.types.map((t) => [t.name, t.kind]));
      for (const type of data.__schema.types) {
        schema.fields.set(type.name, new Map((type.fields || []).map((f) => [f.name, namedType(f.type)])));
      }
      schema.fields.set('Query', schema.fields.get(data.__schema.queryType.name) || new Map());
    } catch (error) {
      schema.fields = null;
    }
  }

  function namedType(ref) {
    let current = ref;
    while (current && !current.name && current.ofType) current = current.ofType;
    return current ? current.name : null;
  }

  function has(typeName, field) {
    if (schema.fields === null) return true;
    const fields = schema.fields.get(typeName);
    return Boolean(fields && fields.has(field));
  }

  function fieldType(typeName, field) {
    if (schema.fields === null) return null;
    const fields = schema.fields.get(typeName);
    return fields ? fields.get(field) || null : null;
  }

  // The selection set for `spec` on `typeName`, keeping only fields the type has. `spec` lists
  // field names and [field, nested spec] pairs; an object field none of whose fields exist is dropped.
  function selection(typeName, spec) {
    const parts = [];
    for (const entry of spec) {
      const [field, nested] = Array.isArray(entry) ? entry : [entry, null];
      if (!has(typeName, field)) continue;
      if (!nested) {
        // A field asked for by name only must be a leaf (scalar or enum) on this server.
        const kind = schema.kinds ? schema.kinds.get(fieldType(typeName, field)) : 'SCALAR';
        if (kind === 'SCALAR' || kind === 'ENUM' || kind === undefined) parts.push(field);
        continue;
      }
      const inner = selection(fieldType(typeName, field), nested);
      if (inner) parts.push(`${field} ${inner}`);
    }
    return parts.length ? `{ ${parts.join(' ')} }` : '';
  }

  // --- model -----------------------------------------------------------------------------------

  const model = {
    account: null, // { id, name }
    nodes: new Map(), // id -> { id, name, state, specId, specName, location, openOrder, childCount }
    children: new Map(), // id -> [child ids], for items whose next level is loaded
    parent: new Map(), // child id -> parent id
    roots: [],
    orders: [],
  };
  const view = {
    mode: 'tree', // or 'list'
    direction: 'LR', // or 'TB'
    hideInactive: false,
    expanded: new Set(),
    shown: new Map(), // parent key -> children drawn
    pinned: new Set(), // items drawn even past a page limit (hits, impacted items and their ancestors)
    hits: new Set(),
    selected: null,
  };
  const impact = { order: null, byItem: new Map(), copies: new Map(), phase: 'before' };
  const timings = { firstPaint: null, expand: [], collapse: [], listExpand: [] };
  let cy = null;
  let detailsToken = 0;
  let restoring = false;

  function accountKey() {
    return `account:${model.account.id}`;
  }

  function resetModel(account) {
    model.account = account;
    model.nodes = new Map();
    model.children = new Map();
    model.parent = new Map();
    model.roots = [];
  }

  const ITEM_FIELDS = 'id name state childCount specification { id name } location { id name } openOrder { id action state }';

  function remember(node) {
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

  const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

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

  function isLoaded(id) {
    const item = model.nodes.get(id);
    return model.children.has(id) || !item || !item.childCount;
  }

  function kidsOf(id) {
    return model.children.get(id) || [];
  }

  function visibleKids(id) {
    const kids = id === null ? model.roots : kidsOf(id);
    return view.hideInactive ? kids.filter((k) => model.nodes.get(k)?.state !== 'INACTIVE' || view.pinned.has(k)) : kids;
  }

  function ancestorsOf(id) {
    const found = [];
    for (let at = model.parent.get(id); at !== undefined; at = model.parent.get(at)) found.push(at);
    return found;
  }

  // --- loading ---------------------------------------------------------------------------------

  // Fetch the next level under every id in `ids` not loaded yet: one request per TREE_BATCH items.
  async function ensureChildren(ids) {
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
  async function ensurePaths(paths) {
    const byDepth = [];
    for (const path of paths) path.forEach((id, depth) => { (byDepth[depth] = byDepth[depth] || []).push(id); });
    for (const level of byDepth) if (level) await ensureChildren(level);
  }

  async function openAccount(accountId, options) {
    const keepView = Boolean(options && options.keepView);
    const started = now();
    setBusy(`Loading ${accountId}…`);
    const orderFields = has('Account', 'orders') ? 'orders { id action state }' : '';
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
    setHash(!restoring && !keepView);
    await nextFrame();
    timings.firstPaint = now() - started;
  }

  function nextFrame() {
    return new Promise((resolve) => requestAnimationFrame(() => resolve()));
  }

  // --- drawing ---------------------------------------------------------------------------------

  function shorten(text, limit) {
    const value = (text || '').replace(/\s+/g, ' ');
    return value.length > limit ? `${value.slice(0, limit - 1)}…` : value;
  }

  function shownState(id) {
    const item = model.nodes.get(id);
    const hit = impact.byItem.get(id);
    if (impact.order && impact.phase === 'after' && hit && AFTER_STATE[hit.action]) return AFTER_STATE[hit.action];
    return item.state;
  }

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

  function render(options) {
    const opts = options || {};
    if (!model.account) return;
    if (view.mode === 'list') renderList(opts);
    if (view.mode === 'tree' || opts.both) renderTree(opts);
    updateStatus();
    updateExportTarget();
  }

  function renderTree(opts) {
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
  function fitReadable(elements) {
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

  function keepInView(node) {
    if (inView(node)) return;
    if (cy.zoom() < MIN_READABLE_ZOOM) cy.zoom(MIN_READABLE_ZOOM);
    cy.center(node);
  }

  function updateStatus() {
    const items = model.nodes.size;
    const drawn = cy.nodes('[kind = "item"]').length;
    const trees = model.roots.length;
    $('#status').textContent = `${trees} tree${trees === 1 ? '' : 's'} · ${items} item${items === 1 ? '' : 's'} loaded · ${view.mode === 'list' ? `${listRows.length} rows` : `${drawn} drawn`}`;
    $('#status').dataset.items = String(items);
    $('#status').dataset.drawn = String(drawn);
  }

  function createGraph() {
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

  async function tapItem(id) {
    const wasSelected = view.selected === id;
    const item = model.nodes.get(id);
    if (item && item.childCount) {
      if (!view.expanded.has(id)) await expand(id);
      else if (wasSelected) collapse(id);
    }
    selectItem(id, { keepDrawing: true });
  }

  async function expand(id) {
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

  function toggle(id) {
    const item = model.nodes.get(id);
    if (!item || !item.childCount) return Promise.resolve();
    if (view.expanded.has(id)) {
      collapse(id);
      return Promise.resolve();
    }
    return expand(id);
  }

  function showMore(parentKey) {
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

  // --- minimap ---------------------------------------------------------------------------------

  let minimapPending = false;
  const minimap = { scale: 1, x0: 0, y0: 0 };

  function scheduleMinimap() {
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

  function minimapClick(event) {
    const canvas = $('#minimap');
    const rect = canvas.getBoundingClientRect();
    const x = (event.clientX - rect.left) * (canvas.width / rect.width) / minimap.scale + minimap.x0;
    const y = (event.clientY - rect.top) * (canvas.height / rect.height) / minimap.scale + minimap.y0;
    const zoom = cy.zoom();
    cy.pan({ x: cy.width() / 2 - x * zoom, y: cy.height() / 2 - y * zoom });
  }

  // --- list view (virtualized tree-grid) -------------------------------------------------------

  let listRows = []; // [{ id, depth }]

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

  function renderList(opts) {
    listRows = buildListRows();
    $('#list-rows').style.height = `${listRows.length * ROW_HEIGHT}px`;
    $('#list').dataset.rows = String(listRows.length);
    if (opts && opts.focus) scrollListTo(opts.focus, false);
    drawListWindow();
  }

  function scrollListTo(id, always) {
    const index = listRows.findIndex((r) => r.id === id);
    if (index < 0) return;
    const body = $('#list-body');
    const top = index * ROW_HEIGHT;
    if (always || top < body.scrollTop || top + ROW_HEIGHT > body.scrollTop + body.clientHeight) {
      body.scrollTop = Math.max(0, top - body.clientHeight / 3);
    }
  }

  function drawListWindow() {
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

  function listClick(event) {
    const toggleId = event.target.closest('[data-toggle]')?.dataset.toggle;
    const row = event.target.closest('[data-id]');
    if (!row) return;
    if (toggleId && model.nodes.get(toggleId)?.childCount) {
      toggle(toggleId);
      return;
    }
    selectItem(row.dataset.id, {});
  }

  function setMode(mode) {
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

  function setDirection(direction) {
    view.direction = direction;
    for (const input of document.querySelectorAll('input[name="direction"]')) input.checked = input.value === direction;
    if (model.account && view.mode === 'tree') render({ fit: true });
    setHash(false);
  }

  // --- selection and keyboard ------------------------------------------------------------------

  // Select `id`: draw and reveal it, show its details, and put it in the URL.
  function selectItem(id, options) {
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
    setHash(!restoring);
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
  async function revealAll(items) {
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

  // --- details ---------------------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'className') element.className = value;
      else if (key === 'onclick') element.addEventListener('click', value);
      else element.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function definitionList(pairs) {
    return el('dl', {}, pairs.filter(([, value]) => value !== null && value !== undefined && value !== '')
      .map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
  }

  function stateBadge(state) {
    const badge = el('span', { className: 'badge' }, state);
    badge.style.background = STATE_COLORS[state] || DEFAULT_COLOR;
    return badge;
  }

  function showDetailsPlaceholder() {
    $('#details').replaceChildren(
      el('p', { className: 'placeholder' }, 'Click an item in the tree to see its location, services, entitlement and history.'),
    );
  }

  function showAccountDetails() {
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

  async function showDetails(id) {
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

  function refreshToggleButton(id) {
    const button = $('#toggle-expand');
    if (button && view.selected === id) button.textContent = view.expanded.has(id) ? 'Fold children' : 'Open children';
  }

  // --- order impact ----------------------------------------------------------------------------

  function clearImpactState() {
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

  async function runImpact(orderId, options) {
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
      const wasRestoring = restoring;
      restoring = true;
      try {
        await openAccount(accountId, { keepView: Boolean(model.account && model.account.id === accountId) });
      } finally {
        restoring = wasRestoring;
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
    setHash(!restoring);
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

  function setPhase(phase) {
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

  function clearImpact() {
    clearImpactState();
    setHash(true);
    render({});
  }

  function renderOrders() {
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

  async function pickAccount(accountId) {
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

  // --- exports ---------------------------------------------------------------------------------

  // The item whose subtree the download buttons export: the selected item, else the first root.
  function exportRoot() {
    if (!model.account) return null;
    if (view.selected && model.nodes.has(view.selected)) return view.selected;
    return model.roots.length ? model.roots[0] : null;
  }

  function updateExportTarget() {
    const target = $('#export-target');
    const rootId = exportRoot();
    const ready = Boolean(rootId) && has('InventoryTree', 'export');
    for (const button of document.querySelectorAll('#export-buttons button')) button.disabled = !ready;
    for (const button of document.querySelectorAll('#export-account-buttons button')) {
      button.disabled = !model.account || !has('Account', 'export');
    }
    if (!rootId) {
      target.hidden = true;
      target.replaceChildren();
      delete target.dataset.rootId;
      return;
    }
    const item = model.nodes.get(rootId);
    const selected = rootId === view.selected;
    target.replaceChildren(
      selected ? 'Export: subtree of ' : 'Export: first tree, ',
      el('strong', {}, item ? item.name : rootId),
      selected ? '' : ' (no item selected)',
    );
    target.title = rootId;
    target.dataset.rootId = rootId;
    target.dataset.selected = String(selected);
    target.hidden = false;
  }

  // A file name stem made of safe characters only.
  function fileStem(text) {
    const stem = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
    return stem.slice(0, 80) || 'inventory';
  }

  function saveText(text, filename, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = el('a', { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function exportDirection() {
    return view.direction === 'LR' ? 'LEFT_RIGHT' : 'TOP_DOWN';
  }

  // Ask the API for the export root's subtree in `format` (a TreeExportFormat value) and save it.
  async function download(format) {
    const rootId = exportRoot();
    const file = EXPORT_FILES[format];
    if (!rootId || !file) return;
    clearError();
    const item = model.nodes.get(rootId);
    setBusy(`Exporting ${item ? item.name : rootId}…`);
    try {
      const data = await graphql(`query ExplorerExport($root: ID!, $format: TreeExportFormat!, $direction: LayoutDirection) {
        inventoryTree(rootId: $root) { export(format: $format, direction: $direction) }
      }`, { root: rootId, format, direction: exportDirection() });
      saveText(data.inventoryTree.export, `${fileStem(rootId)}.${file.extension}`, file.type);
    } catch (error) {
      showError(error.message);
    } finally {
      updateStatus();
    }
  }

  async function downloadAccount(format) {
    const file = EXPORT_FILES[format];
    if (!model.account || !file) return;
    clearError();
    setBusy(`Exporting ${model.account.name}…`);
    try {
      const data = await graphql(`query ExplorerAccountExport($id: ID!, $format: TreeExportFormat!, $direction: LayoutDirection, $all: Boolean) {
        account(id: $id) { export(format: $format, direction: $direction, includeInactive: $all) }
      }`, { id: model.account.id, format, direction: exportDirection(), all: !view.hideInactive });
      saveText(data.account.export, `${fileStem(model.account.id)}.${file.extension}`, file.type);
    } catch (error) {
      showError(error.message);
    } finally {
      updateStatus();
    }
  }

  // --- page ------------------------------------------------------------------------------------

  function showError(message) {
    const box = $('#error');
    box.textContent = message;
    box.hidden = false;
  }

  function clearError() {
    $('#error').hidden = true;
    $('#error').textContent = '';
  }

  const notices = new Map();

  function showNotice(message, kind) {
    notices.set(kind, message);
    const box = $('#notice');
    box.textContent = [...notices.values()].join(' ');
    box.dataset.kinds = [...notices.keys()].join(' ');
    box.hidden = false;
  }

  function clearNotice(kind) {
    notices.delete(kind);
    const box = $('#notice');
    box.textContent = [...notices.values()].join(' ');
    box.dataset.kinds = [...notices.keys()].join(' ');
    box.hidden = notices.size === 0;
  }

  function setBusy(message) {
    $('#status').textContent = message;
  }

  function enableTreeControls(enabled) {
    for (const button of document.querySelectorAll('.toolbar-buttons button, #find, #item-search')) button.disabled = !enabled;
  }

  // The URL says what is shown: account, selected item, order and its phase, view and direction.
  // User steps push a history entry, so Back and Forward walk through them.
  function hashOf() {
    const params = new URLSearchParams();
    if (model.account) params.set('account', model.account.id);
    if (view.selected) params.set('item', view.selected);
    if (impact.order) params.set('order', impact.order.id);
    if (impact.order && impact.phase === 'after') params.set('phase', 'after');
    if (view.mode === 'list') params.set('view', 'list');
    if (view.direction === 'TB') params.set('direction', 'TB');
    if (view.hideInactive) params.set('hide', 'INACTIVE');
    return params.toString();
  }

  function setHash(push) {
    if (restoring) return;
    const hash = hashOf();
    const url = hash ? `#${hash}` : window.location.pathname;
    if (`#${hash}` === window.location.hash || (!hash && !window.location.hash)) return;
    if (push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  // Show what the URL says (on load, and on Back/Forward).
  async function applyHash() {
    const params = new URLSearchParams(window.location.hash.slice(1));
    restoring = true;
    try {
      view.hideInactive = params.get('hide') === 'INACTIVE';
      $('#hide-inactive').checked = view.hideInactive;
      if ((params.get('direction') || 'LR') !== view.direction) setDirection(params.get('direction') || 'LR');
      const mode = params.get('view') === 'list' ? 'list' : 'tree';
      if (mode !== view.mode) setMode(mode);
      const accountId = params.get('account');
      const orderId = params.get('order');
      if (orderId) {
        if (!impact.order || impact.order.id !== orderId) await runImpact(orderId, { phase: params.get('phase') || 'before' });
        else if ((params.get('phase') || 'before') !== impact.phase) setPhase(params.get('phase') || 'before');
      } else if (accountId && (!model.account || model.account.id !== accountId)) {
        await pickAccount(accountId);
      } else if (impact.order) {
        clearImpactState();
        render({});
      }
      const itemId = params.get('item');
      if (itemId && model.account) {
        if (!model.nodes.has(itemId)) await revealById(itemId);
        if (model.nodes.has(itemId) && view.selected !== itemId) selectItem(itemId, {});
      } else if (!itemId && view.selected) {
        view.selected = null;
        render({});
        showDetailsPlaceholder();
      }
    } catch (error) {
      showError(error.message);
    } finally {
      restoring = false;
    }
  }

  async function revealById(id) {
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
})();
