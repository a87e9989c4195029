// A line chart of one figure over the last 24 hours, drawn as inline SVG (no library, no build step).
// Points are {minute (epoch s), value}; gaps of more than a few minutes break the line, so a device that
// was off does not look as if it had a steady figure.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 480;
const HEIGHT = 130;
const PAD = { left: 36, right: 20, top: 10, bottom: 22 };
const GAP_S = 5 * 60;
const DAY_S = 24 * 3600;

function el(name, attrs = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function niceMax(max, floor) {
  const top = Math.max(max, floor);
  const step = 10 ** Math.floor(Math.log10(top));
  return Math.ceil(top / step) * step;
}

// Draws into `svg` (emptied first). nowS is the server's time in epoch seconds; floor the least top of the
// scale (100 for a percentage); language for the hour labels.
export function drawChart(svg, points, { nowS, floor, language }) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const values = points.map((p) => p.value).filter((v) => Number.isFinite(v));
  const top = niceMax(values.length ? Math.max(...values) : 0, floor);
  const start = nowS - DAY_S;
  const x = (s) => PAD.left + ((s - start) / DAY_S) * (WIDTH - PAD.left - PAD.right);
  const y = (v) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);

  for (const fraction of [0, 0.5, 1]) {
    const v = top * fraction;
    svg.append(el("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    const label = el("text", { x: PAD.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" });
    label.textContent = String(Math.round(v));
    svg.append(label);
  }
  for (let hoursAgo = 24; hoursAgo >= 0; hoursAgo -= 6) {
    const s = nowS - hoursAgo * 3600;
    const label = el("text", { x: x(s), y: HEIGHT - 6, class: "axis", "text-anchor": "middle" });
    label.textContent = new Date(s * 1000).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit", hour12: false });
    svg.append(label);
  }

  let path = "";
  let last = null;
  for (const point of points) {
    if (!Number.isFinite(point.value) || point.minute < start) {
      last = null;
      continue;
    }
    const command = last === null || point.minute - last > GAP_S ? "M" : "L";
    path += `${command}${x(point.minute).toFixed(1)},${y(point.value).toFixed(1)}`;
    last = point.minute;
  }
  if (path) svg.append(el("path", { d: path, class: "line" }));
  // a lone minute would draw no line: a dot for each point keeps it visible
  if (points.length <= 3) {
    for (const point of points) {
      if (Number.isFinite(point.value)) svg.append(el("circle", { cx: x(point.minute), cy: y(point.value), r: 4, class: "dot-point" }));
    }
  }
  svg.dataset.points = String(values.length);
}
