// Tiny DOM helpers. Text always goes in as text nodes, never as HTML.

// h('button', {class: 'btn', onclick: fn, 'aria-label': 'x'}, 'text', child)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function clear(el) {
  el.replaceChildren();
  return el;
}

// Shows a message in an element (hidden when empty).
export function setMessage(el, text) {
  el.textContent = text || '';
  el.hidden = !text;
}

// Restores focus to an element if it is still in the document, else to a fallback.
export function refocus(el, fallback) {
  if (el && el.isConnected && !el.disabled) el.focus();
  else if (fallback) fallback.focus();
}
