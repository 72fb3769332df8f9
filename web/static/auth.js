// Who the explorer calls the API as: a pasted bearer token, or in the service's local default one
// of the demo personas it offers (`/auth/personas`). explore.js asks `macdAuth.headers()` for every
// GraphQL request after `macdAuth.ready`.
(function () {
  'use strict';

  const select = document.getElementById('persona');
  const pasted = document.getElementById('token');
  let personas = [];

  const ready = fetch('/auth/personas', { headers: { Accept: 'application/json' } })
    .then((response) => (response.ok ? response.json() : { personas: [] }))
    .catch(() => ({ personas: [] }))
    .then((answer) => {
      personas = answer.personas || [];
      select.replaceChildren(...personas.map((persona, index) => new Option(persona.label, String(index))));
      select.hidden = personas.length === 0;
    });

  function token() {
    const typed = pasted.value.trim().replace(/^Bearer\s+/i, '');
    if (typed) return typed;
    const picked = personas[Number(select.value)];
    return picked ? picked.token : null;
  }

  // Another caller sees other accounts: search again as that caller.
  const searchAgain = () => document.getElementById('account-search').dispatchEvent(new Event('input'));
  select.addEventListener('change', searchAgain);
  pasted.addEventListener('change', searchAgain);

  window.macdAuth = {
    ready,
    headers() {
      const current = token();
      return current ? { Authorization: `Bearer ${current}` } : {};
    },
  };
})();
