// DOM helpers of every page: build nodes (text only, never HTML), find them, wall-clock times of API
// timestamps. Toasts and dialogs (staff pages only) are in ./dialog.js.

export const $ = (id) => document.getElementById(id);
export const param = (name) => new URLSearchParams(location.search).get(name);

/** el("p", {class: "x", onclick: fn}, "text", child) — strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** replaceChildren, leaving out the null / false of optional parts (the DOM would print "null"). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** API times carry the deployment's offset; show their wall-clock part. */
export function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }

/** "2026/11/26 16:22–18:42" (same day) or "2026/11/26 16:22 – 2026/11/27 09:00". */
export function timeRange(start, end) {
  if (!start) return "";
  const same = end && start.slice(0, 10) === end.slice(0, 10);
  const d = (iso) => `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 16)}`;
  if (!end) return d(start);
  return same ? `${d(start)}–${end.slice(11, 16)}` : `${d(start)} – ${d(end)}`;
}
