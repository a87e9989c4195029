// Pushes the agent sends over the caller's `help` data channel, shaped exactly like the bus Push model
// (bus/messages/call.py): {"v": 1, "type": "push", "call", "kind", "text", "url", "data"}. The kiosk
// validates each one strictly and ignores what does not validate, so the limits are checked here too.

export const MAX_TEXT_CHARS = 4000;
export const MAX_URL_CHARS = 2000;
const FLIGHT_FIELDS = ["number", "airport", "time", "gate", "status"];

// The address as an absolute http(s) URL the model accepts (normalised: lower-case scheme), or null.
export function httpUrl(text) {
  const value = String(text || "").trim();
  if (value.length === 0 || value.length > MAX_URL_CHARS) return null;
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return url.href.length <= MAX_URL_CHARS ? url.href : null;
}

function push(call, kind, { text = "", url = null, data = {} } = {}) {
  return { v: 1, type: "push", call, kind, text: String(text).slice(0, MAX_TEXT_CHARS), url, data };
}

export function textPush(call, text) {
  const body = String(text || "").trim();
  return body ? push(call, "text", { text: body }) : null;
}

export function qrPush(call, address, caption) {
  const url = httpUrl(address);
  return url ? push(call, "qr", { url, text: String(caption || "").trim() }) : null;
}

// fields: an object with some of number, airport, time, gate, status (the flight number is required).
export function flightPush(call, fields) {
  const data = {};
  for (const name of FLIGHT_FIELDS) {
    const value = String(fields[name] || "").trim();
    if (value) data[name] = value;
  }
  return data.number ? push(call, "flight", { data }) : null;
}

export function mapPush(call, choice) {
  if (!choice) return null;
  const url = httpUrl(choice.url);
  return url ? push(call, "map", { url, text: String(choice.title || ""), data: { id: String(choice.id || "") } }) : null;
}
