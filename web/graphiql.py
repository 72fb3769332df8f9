"""The GraphiQL page, served from `/static/vendor` only so it works on a machine without internet.

`graphiql_html()` is what the GraphQL endpoint answers a browser with. It opens with the tabs in
`EXAMPLE_TABS`: the demo account's tree, a preview, and the 4G-to-5G upgrade of `docs/domain.md`
from capture to completion, one operation per tab, with ids handed from tab to tab in variables.

Every request needs a bearer token. In the local default the page offers the demo personas (a
picker in the header; the first, admin, is preselected); with an identity provider configured it
offers none. Either way an `Authorization` header typed into the Headers tab wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

VENDOR = "/static/vendor"


@dataclass(frozen=True)
class ExampleTab:
    """One GraphiQL tab the page opens with: one operation, its variables, and the ids it hands on.

    `remember` maps a variable name to the path of a value in the answer (`createOrder.order.id`;
    `edges[node.ready=true]` picks the first element of a list whose `node.ready` is true);
    the page keeps that value and fills it into later tabs whose variable still holds a
    `<placeholder>`, so the walk-through needs no copying and pasting of ids.
    """

    query: str
    variables: str | None = None
    remember: dict[str, str] = field(default_factory=dict)


ACCOUNT_TREE = """\
# The demo account's inventory: every top-order parent with two levels below it.
# For a tree of any size as one flat answer, use inventoryTree(rootId:, maxDepth:) instead.
# The tabs that follow walk the 4G-to-5G upgrade from capture to completion, one step per tab
# (docs/domain.md, "The 4G to 5G upgrade"). Run them in order with the play button.
query AccountTree($accountId: ID!) {
  account(id: $accountId) {
    name
    roots {
      id
      name
      state
      specification { name }
      children {
        id
        name
        state
        specification { name }
        children { id name state specification { name } }
      }
    }
  }
}
"""

PREVIEW_UPGRADE = """\
# Before writing anything: the lines a DISCONNECT of the 4G items would create (rules R3 and R6
# in docs/domain.md). `errors` says why it would be refused, e.g. an item already in an open order.
query PreviewUpgrade($accountId: ID!, $items: [ID!]!) {
  orderPreview(accountId: $accountId, action: DISCONNECT, inventoryIds: $items) {
    lines { action parentInventoryId inventoryItem { id name state } }
    errors { code message ids }
  }
}
"""

CREATE_ORDER = """\
# Step 1 of the upgrade: a DRAFT change order for the account. The page remembers the order id
# it returns and fills it into the next tabs' `orderId` variable.
mutation CreateOrder($accountId: ID!) {
  createOrder(input: {accountId: $accountId, action: CHANGE}) {
    order { id action state }
    errors { code message ids }
  }
}
"""

DISCONNECT_FOUR_G = """\
# Step 2: select the 4G connectivity and router; in a CHANGE order `lineAction: DISCONNECT` makes
# them DISCONNECT lines (R1: only what is selected), under a NO_CHANGE line for the bundle.
mutation DisconnectFourG($orderId: ID!, $items: [ID!]!) {
  addInventoryToOrder(input: {orderId: $orderId, inventoryIds: $items, lineAction: DISCONNECT}) {
    order { id lines { action inventoryItem { name state } } }
    errors { code message ids }
  }
}
"""

ADD_FIVE_G_CONNECTIVITY = """\
# Step 3: a new 5G connectivity joins the bundle (R2): a new item, INSTALLATION_PENDING after
# approval, and an ADD line under the bundle's line.
mutation AddFiveGConnectivity($orderId: ID!, $bundleId: ID!) {
  addProductToOrder(input: {
    orderId: $orderId, parentInventoryId: $bundleId, specificationId: "spec-5g-connectivity",
    name: "5G Connectivity"
  }) {
    order { id lines { action inventoryItem { id name } } }
    errors { code message ids }
  }
}
"""

ADD_FIVE_G_ROUTER = """\
# Step 4: the 5G router, a physical device, replaces the 4G router in the bundle.
mutation AddFiveGRouter($orderId: ID!, $bundleId: ID!) {
  addProductToOrder(input: {
    orderId: $orderId, parentInventoryId: $bundleId, specificationId: "spec-5g-router", name: "5G Router"
  }) {
    order { id lines { action inventoryItem { id name } } }
    errors { code message ids }
  }
}
"""

REVIEW_ORDER = """\
# Step 5: the order as a tree of lines, as it will be submitted.
query ReviewOrder($orderId: ID!) {
  order(id: $orderId) {
    id
    action
    state
    topLines {
      action
      inventoryItem { name }
      childLines { action inventoryItem { name state } specification { name } }
    }
  }
}
"""

SUBMIT_ORDER = """\
# Step 6: submission validates the whole order again (states, characteristics, R6) -> SUBMITTED.
mutation SubmitOrder($orderId: ID!) {
  submitOrder(orderId: $orderId) {
    order { id state }
    errors { code message ids }
  }
}
"""

APPROVE_ORDER = """\
# Step 7: approval (R7, R8): the 4G items become DISCONNECT_PENDING, the 5G items
# INSTALLATION_PENDING, and the order is decomposed into domain orders with tasks, work orders
# (ship the 5G router, collect the 4G one) and a return authorization for the 4G router (R11).
mutation ApproveOrder($orderId: ID!) {
  approveOrder(orderId: $orderId) {
    order {
      id
      state
      domainOrders { kind state tasks { sequence name state pointOfNoReturn } }
      workOrders { kind state }
      returns { state reason device { name } }
    }
    errors { code message ids }
  }
}
"""

FIELD_WORK = """\
# Step 8: field work (R13). The 5G router must be shipped and the 4G router collected; a task that
# needs a visit is not `ready` until its work order is done. The page remembers the first work
# order still OPEN as `workOrderId`. Run steps 8 to 11 for each open work order.
query FieldWork($orderId: ID!) {
  order(id: $orderId) {
    state
    workOrders { id kind state item { name } location { name } }
  }
}
"""

SCHEDULE_VISIT = """\
# Step 9: book the visit for a day (the page fills in today) and a time window.
mutation ScheduleVisit($workOrderId: ID!, $date: Date!, $window: String!) {
  scheduleWorkOrder(workOrderId: $workOrderId, date: $date, window: $window) {
    workOrder { id kind state scheduledDate window }
    errors { code message ids }
  }
}
"""

START_VISIT = """\
# Step 10: the courier or technician is on the way.
mutation StartVisit($workOrderId: ID!) {
  startWorkOrder(workOrderId: $workOrderId) {
    workOrder { id kind state }
    errors { code message ids }
  }
}
"""

COMPLETE_VISIT = """\
# Step 11: the visit is done; the task waiting for it becomes ready. Back to step 8 while work
# orders are OPEN, then on to the tasks.
mutation CompleteVisit($workOrderId: ID!) {
  completeWorkOrder(workOrderId: $workOrderId) {
    workOrder { id kind state }
    errors { code message ids }
  }
}
"""

NEXT_TASK = """\
# Step 12: the order's tasks still to do; the page remembers the first one that is `ready` (what
# it depends on is done, R13) as `taskId`. Run steps 12, 13 and 14 again until this answers with
# no task: the order is then COMPLETED.
query NextTask($orderId: ID!) {
  openTasks(orderId: $orderId, first: 50) {
    totalCount
    edges { node { id name state ready pointOfNoReturn domainOrder { kind } } }
  }
  order(id: $orderId) { state }
}
"""

START_TASK = """\
# Step 13: start the task (tasks of a domain order run in sequence).
mutation StartTask($taskId: ID!) {
  startOrderTask(taskId: $taskId) {
    order { id state }
    errors { code message ids }
  }
}
"""

CLOSE_TASK = """\
# Step 14: close the task. Closing a point-of-no-return task ends cancellation (R12); closing the
# last one completes the order and lands its effects (R8-R11). Then back to step 12.
mutation CloseTask($taskId: ID!) {
  closeOrderTask(taskId: $taskId) {
    order { id state pastPointOfNoReturn }
    errors { code message ids }
  }
}
"""

UPGRADED_BUNDLE = """\
# Step 15: the result. The 4G items are INACTIVE, the 5G items ACTIVE, the 4G router is on its way
# back (RMA), and every change is in the items' history.
query UpgradedBundle($orderId: ID!, $bundleId: ID!) {
  order(id: $orderId) { state returns { state device { name } } }
  inventoryItem(id: $bundleId) {
    name
    children { name state specification { name } }
    history { field fromValue toValue at }
  }
}
"""

ORDER_ID = "<orderId: run CreateOrder first>"
TASK_ID = "<taskId: run NextTask first>"
WORK_ORDER_ID = "<workOrderId: run FieldWork first>"
TODAY = "<today>"  # the page fills in today's date
ACCOUNT = "acc-northwind"
BUNDLE = "pi-northwind-mbb"
FOUR_G_ITEMS = ["pi-northwind-4g-connectivity", "pi-northwind-4g-router"]


def _variables(**values: object) -> str:
    return json.dumps(values, indent=2) + "\n"


EXAMPLE_TABS: tuple[ExampleTab, ...] = (
    ExampleTab(ACCOUNT_TREE, _variables(accountId=ACCOUNT)),
    ExampleTab(PREVIEW_UPGRADE, _variables(accountId=ACCOUNT, items=FOUR_G_ITEMS)),
    ExampleTab(CREATE_ORDER, _variables(accountId=ACCOUNT), {"orderId": "createOrder.order.id"}),
    ExampleTab(DISCONNECT_FOUR_G, _variables(orderId=ORDER_ID, items=FOUR_G_ITEMS)),
    ExampleTab(ADD_FIVE_G_CONNECTIVITY, _variables(orderId=ORDER_ID, bundleId=BUNDLE)),
    ExampleTab(ADD_FIVE_G_ROUTER, _variables(orderId=ORDER_ID, bundleId=BUNDLE)),
    ExampleTab(REVIEW_ORDER, _variables(orderId=ORDER_ID)),
    ExampleTab(SUBMIT_ORDER, _variables(orderId=ORDER_ID)),
    ExampleTab(APPROVE_ORDER, _variables(orderId=ORDER_ID)),
    ExampleTab(FIELD_WORK, _variables(orderId=ORDER_ID), {"workOrderId": "order.workOrders[state=OPEN].id"}),
    ExampleTab(SCHEDULE_VISIT, _variables(workOrderId=WORK_ORDER_ID, date=TODAY, window="08:00-12:00")),
    ExampleTab(START_VISIT, _variables(workOrderId=WORK_ORDER_ID)),
    ExampleTab(COMPLETE_VISIT, _variables(workOrderId=WORK_ORDER_ID)),
    ExampleTab(NEXT_TASK, _variables(orderId=ORDER_ID), {"taskId": "openTasks.edges[node.ready=true].node.id"}),
    ExampleTab(START_TASK, _variables(taskId=TASK_ID)),
    ExampleTab(CLOSE_TASK, _variables(taskId=TASK_ID)),
    ExampleTab(UPGRADED_BUNDLE, _variables(orderId=ORDER_ID, bundleId=BUNDLE)),
)


def script_json(value: object) -> str:
    """JSON that is safe inside an inline <script>: no `</script>`, `<!--` or `&` sequences survive."""
    return (
        json.dumps(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _operation_name(query: str) -> str:
    """The name of the tab's one operation (`mutation CreateOrder(...)` -> `CreateOrder`)."""
    for line in query.splitlines():
        words = line.replace("(", " ").replace("{", " ").split()
        if len(words) >= 2 and words[0] in ("query", "mutation"):
            return words[1]
    raise ValueError("an example tab needs a named operation")


