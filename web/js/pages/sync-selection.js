// pages/sync-selection.js - which people of Users > Sync users are chosen
// for a bulk action: ticked rows (kept across pages), or "all N matching
// the filter".  It owns the header "Select all on page" box and the bar
// that says what is selected.

import { h, mount } from '../dom.js';

export function selection(onChange) {
  const chosen = new Map();          // id -> person, for the ticked rows
  let allMatching = false;
  let page = [];                     // the people on screen
  let total = 0;                     // how many match the filter
  let filter = {};

  const pageBox = h('input', { type: 'checkbox', 'aria-label': 'Select all on page' });
  const text = h('span', { class: 'selection-text' });
  const extend = h('button', { class: 'btn-link', type: 'button' });
  const clear = h('button', { class: 'btn-link', type: 'button' }, 'Clear selection');
  const bar = h('div', { class: 'selection-bar', 'aria-live': 'polite' }, text, extend, clear);

  const count = () => (allMatching ? total : chosen.size);

  function draw() {
    const ticked = page.filter((p) => chosen.has(p.id)).length;
    pageBox.checked = allMatching || (page.length > 0 && ticked === page.length);
    pageBox.indeterminate = !allMatching && ticked > 0 && ticked < page.length;
    mount(text, allMatching ? `All ${total} people matching the filter are selected.`
      : `${chosen.size} selected.`);
    extend.hidden = allMatching || !pageBox.checked || total <= page.length;
    extend.textContent = `Select all ${total} matching the filter`;
    bar.hidden = count() === 0;
    onChange();
  }

  pageBox.addEventListener('change', () => {
    allMatching = false;
    for (const p of page) {
      if (pageBox.checked) chosen.set(p.id, p);
      else chosen.delete(p.id);
    }
    draw();
  });
  extend.addEventListener('click', () => { allMatching = true; draw(); });
  clear.addEventListener('click', () => { chosen.clear(); allMatching = false; draw(); });

  return {
    pageBox,
    bar,
    count,
    has: (id) => allMatching || chosen.has(id),
    // A row's box was ticked or unticked.
    toggle(p, on) {
      if (allMatching && !on) {          // leave "all matching": keep the page minus this one
        allMatching = false;
        page.forEach((q) => chosen.set(q.id, q));
      }
      if (on) chosen.set(p.id, p);
      else chosen.delete(p.id);
      draw();
    },
    // New page shown: PEOPLE on screen, TOTAL matching FILTER.
    showing(people, matching, currentFilter) {
      page = people;
      total = matching;
      filter = currentFilter;
      people.forEach((p) => chosen.has(p.id) && chosen.set(p.id, p));
      draw();
    },
    // The filter changed: nothing is selected any more.
    reset() { chosen.clear(); allMatching = false; draw(); },
    // The selection as the API takes it.
    body: () => (allMatching ? { filter } : { ids: [...chosen.keys()] }),
    // The selected people we know (for naming them in a dialog).
    known: () => (allMatching ? page : [...chosen.values()]),
  };
}
