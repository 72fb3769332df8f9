// Page helpers shared by the parts of the explorer: elements, state and action colours, the
// error box, the notice bar and the status line.

// Shared with exports/tree_formats.py STATE_COLORS so exports and the explorer look alike.
export const STATE_COLORS = {
  ACTIVE: '#c8e6c9',
  INSTALLATION_PENDING: '#bbdefb',
  CHANGE_PENDING: '#ffe0b2',
  SUSPENDED: '#fff59d',
  DISCONNECT_PENDING: '#ffccbc',
  INACTIVE: '#e0e0e0',
};
export const DEFAULT_COLOR = '#f5f5f5';
export const ACTION_COLORS = {
  ADD: '#2e7d32',
  CHANGE: '#ef6c00',
  DISCONNECT: '#c62828',
  SUSPEND: '#9e7c00',
  RESUME: '#00838f',
  NO_CHANGE: '#78909c',
  MOVE: '#6a1b9a',
};

export const $ = (selector) => document.querySelector(selector);

export function shorten(text, limit) {
  const value = (text || '').replace(/\s+/g, ' ');
  return value.length > limit ? `${value.slice(0, limit - 1)}…` : value;
}

export function el(tag, attributes, ...children) {
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

export function definitionList(pairs) {
  return el('dl', {}, pairs.filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

export function stateBadge(state) {
  const badge = el('span', { className: 'badge' }, state);
  badge.style.background = STATE_COLORS[state] || DEFAULT_COLOR;
  return badge;
}

export function showError(message) {
  const box = $('#error');
  box.textContent = message;
  box.hidden = false;
}

export function clearError() {
  $('#error').hidden = true;
  $('#error').textContent = '';
}

const notices = new Map();

export function showNotice(message, kind) {
  notices.set(kind, message);
  const box = $('#notice');
  box.textContent = [...notices.values()].join(' ');
  box.dataset.kinds = [...notices.keys()].join(' ');
  box.hidden = false;
}

export function clearNotice(kind) {
  notices.delete(kind);
  const box = $('#notice');
  box.textContent = [...notices.values()].join(' ');
  box.dataset.kinds = [...notices.keys()].join(' ');
  box.hidden = notices.size === 0;
}

export function setBusy(message) {
  $('#status').textContent = message;
}
