// Plain SVG charts built with DOM APIs (no library, no service): horizontal bars per item with one or
// more series, and columns per month. Every value is drawn as one <rect class="bar"> (width or height 0
// when there is no value), with its number beside it as text; labels go in with textContent only.
import { el } from "../shared/dom.js";

const NS = "http://www.w3.org/2000/svg";
const W = 340; // viewBox width: about one CSS pixel per unit on a 360 px phone

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

const known = (v) => v !== null && v !== undefined && Number.isFinite(Number(v));

function frame(id, title, series, height, note) {
  const root = svg("svg", { viewBox: `0 0 ${W} ${height}`, class: "chart-svg", role: "img",
    "aria-labelledby": `${id}-title`, "data-chart": id, preserveAspectRatio: "xMinYMin meet" });
  const legend = series.length > 1
    ? el("ul", { class: "legend" }, series.map((s, i) => el("li", {}, el("span", { class: `swatch s${i}`,
      "aria-hidden": "true" }), s.label)))
    : null;
  const figure = el("figure", { class: "panel chart", id },
    el("h2", { id: `${id}-title` }, title), note ? el("p", { class: "hint" }, note) : null, legend);
  figure.append(root);
  return { figure, root };
}

function bar(attrs, label, seriesLabel, text) {
  const rect = svg("rect", { ...attrs, class: `bar ${attrs.class}`, rx: 2 });
  rect.append(svg("title", {}, `${label} · ${seriesLabel}: ${text}`));
  return rect;
}

/**
 * Horizontal bars: items [{label, values: [v, …]}] against series [{key, label}]; max (default: the
 * largest value); format(v) → text. Returns a <figure> whose svg has one rect per item and series.
 */
export function barChart({ id, title, items, series, max, format, note }) {
  const LABEL = 18, BAR = 16, GAP = 4, AFTER = 10, ROOM = 66;
  const block = LABEL + series.length * (BAR + GAP) + AFTER;
  const top = max ?? Math.max(0, ...items.flatMap((i) => i.values.filter(known).map(Number)));
  const scale = top > 0 ? (W - ROOM) / top : 0;
  const { figure, root } = frame(id, title, series, Math.max(block * items.length, 24), note);
  items.forEach((item, i) => {
    const y0 = i * block;
    root.append(svg("text", { x: 0, y: y0 + 13, class: "chart-label" }, item.label));
    series.forEach((s, j) => {
      const v = item.values[j];
      const y = y0 + LABEL + j * (BAR + GAP);
      const width = known(v) ? Math.min(W - ROOM, Number(v) * scale) : 0;
      const text = format(v);
      root.append(bar({ x: 0, y, width: width.toFixed(1), height: BAR, class: `s${j}`, "data-series": s.key,
        "data-label": item.label, "data-value": known(v) ? v : "" }, item.label, s.label, text),
      svg("text", { x: (width + 4).toFixed(1), y: y + BAR - 4, class: "chart-value" }, text));
    });
  });
  if (!items.length) root.append(svg("text", { x: 0, y: 16, class: "chart-value" }, "—"));
  return figure;
}

/** Columns: labels [..] and values [..] (one series), e.g. the months of the year. */
export function columnChart({ id, title, labels, values, seriesLabel, max, format, note }) {
  const H = 170, BOTTOM = 20, TOP = 16, LEFT = 2;
  const top = max ?? Math.max(0, ...values.filter(known).map(Number));
  const plot = H - BOTTOM - TOP;
  const slot = (W - LEFT * 2) / Math.max(labels.length, 1);
  const width = Math.min(slot * 0.64, 40);
  const { figure, root } = frame(id, title, [{ label: seriesLabel }], H, note);
  root.append(svg("line", { x1: 0, x2: W, y1: H - BOTTOM + 0.5, y2: H - BOTTOM + 0.5, class: "chart-axis" }));
  labels.forEach((label, i) => {
    const v = values[i];
    const height = known(v) && top > 0 ? Math.min(plot, (Number(v) / top) * plot) : 0;
    const x = LEFT + i * slot + (slot - width) / 2;
    const y = H - BOTTOM - height;
    const text = format(v);
    root.append(bar({ x: x.toFixed(1), y: y.toFixed(1), width: width.toFixed(1), height: height.toFixed(1),
      class: "s0", "data-series": "value", "data-label": label, "data-value": known(v) ? v : "" }, label, seriesLabel, text));
    if (known(v)) {
      root.append(svg("text", { x: (x + width / 2).toFixed(1), y: (y - 4).toFixed(1), class: "chart-value mid" }, text));
    }
    root.append(svg("text", { x: (x + width / 2).toFixed(1), y: H - 5, class: "chart-tick mid" }, label));
  });
  return figure;
}