PASTE_HINT = '{\n  "Authorization": "Bearer paste-your-token-here"\n}\n'


def graphiql_html(endpoint: str = "/graphql", personas: list[dict[str, str]] | None = None) -> str:
    """The GraphiQL page for `endpoint`; it loads React and GraphiQL from `/static/vendor` only.

    `personas` ([{label, token}]) fill the caller picker; with none, the Headers tab starts with a
    placeholder for a pasted token.
    """
    config = {
        "endpoint": endpoint,
        "tabs": [{"query": tab.query, "variables": tab.variables} for tab in EXAMPLE_TABS],
        "remember": {_operation_name(tab.query): tab.remember for tab in EXAMPLE_TABS if tab.remember},
        "personas": personas or [],
        "headers": "" if personas else PASTE_HINT,
    }
    return _PAGE.format(
        vendor=escape(VENDOR, quote=True),
        config=script_json(config),
        explorer="/explore",
    )


_PAGE = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>MACD orders · GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{vendor}/graphiql/graphiql.min.css">
  <style>
    html, body {{ height: 100%; margin: 0; }}
    #graphiql {{ height: 100vh; }}
    #assets-missing {{ font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 40rem; }}
    .graphiql-logo a {{ color: inherit; font-size: 0.8em; margin-left: 0.75em; }}
    .macd-persona {{ font-size: 0.7em; margin-left: 0.75em; }}
    .macd-persona select {{ font: inherit; max-width: 16em; }}
  </style>
  <script>
    function assetsMissing(src) {{
      document.body.innerHTML = '<div id="assets-missing" role="alert"><h1>GraphiQL is not built</h1>'
        + '<p>The browser files under /static/vendor are missing (' + src + '). Build them once with '
        + '<code>python web/build_assets.py</code> and reload.</p></div>';
    }}
  </script>
