// Parse a Mermaid flowchart read from stdin with Mermaid's own parser and print what a renderer
// would draw, as JSON: {"type", "direction", "vertices": [{"id", "text", "classes"}], "edges": [[from, to]]}.
// A diagram Mermaid rejects exits with status 1 and the parser's message on stderr.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

// Mermaid keeps `#code;` entities as private placeholders until it renders a label as HTML.
function visibleText(text) {
  const html = text
    .replace(/ﬂ°°/g, '&#')
    .replace(/ﬂ°/g, '&')
    .replace(/¶ß/g, ';')
    .replace(/<br\s*\/?>/gi, '\n');
  const holder = document.createElement('div');
  holder.innerHTML = html;
  return holder.textContent;
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const source = Buffer.concat(chunks).toString('utf8');

try {
  await mermaid.parse(source);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
  const vertices = [...diagram.db.getVertices().values()].map((vertex) => ({
    id: vertex.id,
    text: visibleText(vertex.text),
    classes: vertex.classes,
  }));
  const edges = diagram.db.getEdges().map((edge) => [edge.start, edge.end]);
  const direction = typeof diagram.db.getDirection === 'function' ? diagram.db.getDirection() : null;
  process.stdout.write(JSON.stringify({ type: diagram.type, direction, vertices, edges }));
} catch (error) {
  process.stderr.write(String(error && error.message ? error.message : error));
  process.exit(1);
}
