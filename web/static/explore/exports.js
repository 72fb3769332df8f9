// Downloads: the selected subtree or the whole account in a `TreeExportFormat`, from the API.

import { graphql, has } from './graphql.js';
import { updateStatus } from '../explore.js';
import { model, view } from './model.js';
import { $, clearError, el, setBusy, showError } from './ui.js';

// Download file per `TreeExportFormat` value (extensions and types as in exports/tree_formats.py).
const EXPORT_FILES = {
  MERMAID: { extension: 'mmd', type: 'text/vnd.mermaid;charset=utf-8' },
  DOT: { extension: 'gv', type: 'text/vnd.graphviz;charset=utf-8' },
  GRAPHML: { extension: 'graphml', type: 'application/graphml+xml;charset=utf-8' },
  CYTOSCAPE_JSON: { extension: 'cyjs', type: 'application/json' },
};

// The item whose subtree the download buttons export: the selected item, else the first root.
function exportRoot() {
  if (!model.account) return null;
  if (view.selected && model.nodes.has(view.selected)) return view.selected;
  return model.roots.length ? model.roots[0] : null;
}

export function updateExportTarget() {
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
export async function download(format) {
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

export async function downloadAccount(format) {
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
