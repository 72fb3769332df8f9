// Inventory explorer: draws an account's product inventory as a top-down tree, read through the
// public GraphQL API only, downloads included. Each root's subtree arrives as one flat
// `inventoryTree` answer; only opened items have their children drawn, and at most CHILD_PAGE
// children per item until asked, so a tree of 10,000 items stays responsive.
(function () {
  'use strict';

  const ENDPOINT = '/graphql';
  const INITIAL_LEVELS = 2; // inventory levels drawn when an account opens: roots and their children
  const CHILD_PAGE = 50; // children drawn per item before a "more" placeholder
  const TREE_BATCH = 25; // roots whose trees are fetched in one request
  const DAGRE_LIMIT = 1500; // above this many drawn nodes, the cheaper breadth-first layout is used
  const LEVEL_BUDGET = 2000; // "open one more level" stops before drawing more items than this
  const READABLE_ZOOM = 0.75;
  const NAME_LIMIT = 48;

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
  // Download file per `TreeExportFormat` value (extensions and types as in exports/tree_formats.py).
  const EXPORT_FILES = {
    MERMAID: { extension: 'mmd', type: 'text/vnd.mermaid;charset=utf-8' },
    DOT: { extension: 'gv', type: 'text/vnd.graphviz;charset=utf-8' },
    GRAPHML: { extension: 'graphml', type: 'application/graphml+xml;charset=utf-8' },
    CYTOSCAPE_JSON: { extension: 'cyjs', type: 'application/json' },
  };

  const $ = (selector) => document.querySelector(selector);

  // --- GraphQL ---------------------------------------------------------------------------------

  class GraphQLRequestError extends Error {}

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
      throw new GraphQLRequestError(body.errors.map((e) => e.message).join('\n'));
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
          types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } }
        }
      }`);
      schema.fields = new Map();
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
        parts.push(field);
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
    nodes: new Map(), // id -> { id, name, state, specId, specName }
    children: new Map(), // id -> [child ids]
    parent: new Map(), // child id -> parent id
    edges: [], // [parentId, childId]
    roots: [],
  };
  const view = {
    expanded: new Set(),
    shown: new Map(), // parent key -> children drawn
    pinned: new Set(), // items drawn even past a page limit (impacted items and their ancestors)
    selected: null,
  };
  const impact = { order: null, byItem: new Map() };
  let cy = null;
  let detailsToken = 0;

  function accountKey() {
    return `account:${model.account.id}`;
  }

  function resetModel(account) {
    model.account = account;
    model.nodes = new Map();
    model.children = new Map();
    model.parent = new Map();
    model.edges = [];
    model.roots = [];
  }

  function addTree(rootId, tree, fallbackRoot) {
    for (const node of tree.nodes) {
      model.nodes.set(node.id, {
        id: node.id,
        name: node.name,
        state: node.state,
        specId: node.specification ? node.specification.id : null,
        specName: node.specification ? node.specification.name : '',
      });
    }
    if (!model.nodes.has(rootId) && fallbackRoot) {
      model.nodes.set(rootId, fallbackRoot);
    }
    for (const edge of tree.edges) {
      if (model.parent.has(edge.childId)) continue;
      model.parent.set(edge.childId, edge.parentId);
      if (!model.children.has(edge.parentId)) model.children.set(edge.parentId, []);
      model.children.get(edge.parentId).push(edge.childId);
      model.edges.push([edge.parentId, edge.childId]);
    }
    model.roots.push(rootId);
  }

  const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  function sortChildren() {
    const nameOf = (id) => model.nodes.get(id)?.name || id;
    for (const kids of model.children.values()) kids.sort((a, b) => byName.compare(nameOf(a), nameOf(b)));
  }

  function depthOf(id) {
    let depth = 0;
    for (let at = model.parent.get(id); at !== undefined; at = model.parent.get(at)) depth += 1;
    return depth;
  }

  function ancestorsOf(id) {
    const found = [];
    for (let at = model.parent.get(id); at !== undefined; at = model.parent.get(at)) found.push(at);
    return found;
  }

  // --- loading ---------------------------------------------------------------------------------

  const TREE_FIELDS = 'nodes { id name state specification { id name } } edges { parentId childId }';

  async function fetchTrees(rootIds) {
    const answers = new Map();
    for (let start = 0; start < rootIds.length; start += TREE_BATCH) {
      const batch = rootIds.slice(start, start + TREE_BATCH);
      const variables = {};
      const definitions = [];
      const fields = [];
      batch.forEach((rootId, index) => {
        variables[`r${index}`] = rootId;
        definitions.push(`$r${index}: ID!`);
        fields.push(`t${index}: inventoryTree(rootId: $r${index}) { ${TREE_FIELDS} }`);
      });
      const data = await graphql(`query ExplorerTrees(${definitions.join(', ')}) {\n${fields.join('\n')}\n}`, variables);
      batch.forEach((rootId, index) => answers.set(rootId, data[`t${index}`]));
    }
    return answers;
  }

  async function openAccount(accountId, options) {
    const keepView = Boolean(options && options.keepView);
    setBusy(`Loading ${accountId}…`);
    const data = await graphql(`query ExplorerAccount($id: ID!) {
      account(id: $id) { id name roots { id name state specification { id name } } }
    }`, { id: accountId });
    if (!data.account) throw new GraphQLRequestError(`No account with id ${accountId}`);
    const trees = await fetchTrees(data.account.roots.map((root) => root.id));

    const sameAccount = model.account && model.account.id === data.account.id;
    resetModel({ id: data.account.id, name: data.account.name });
    for (const root of data.account.roots) {
      addTree(root.id, trees.get(root.id) || { nodes: [], edges: [] }, {
        id: root.id, name: root.name, state: root.state,
        specId: root.specification && root.specification.id,
        specName: root.specification ? root.specification.name : '',
      });
    }
    sortChildren();
    if (!(keepView && sameAccount)) {
      view.expanded = new Set([accountKey()]);
      view.shown = new Map();
      view.pinned = new Set();
      view.selected = null;
      clearImpactState();
      openToLevel(INITIAL_LEVELS);
      showDetailsPlaceholder();
    } else {
      view.expanded.add(accountKey());
      for (const id of [...view.expanded]) if (id !== accountKey() && !model.nodes.has(id)) view.expanded.delete(id);
    }
    $('#account-title').textContent = `${model.account.name}`;
    $('#account-title').title = model.account.id;
    markCurrentAccount();
    setHash();
    enableTreeControls(true);
    render({ fit: true });
  }

  // Open every item above `levels` inventory levels, so that many levels are drawn.
  function openToLevel(levels) {
    for (const id of model.nodes.keys()) {
      if (depthOf(id) < levels - 1 && model.children.has(id)) view.expanded.add(id);
    }
  }

  // --- drawing ---------------------------------------------------------------------------------

  function shorten(text, limit) {
    const value = text || '';
    return value.length > limit ? `${value.slice(0, limit - 1)}…` : value;
  }

  function itemLabel(item) {
    const kids = (model.children.get(item.id) || []).length;
    let fold = '';
    if (kids) fold = view.expanded.has(item.id) ? '  ▾' : `  ▸ ${kids}`;
    const name = shorten(item.name.replace(/\s+/g, ' '), NAME_LIMIT);
    const lines = [name];
    // An item named after its specification shows the name once.
    if (item.specName && item.specName.toLowerCase() !== item.name.toLowerCase()) lines.push(shorten(item.specName, NAME_LIMIT));
    lines.push(`${item.state}${fold}`);
    const hit = impact.byItem.get(item.id);
    if (hit) lines.push(`⇢ ${hit.action}${hit.move ? ' · MOVE' : ''}`);
    return lines.join('\n');
  }

  function itemData(id) {
    const item = model.nodes.get(id);
    const hit = impact.byItem.get(id);
    const data = {
      id,
      kind: 'item',
      label: itemLabel(item),
      color: STATE_COLORS[item.state] || DEFAULT_COLOR,
      collapsed: model.children.has(id) && !view.expanded.has(id),
    };
    if (hit) {
      data.impact = hit.action;
      data.impactColor = hit.move ? ACTION_COLORS.MOVE : ACTION_COLORS[hit.action] || '#000';
      data.move = Boolean(hit.move);
    }
    return data;
  }

  function visibleElements() {
    const nodes = [];
    const edges = [];
    const link = (source, target) => edges.push({ group: 'edges', data: { id: `edge:${source}>${target}`, source, target } });

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
      if (view.expanded.has(id)) drawChildren(id, id, model.children.get(id) || []);
    };

    const accountId = accountKey();
    nodes.push({
      group: 'nodes',
      data: { id: accountId, kind: 'account', label: `${shorten(model.account.name, NAME_LIMIT)}\n${model.account.id}` },
    });
    drawChildren(accountId, accountId, model.roots);
    return { nodes, edges };
  }

  function render(options) {
    const opts = options || {};
    const wanted = visibleElements();
    const wantedIds = new Set();
    for (const element of wanted.nodes) wantedIds.add(element.data.id);
    for (const element of wanted.edges) wantedIds.add(element.data.id);
    cy.batch(() => {
      cy.elements().filter((element) => !wantedIds.has(element.id())).remove();
      for (const element of wanted.nodes) {
        const existing = cy.getElementById(element.data.id);
        if (existing.nonempty()) {
          existing.removeData('impact impactColor move');
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
    });
    layout(opts);
    updateStatus();
    updateExportTarget();
  }

  function layout(opts) {
    const count = cy.nodes().length;
    const options = count <= DAGRE_LIMIT
      ? { name: 'dagre', rankDir: 'TB', nodeSep: 16, rankSep: 46, edgeSep: 8, animate: false, fit: false }
      : { name: 'breadthfirst', directed: true, roots: cy.getElementById(accountKey()), spacingFactor: 1, animate: false, fit: false };
    cy.layout(options).run();
    const focus = opts.focus ? cy.getElementById(opts.focus) : null;
    if (opts.fit || !focus || focus.empty()) {
      cy.fit(undefined, 24);
      if (cy.zoom() > 1) cy.zoom({ level: 1, renderedPosition: { x: cy.width() / 2, y: 0 } });
      if (cy.zoom() < READABLE_ZOOM) cy.zoom(READABLE_ZOOM);
      alignTop();
    } else {
      const pos = focus.renderedPosition();
      if (pos.x < 0 || pos.y < 0 || pos.x > cy.width() || pos.y > cy.height() * 0.6) {
        cy.panBy({ x: cy.width() / 2 - pos.x, y: cy.height() / 3 - pos.y });
      }
    }
  }

  // Keep the account at the top centre; wide trees extend sideways and pan from there.
  function alignTop() {
    const box = cy.getElementById(accountKey()).renderedBoundingBox();
    cy.panBy({ x: cy.width() / 2 - (box.x1 + box.x2) / 2, y: 24 - box.y1 });
  }

  function fitAll() {
    cy.fit(undefined, 24);
    if (cy.zoom() > 1) cy.zoom(1);
    alignTop();
  }

  function updateStatus() {
    const items = model.nodes.size;
    const drawn = cy.nodes('[kind = "item"]').length;
    const trees = model.roots.length;
    $('#status').textContent = `${items} item${items === 1 ? '' : 's'} in ${trees} tree${trees === 1 ? '' : 's'} · ${drawn} drawn`;
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
      style: [
        {
          selector: 'node',
          style: {
            shape: 'round-rectangle',
            width: 176,
            height: 70,
            'background-color': 'data(color)',
            'border-width': 1,
            'border-color': '#5f6b7a',
            label: 'data(label)',
            'text-wrap': 'wrap',
            'text-max-width': 166,
            'text-valign': 'center',
            'text-halign': 'center',
            'font-size': 12,
            'line-height': 1.25,
            'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
            color: '#1b1f24',
          },
        },
        { selector: 'node[?collapsed]', style: { 'border-width': 2, 'border-color': '#37474f' } },
        {
          selector: 'node[kind = "account"]',
          style: { 'background-color': '#263238', color: '#ffffff', 'font-weight': 600, height: 46, 'border-width': 0 },
        },
        {
          selector: 'node[kind = "more"]',
          style: { 'background-color': '#ffffff', 'border-style': 'dashed', height: 34, color: '#37474f' },
        },
        { selector: 'node[impact]', style: { 'border-width': 5, 'border-color': 'data(impactColor)' } },
        { selector: 'node[?move]', style: { 'border-style': 'double', 'border-width': 7 } },
        { selector: 'node.dimmed', style: { opacity: 0.4 } },
        { selector: 'node:selected', style: { 'overlay-color': '#1565c0', 'overlay-opacity': 0.14, 'overlay-padding': 6 } },
        {
          selector: 'edge',
          style: {
            width: 1.3,
            'line-color': '#9aa5b1',
            'curve-style': 'taxi',
            'taxi-direction': 'downward',
            'taxi-turn': 22,
          },
        },
      ],
    });
    cy.on('tap', 'node', (event) => {
      const node = event.target;
      const kind = node.data('kind');
      if (kind === 'more') showMore(node.data('parentKey'));
      else if (kind === 'item') tapItem(node.id());
      else showAccountDetails();
    });
    window.explorer.cy = cy;
  }

  function tapItem(id) {
    const wasSelected = view.selected === id;
    view.selected = id;
    if (model.children.has(id)) {
      if (!view.expanded.has(id)) view.expanded.add(id);
      else if (wasSelected) view.expanded.delete(id);
    }
    render({ focus: id });
    if (!wasSelected) showDetails(id);
    else refreshToggleButton(id);
  }

  function toggle(id) {
    if (!model.children.has(id)) return;
    if (view.expanded.has(id)) view.expanded.delete(id);
    else view.expanded.add(id);
    render({ focus: id });
    refreshToggleButton(id);
  }

  function showMore(parentKey) {
    view.shown.set(parentKey, (view.shown.get(parentKey) || CHILD_PAGE) + CHILD_PAGE);
    render({ focus: `more:${parentKey}` });
  }

  function openOneMoreLevel() {
    let drawn = cy.nodes('[kind = "item"]').length;
    for (const node of cy.nodes('[kind = "item"][?collapsed]')) {
      const more = Math.min(CHILD_PAGE, model.children.get(node.id()).length);
      if (drawn + more > LEVEL_BUDGET) break;
      view.expanded.add(node.id());
      drawn += more;
    }
    render({});
  }

  function foldAll() {
    view.expanded = new Set([accountKey()]);
    view.shown = new Map();
    openToLevel(INITIAL_LEVELS);
    for (const id of view.pinned) for (const above of ancestorsOf(id)) view.expanded.add(above);
    render({ fit: true });
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
    const summary = model.nodes.get(id);
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
        ['Children', model.children.has(id) ? String(model.children.get(id).length) : null],
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
    if (history !== undefined && history !== null) {
      parts.push(el('h3', {}, 'History'), history.length
        ? el('ol', { 'data-testid': 'details-history' }, history.map((event) => el('li', {},
          `${new Date(event.at).toLocaleString()} · ${event.field}: ${event.fromValue ?? '∅'} → ${event.toValue ?? '∅'}`,
          event.orderId ? ` (order ${event.orderId})` : '')))
        : el('p', { className: 'muted' }, 'No recorded changes.'));
    }
    const actions = el('div', { className: 'actions' });
    if (model.children.has(id)) {
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
    view.pinned = new Set();
    $('#impact-summary').hidden = true;
    $('#impact-summary').replaceChildren();
    $('#clear-impact').hidden = true;
  }

  const ORDER_IMPACT = [
    'id', 'action', 'state',
    ['account', ['id', 'name']],
    ['lines', ['id', 'action', 'moveOperation', ['inventoryItem', ['id', 'name']], ['targetLocation', ['id', 'name']]]],
  ];

  function orderQuery() {
    return `query ExplorerOrder($id: ID!) {\n  order(id: $id) ${selection(fieldType('Query', 'order'), ORDER_IMPACT)}\n}`;
  }

  async function runImpact(orderId) {
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
      await openAccount(accountId, { keepView: true });
      applyImpact(order);
    } catch (error) {
      showError(error.message);
      updateStatus();
    }
  }

  function applyImpact(order) {
    impact.order = order;
    impact.byItem = new Map();
    view.pinned = new Set();
    const counts = new Map();
    let moves = 0;
    let outside = 0;
    for (const line of order.lines) {
      counts.set(line.action, (counts.get(line.action) || 0) + 1);
      if (line.moveOperation) moves += 1;
      const itemId = line.inventoryItem && line.inventoryItem.id;
      if (!itemId || !model.nodes.has(itemId)) {
        outside += 1;
        continue;
      }
      impact.byItem.set(itemId, { action: line.action, move: Boolean(line.moveOperation), line });
      view.pinned.add(itemId);
      for (const above of ancestorsOf(itemId)) {
        view.expanded.add(above);
        view.pinned.add(above);
      }
    }
    renderImpactSummary(order, counts, moves, outside);
    setHash();
    render({ fit: true });
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
    const summary = $('#impact-summary');
    summary.replaceChildren(...[
      el('p', {}, el('strong', {}, order.id), ` · ${order.action} · ${order.state} · ${order.lines.length} line${order.lines.length === 1 ? '' : 's'}`),
      rows.length ? el('ul', {}, rows) : el('p', { className: 'muted' }, 'This order has no lines yet.'),
      outside ? el('p', { className: 'muted', 'data-testid': 'impact-outside' }, `${outside} line${outside === 1 ? '' : 's'} not in this account's tree`) : null,
    ].filter(Boolean));
    summary.dataset.orderId = order.id;
    summary.hidden = false;
    $('#clear-impact').hidden = false;
  }

  function clearImpact() {
    clearImpactState();
    setHash();
    render({});
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

  function canExport() {
    return has('InventoryTree', 'export');
  }

  function updateExportTarget() {
    const target = $('#export-target');
    const rootId = exportRoot();
    const ready = Boolean(rootId) && canExport();
    for (const button of document.querySelectorAll('#export-buttons button')) {
      button.disabled = !ready;
      button.title = canExport() ? '' : 'This server does not offer inventoryTree.export';
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

  // Ask the API for the export root's subtree in `format` (a TreeExportFormat value) and save it.
  async function download(format) {
    const rootId = exportRoot();
    const file = EXPORT_FILES[format];
    if (!rootId || !file) return;
    clearError();
    const item = model.nodes.get(rootId);
    setBusy(`Exporting ${item ? item.name : rootId}…`);
    try {
      const data = await graphql(`query ExplorerExport($root: ID!, $format: TreeExportFormat!) {
        inventoryTree(rootId: $root) { export(format: $format) }
      }`, { root: rootId, format });
      saveText(data.inventoryTree.export, `${fileStem(rootId)}.${file.extension}`, file.type);
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

  function setBusy(message) {
    $('#status').textContent = message;
  }

  function enableTreeControls(enabled) {
    for (const button of document.querySelectorAll('#export-buttons button, .toolbar-buttons button')) button.disabled = !enabled;
  }

  function setHash() {
    const params = new URLSearchParams();
    if (model.account) params.set('account', model.account.id);
    if (impact.order) params.set('order', impact.order.id);
    const hash = params.toString();
    history.replaceState(null, '', hash ? `#${hash}` : window.location.pathname);
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
    window.explorer = { cy: null, model, view, impact, openAccount: pickAccount, showImpact: runImpact };
    renderLegend();
    if (typeof window.cytoscape !== 'function' || typeof window.cytoscapeDagre === 'undefined') {
      showError('The drawing library is missing under /static/vendor. Build it once with `python web/build_assets.py` and reload.');
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
    $('#clear-impact').addEventListener('click', clearImpact);
    $('#fit').addEventListener('click', fitAll);
    $('#expand-level').addEventListener('click', openOneMoreLevel);
    $('#collapse-all').addEventListener('click', foldAll);
    for (const button of document.querySelectorAll('#export-buttons button')) {
      button.addEventListener('click', () => download(button.dataset.format));
    }

    await readSchema();
    const params = new URLSearchParams(window.location.hash.slice(1));
    const searchDone = searchAccounts('');
    if (params.get('account')) await pickAccount(params.get('account'));
    if (params.get('order')) await runImpact(params.get('order'));
    await searchDone;
    document.body.dataset.ready = 'true';
  }

  start();
})();
