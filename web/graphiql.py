"""The GraphiQL page, served from `/static/vendor` only so it works on a machine without internet.

`graphiql_html()` is what the GraphQL endpoint answers a browser with. It opens with the tabs in
`EXAMPLE_TABS`: the demo account's tree, a preview of a change, and the 4G-to-5G upgrade of
DOMAIN.md section 5 captured step by step.

Every request needs a bearer token. In the local default the page offers the demo personas (a
picker in the header; the first, admin, is preselected); with an identity provider configured it
offers none. Either way an `Authorization` header typed into the Headers tab wins.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape

VENDOR = "/static/vendor"


@dataclass(frozen=True)
class ExampleTab:
    """One GraphiQL tab the page opens with."""

    query: str
    variables: str | None = None


ACCOUNT_TREE = """\
# The demo account's inventory: every top-order parent with two levels below it.
# For a tree of any size as one flat answer, use inventoryTree(rootId:) instead.
query AccountTree {
  account(id: "acc-northwind") {
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

PREVIEW_CHANGE = """\
# The lines an order would create, without writing anything.
# R1: changing the bundle creates a line for the bundle alone.
# R3: disconnecting it creates a line for the bundle and for every item below it.
query PreviewChange {
  change: previewOrder(accountId: "acc-northwind", action: CHANGE, inventoryIds: ["pi-northwind-mbb"]) {
    action
    moveOperation
    parentInventoryId
    inventoryItem { id name state }
  }
  disconnect: orderPreview(accountId: "acc-northwind", action: DISCONNECT, inventoryIds: ["pi-northwind-mbb"]) {
    lines { action parentInventoryId inventoryItem { id name } }
    errors { code message ids }
  }
}
"""

FOUR_G_TO_FIVE_G = """\
# The 4G-to-5G upgrade (DOMAIN.md section 5), one step at a time:
# 1. run CreateOrder and put the order id it returns into the variables below;
# 2. run DisconnectFourG, AddFiveG and ReviewOrder; 3. SubmitOrder validates and submits it.
mutation CreateOrder {
  createOrder(input: {accountId: "acc-northwind", action: CHANGE}) {
    order { id action state }
    errors { code message ids }
  }
}

mutation DisconnectFourG($orderId: ID!) {
  addInventoryToOrder(input: {
    orderId: $orderId
    inventoryIds: ["pi-northwind-4g-connectivity", "pi-northwind-4g-router"]
    lineAction: DISCONNECT
  }) {
    order { id lines { action inventoryItem { name state } } }
    errors { code message ids }
  }
}

mutation AddFiveG($orderId: ID!) {
  connectivity: addProductToOrder(input: {
    orderId: $orderId, parentInventoryId: "pi-northwind-mbb", specificationId: "spec-5g-connectivity"
  }) {
    errors { code message ids }
  }
  router: addProductToOrder(input: {
    orderId: $orderId, parentInventoryId: "pi-northwind-mbb", specificationId: "spec-5g-router"
  }) {
    order { id lines { action inventoryItem { id name state } } }
    errors { code message ids }
  }
}

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

mutation SubmitOrder($orderId: ID!) {
  submitOrder(orderId: $orderId) {
    order { id state }
    errors { code message ids }
  }
}
"""

EXAMPLE_TABS: tuple[ExampleTab, ...] = (
    ExampleTab(ACCOUNT_TREE),
    ExampleTab(PREVIEW_CHANGE),
    ExampleTab(FOUR_G_TO_FIVE_G, variables='{\n  "orderId": "paste the id CreateOrder returned"\n}\n'),
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


PASTE_HINT = '{\n  "Authorization": "Bearer paste-your-token-here"\n}\n'


def graphiql_html(endpoint: str = "/graphql", personas: list[dict[str, str]] | None = None) -> str:
    """The GraphiQL page for `endpoint`; it loads React and GraphiQL from `/static/vendor` only.

    `personas` ([{label, token}]) fill the caller picker; with none, the Headers tab starts with a
    placeholder for a pasted token.
    """
    config = {
        "endpoint": endpoint,
        "tabs": [asdict(tab) for tab in EXAMPLE_TABS],
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
      var fetcher = function (params, options) {{
        var headers = Object.assign({{}}, (options && options.headers) || {{}});
        var named = Object.keys(headers).some(function (k) {{ return k.toLowerCase() === 'authorization'; }});
        if (!named && persona) {{ headers.Authorization = 'Bearer ' + persona; }}
        return plain(params, Object.assign({{}}, options || {{}}, {{ headers: headers }}));
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