</head>
<body>
  <div id="graphiql" data-testid="graphiql">Loading GraphiQL…</div>
  <script src="{vendor}/react/react.production.min.js" onerror="assetsMissing(this.src)"></script>
  <script src="{vendor}/react-dom/react-dom.production.min.js" onerror="assetsMissing(this.src)"></script>
  <script src="{vendor}/graphiql/graphiql.min.js" onerror="assetsMissing(this.src)"></script>
  <script>
    (function () {{
      if (!window.GraphiQL) {{ return; }}
      var config = {config};
      var persona = config.personas.length ? config.personas[0].token : null;
      var plain = GraphiQL.createFetcher({{ url: config.endpoint }});
      // The picked persona's token, unless the Headers tab names an Authorization of its own.
      var withPersona = function (params, options) {{
        var headers = Object.assign({{}}, (options && options.headers) || {{}});
        var named = Object.keys(headers).some(function (k) {{ return k.toLowerCase() === 'authorization'; }});
        if (!named && persona) {{ headers.Authorization = 'Bearer ' + persona; }}
        return plain(params, Object.assign({{}}, options || {{}}, {{ headers: headers }}));
      }};
      var base = withPersona;
      // Ids a tab's answer hands on (config.remember), filled into later tabs' `<placeholder>` variables.
      var remembered = {{}};
      try {{ remembered = JSON.parse(sessionStorage.getItem('macd-graphiql-ids') || '{{}}'); }} catch (e) {{}}
      function valueAt(data, path) {{
        // Segments are keys, or `list[sub.path=value]`: the first element whose sub.path equals value.
        var segments = path.match(/[^.\\[\\]]+(\\[[^\\]]*\\])?/g) || [];
        return segments.reduce(function (v, segment) {{
          if (v == null) {{ return v; }}
          var m = segment.match(/^([^\\[]+)\\[([^=]+)=([^\\]]*)\\]$/);
          if (!m) {{ return v[segment]; }}
          var list = v[m[1]] || [];
          for (var i = 0; i < list.length; i++) {{
            if (String(valueAt(list[i], m[2])) === m[3]) {{ return list[i]; }}
          }}
          return null;
        }}, data);
      }}
      function fill(variables) {{
        if (!variables || typeof variables !== 'object') {{ return variables; }}
        var out = {{}};
        Object.keys(variables).forEach(function (k) {{
          var v = variables[k];
          if (v === '<today>') {{ out[k] = new Date().toISOString().slice(0, 10); return; }}
          out[k] = (typeof v === 'string' && v.charAt(0) === '<' && remembered[k]) ? remembered[k] : v;
        }});
        return out;
      }}
      function remember(operationName, result) {{
        var wanted = config.remember[operationName];
        if (!wanted || !result || !result.data) {{ return; }}
        Object.keys(wanted).forEach(function (name) {{
          var v = valueAt(result.data, wanted[name]);
          if (v != null) {{ remembered[name] = v; }}
        }});
        sessionStorage.setItem('macd-graphiql-ids', JSON.stringify(remembered));
      }}
      var fetcher = function (params, options) {{
        var sent = Object.assign({{}}, params, {{ variables: fill(params.variables) }});
        var answer = base(sent, options);
        function seen(result) {{
          (Array.isArray(result) ? result : [result]).forEach(function (r) {{ remember(params.operationName, r); }});
          return result;
        }}
        function passOn(result) {{
          if (result && typeof result[Symbol.asyncIterator] === 'function') {{
            // Executions may arrive as a stream (incremental delivery); pass each part on as it comes.
            return (async function* () {{ for await (const part of result) {{ yield seen(part); }} }})();
          }}
          return seen(result);
        }}
        if (answer && typeof answer.then === 'function') {{ return answer.then(passOn); }}
        return passOn(answer);
      }};
      var picker = config.personas.length ? React.createElement('label', {{ className: 'macd-persona' }}, 'Caller ',
        React.createElement('select', {{
          'data-testid': 'persona',
          onChange: function (event) {{ persona = event.target.value; }}
        }}, config.personas.map(function (p) {{
          return React.createElement('option', {{ key: p.label, value: p.token }}, p.label);
        }}))) : null;
      var logo = React.createElement(
        GraphiQL.Logo, null, 'MACD orders',
        React.createElement('a', {{ href: '{explorer}', 'data-testid': 'explorer-link' }}, 'inventory explorer'),
        picker
      );
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {{
          fetcher: fetcher,
          defaultTabs: config.tabs,
          defaultQuery: config.tabs[0].query,
          variables: config.tabs[0].variables,
          defaultEditorToolsVisibility: true,
          defaultHeaders: config.headers,
          shouldPersistHeaders: false
        }}, logo)
      );
    }})();
  </script>
</body>
</html>
"""
