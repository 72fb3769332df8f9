// Load a Cytoscape JSON document read from stdin into a headless Cytoscape.js, as the explorer and
// Cytoscape Desktop would, and print what it holds as JSON:
// {"nodes": [{"id", "name", "label"}], "edges": [[source, target]], "roots": [ids]}.
// A document Cytoscape.js rejects (duplicate ids, an edge to a missing node) exits with status 1.
import cytoscape from 'cytoscape';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
try {
  const document = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const cy = cytoscape({ headless: true, elements: document.elements });
  const edgeCount = (document.elements.edges || []).length;
  if (cy.edges().length !== edgeCount) throw new Error(`only ${cy.edges().length} of ${edgeCount} edges loaded`);
  process.stdout.write(JSON.stringify({
    nodes: cy.nodes().map((n) => ({ id: n.id(), name: n.data('name'), label: n.data('label') })),
    edges: cy.edges().map((e) => [e.source().id(), e.target().id()]),
    roots: cy.nodes().roots().map((n) => n.id()),
  }));
} catch (error) {
  process.stderr.write(String(error && error.message ? error.message : error));
  process.exit(1);
}
