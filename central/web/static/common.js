// What the central pages share: the element lookup, the language (chosen from ?lang= or the browser,
// switched with #lang-switch), the clock, and the live Server-Sent Events stream with its reconnects.
//
// Every page has, for tests and tools:
//   html[lang]                      the language shown: en | zh-CN
//   #lang-switch                    switches to the other language (and keeps it in ?lang=)
//   [data-i18n]                     elements whose text is the catalogue entry of that key

import { chooseLanguage, translator } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

// --- language --------------------------------------------------------------------------------------

// The page's language and its catalogue lookup, as { language, t }.
export function pageLanguage() {
  const language = chooseLanguage(window.location.search, navigator.languages);
  return { language, t: translator(language) };
}

// The texts every page shows the same way: the [data-i18n] elements and the switch button.
export function applyCatalogue(language, t) {
  document.documentElement.lang = language;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  const button = $("lang-switch");
  button.textContent = t("lang.switch");
  button.lang = t("lang.switch.code");
}

// #lang-switch changes page.language and page.t to the other language, keeps it in the address (so a
// reload stays in it) and calls applyLanguage to show it.
export function onLanguageSwitch(page, applyLanguage) {
  $("lang-switch").addEventListener("click", () => {
    page.language = page.t("lang.switch.code");
    page.t = translator(page.language);
    const url = new URL(window.location.href);
    url.searchParams.set("lang", page.language);
    window.history.replaceState(null, "", url);
    applyLanguage();
  });
}

// The catalogue's name for `${prefix}.${value}`, or fallback when it has none.
export function nameOf(t, prefix, value, fallback) {
  const key = `${prefix}.${value}`;
  const name = t(key);
  return name === key ? fallback : name;
}

// --- time ------------------------------------------------------------------------------------------

export function renderClock(language, offsetMs = 0) {
  $("clock").textContent = new Date(Date.now() + offsetMs).toLocaleTimeString(language, { hour12: false });
}

// 0:42, 3:07, 75:03
export function minutesSeconds(s) {
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// --- reconnecting ----------------------------------------------------------------------------------

// One retry at a time, each after twice the wait of the one before (up to maxMs), until reset().
export class Backoff {
  constructor(minMs, maxMs) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.ms = minMs;
    this.timer = null;
  }

  get pending() {
    return this.timer !== null;
  }

  schedule(retry) {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      retry();
    }, this.ms);
    this.ms = Math.min(this.maxMs, this.ms * 2);
  }

  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  reset() {
    this.ms = this.minMs;
  }
}

// --- sockets ---------------------------------------------------------------------------------------

// A WebSocket to path on this host (wss on an https page). Text frames that parse as JSON objects go to
// onMessage(ws, message); anything else is dropped. The hooks get the socket, so a page that has
// replaced it can ignore the old one.
export function openJsonSocket(path, { onOpen, onMessage, onClose }) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${window.location.host}${path}`);
  ws.addEventListener("open", () => onOpen(ws));
  ws.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message && typeof message === "object") onMessage(ws, message);
  });
  ws.addEventListener("close", (event) => onClose(ws, event));
  return ws;
}

// --- the live stream -------------------------------------------------------------------------------

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;

// #top[data-live] and its text: connecting | live | reconnecting.
export function renderLive(t, live) {
  $("top").dataset.live = live;
  $("live-text").textContent = t(`live.${live}`);
}

// A page's Server-Sent Events stream. Every event carries JSON; handlers[name] gets each event's data
// (an object; anything else is dropped). The stream is live once its "snapshot" event comes, and
// "reconnecting" after an error or when nothing (not even a "ping") came for silentMs: check() tells,
// called every second. Each event's "now" keeps serverNowMs() on the server's clock.
//
// Events named in `relay` (and every event with a handler) are also dispatched on `document` as
// "live:<name>" CustomEvents with the data as `detail`, for the page's other modules (the alert list).
export class LiveStream {
  constructor(url, { silentMs, handlers, onLive, relay = [] }) {
    this.url = url;
    this.silentMs = silentMs;
    this.handlers = handlers;
    this.relay = relay;
    this.onLive = onLive;
    this.live = "connecting";
    this.clockOffsetMs = 0; // server time minus this browser's time
    this.source = null;
    this.backoff = new Backoff(RETRY_MIN_MS, RETRY_MAX_MS);
    this.lastEventAt = 0;
  }

  serverNowMs() {
    return Date.now() + this.clockOffsetMs;
  }

  connect() {
    this.backoff.cancel();
    if (this.source) this.source.close();
    const source = new EventSource(this.url);
    this.source = source;
    this.lastEventAt = Date.now();
    for (const name of new Set(["snapshot", "ping", ...Object.keys(this.handlers), ...this.relay])) {
      source.addEventListener(name, (event) => this.receive(name, event));
    }
    source.addEventListener("error", () => {
      if (source !== this.source) return;
      this.setLive("reconnecting");
      // The browser retries by itself unless the stream is closed for good (e.g. an HTTP error): then
      // ask whether that was the sign-in, and if so go and sign in.
      if (source.readyState === EventSource.CLOSED) this.checkAccess();
    });
  }

  async checkAccess() {
    try {
      // the stream's snapshot (".../events" without "/events") answers at once, with the same rules
      const snapshotUrl = this.url.replace(/\/events$/, "");
      const response = await fetch(snapshotUrl, { credentials: "same-origin", cache: "no-store" });
      if (response.status === 401 || response.status === 403) {
        const next = encodeURIComponent(location.pathname + location.search);
        const forbidden = response.status === 403 ? "&forbidden=1" : "";
        const lang = new URLSearchParams(location.search).get("lang");
        const language = lang ? `&lang=${encodeURIComponent(lang)}` : "";
        location.assign(`/signin?next=${next}${forbidden}${language}`);
        return;
      }
    } catch {
      // central unreachable: keep trying below
    }
    this.reconnectLater();
  }

  check() {
    if (this.source && Date.now() - this.lastEventAt > this.silentMs) {
      this.setLive("reconnecting");
      this.reconnectLater();
    }
  }

  receive(name, event) {
    this.lastEventAt = Date.now();
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!data || typeof data !== "object") return;
    const server = typeof data.now === "string" ? Date.parse(data.now) : NaN;
    if (!Number.isNaN(server)) this.clockOffsetMs = server - Date.now();
    if (name === "snapshot") {
      this.setLive("live");
      this.backoff.reset();
    }
    const handler = this.handlers[name];
    if (handler) handler(data);
    document.dispatchEvent(new CustomEvent(`live:${name}`, { detail: data }));
  }

  setLive(live) {
    this.live = live;
    this.onLive(live);
  }

  reconnectLater() {
    if (this.backoff.pending) return;
    if (this.source) this.source.close();
    this.backoff.schedule(() => this.connect());
  }
}

// A sign-in form (#signin-form, #signin-submit, #signin-error, #password and the id input `idField`)
// posting to /api/agent/login: signedIn(card) when central accepts, else failed(code) with
// "sign_in_failed", "too_many_attempts" or "error". The password field is emptied either way.
export function wireSignIn(idField, signedIn, failed) {
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("signin-error").hidden = true;
    const submit = $("signin-submit");
    submit.disabled = true;
    try {
      const response = await fetch("/api/agent/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ agent_id: $(idField).value.trim(), password: $("password").value }),
      });
      $("password").value = "";
      if (response.ok) {
        signedIn(await response.json());
        return;
      }
      failed(response.status === 401 ? "sign_in_failed" : response.status === 429 ? "too_many_attempts" : "error");
    } catch {
      failed("error");
    } finally {
      submit.disabled = false;
    }
  });
}
