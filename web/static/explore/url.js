// The URL says what is shown: account, selected item, order and its phase, view and direction.
// User steps push a history entry, so Back and Forward walk through them.

import { showDetailsPlaceholder } from './details.js';
import { pickAccount, render, revealById, selectItem, setDirection, setMode } from '../explore.js';
import { app, impact, model, view } from './model.js';
import { clearImpactState, runImpact, setPhase } from './orders.js';
import { $, showError } from './ui.js';

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

export function setHash(push) {
  if (app.restoring) return;
  const hash = hashOf();
  const url = hash ? `#${hash}` : window.location.pathname;
  if (`#${hash}` === window.location.hash || (!hash && !window.location.hash)) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

// Show what the URL says (on load, and on Back/Forward).
export async function applyHash() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  app.restoring = true;
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
    app.restoring = false;
  }
}
