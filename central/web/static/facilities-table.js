// The fleet table's sorting, filters (terminal, kind, state) and search (id or location), for
// facilities.js: it asks for the order of the rows and whether each row is shown.

import { $ } from "./common.js";
import { deviceTranslator } from "./facilities-text.js";

const STATES = ["online", "silent", "offline", "unknown"];
const KINDS = ["kiosk", "signage"];

// "T1" from a location such as "T1 Hall B, gate 12", else from an id such as "kiosk-t1-b-07"; "" if none.
export function terminalOf(device) {
  const fromPlace = /\bT(\d{1,2})\b/i.exec(device.location || "");
  if (fromPlace) return `T${fromPlace[1]}`;
  const fromId = /-t(\d{1,2})(?:-|$)/.exec(device.id || "");
  return fromId ? `T${fromId[1]}` : "";
}

// The value a column sorts by; numbers for figures, text for the rest.
function sortValue(device, field) {
  const h = device.health || {};
  switch (field) {
    case "id": return device.id;
    case "kind": return device.kind || "";
    case "location": return (device.location || "").toLowerCase();
    case "status": return `${STATES.indexOf(device.state)}${device.reason || ""}`;
    case "last_seen": return Date.parse(device.last_seen || "") || 0;
    case "cpu": return h.cpu_percent ?? -1;
    case "memory": return h.memory_percent ?? -1;
    case "rss": return h.app_rss_mb ?? -1;
    case "uptime": return h.uptime_s ?? -1;
    case "temperature": return h.temperature_c ?? -1;
    case "rtt": return h.broker_rtt_ms ?? -1;
    default: return "";
  }
}

export class FleetView {
  constructor(language, changed) {
    this.t = deviceTranslator(language);
    this.changed = changed;
    this.sort = null; // { field, direction: 1 | -1 } once a header is clicked; until then the page's order
    this.terminals = new Set();
    for (const id of ["filter-search", "filter-terminal", "filter-kind", "filter-state"]) {
      $(id).addEventListener("input", () => this.changed());
    }
    for (const th of document.querySelectorAll("#fleet thead th[data-field]")) {
      th.addEventListener("click", () => this.sortBy(th.dataset.field));
    }
  }

  setLanguage(language) {
    this.t = deviceTranslator(language);
    for (const el of document.querySelectorAll("#fleet-tools [data-t]")) el.textContent = this.t(el.dataset.t);
    $("filter-search").placeholder = this.t("filter.search");
    this.fillSelect("filter-kind", KINDS.map((kind) => [kind, this.t(`kind.${kind}`)]));
    this.fillSelect("filter-state", STATES.map((state) => [state, this.t(`state.${state}`)]));
    this.fillSelect("filter-terminal", [...this.terminals].sort().map((name) => [name, name]));
  }

  fillSelect(id, options) {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren();
    for (const [value, label] of [["", this.t("filter.all")], ...options]) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      select.append(option);
    }
    select.value = options.some(([value]) => value === chosen) ? chosen : "";
  }

  // New devices may bring new terminals to choose from.
  noteDevices(devices) {
    const before = this.terminals.size;
    for (const device of devices) {
      const terminal = terminalOf(device);
      if (terminal) this.terminals.add(terminal);
    }
    if (this.terminals.size !== before) {
      this.fillSelect("filter-terminal", [...this.terminals].sort().map((name) => [name, name]));
    }
  }

  sortBy(field) {
    const direction = this.sort && this.sort.field === field ? -this.sort.direction : 1;
    this.sort = { field, direction };
    for (const th of document.querySelectorAll("#fleet thead th[data-field]")) {
      if (th.dataset.field === field) th.dataset.sort = direction === 1 ? "asc" : "desc";
      else delete th.dataset.sort;
    }
    this.changed();
  }

  // The page's own order (pageCompare) until a header is clicked; then that column, ties by id.
  compare(pageCompare) {
    if (!this.sort) return pageCompare;
    const { field, direction } = this.sort;
    return (a, b) => {
      const va = sortValue(a, field);
      const vb = sortValue(b, field);
      const order = va < vb ? -1 : va > vb ? 1 : 0;
      return order * direction || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    };
  }

  shows(device) {
    const search = $("filter-search").value.trim().toLowerCase();
    const terminal = $("filter-terminal").value;
    const kind = $("filter-kind").value;
    const state = $("filter-state").value;
    if (terminal && terminalOf(device) !== terminal) return false;
    if (kind && device.kind !== kind) return false;
    if (state && device.state !== state) return false;
    if (search && !device.id.toLowerCase().includes(search) && !(device.location || "").toLowerCase().includes(search)) {
      return false;
    }
    return true;
  }

  renderShown(shown, total) {
    $("filter-shown").textContent = shown === total ? "" : this.t("filter.shown", { shown, total });
  }
}
