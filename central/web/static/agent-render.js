// What the agent console shows, drawn from `page` (agent-page.js). Everything that comes from the
// network is shown with textContent only.

import { $, applyCatalogue, minutesSeconds } from "./common.js";
import { categoryName, languageName, page, seconds, skillName } from "./agent-page.js";
import { setTitles } from "./agent-ring.js";

export function applyLanguage() {
  applyCatalogue(page.language, page.t);
  setTitles(page.t("agent.title"), page.t("agent.ring.title"));
  fillCategories();
  render();
}

// --- notices -----------------------------------------------------------------------------------------

export function showNotice(key, arg) {
  page.notice = { key, arg };
  renderNotice();
}

export function clearNotice() {
  page.notice = null;
  renderNotice();
}

function renderNotice() {
  const el = $("notice");
  if (!page.notice) {
    el.hidden = true;
    el.dataset.reason = "";
    el.textContent = "";
    return;
  }
  const { key, arg } = page.notice;
  const text = page.t(key);
  el.textContent = typeof text === "function" ? text(arg) : text;
  el.dataset.reason = key === "agent.notice.refused" ? String(arg) : key.replace(/^agent\.notice\./, "");
  el.hidden = false;
}

// --- the whole page ----------------------------------------------------------------------------------

// Whether the wrap-up card is on the screen: after a call until the disposition is in and wrap-up over.
function wrapShown() {
  const wrap = page.wrap;
  return wrap !== null && page.call === null && !(wrap.saved && page.state !== "wrap_up");
}

// What the middle of an otherwise empty console says: connecting (only while the socket is not open or
// the switchboard has not yet said where the agent is), away, available; null when something else
// (a ring, a call, a wrap-up) fills the screen.
function idleKind() {
  if (page.card === null || page.state === "ringing" || page.call !== null || wrapShown()) return null;
  if (page.socketState !== "open" || page.state === "connecting") return "connecting";
  return ["away", "available"].includes(page.state) ? page.state : null;
}

export function render() {
  const t = page.t;
  const state = page.state;
  document.body.dataset.state = state;
  document.body.dataset.socket = page.socketState;
  const signedIn = page.card !== null;
  $("signin").hidden = signedIn;
  $("console").hidden = !signedIn;
  // signing out is refused during a call, and a ring is answered or declined first
  $("sign-out").hidden = !signedIn || state === "ringing" || state === "on_call";
  $("socket-line").hidden = !signedIn;
  $("agent-name").textContent = signedIn ? `${page.card.name || page.card.agent} · ${page.card.agent}` : "";
  $("agent-name").dataset.agent = signedIn ? page.card.agent : "";
  $("state-text").textContent = t(`agent.state.${state}`);
  $("socket-text").textContent = signedIn ? t(`agent.socket.${page.socketState}`) : "";

  const presence = $("presence");
  presence.hidden = !["away", "available", "wrap_up"].includes(state);
  const want = state === "away" ? "available" : "away";
  presence.dataset.want = want;
  presence.textContent = t(`agent.presence.${want}`);

  const idle = idleKind();
  $("idle").hidden = idle === null;
  $("idle").dataset.kind = idle || "";
  $("idle-text").textContent = idle ? t(`agent.idle.${idle}`) : "";
  $("idle-hint").textContent = idle && idle !== "connecting" ? t(`agent.idle.${idle}.hint`) : "";

  renderRing();
  renderCall();
  renderWrap();
  renderNotice();
}

// --- the ring ----------------------------------------------------------------------------------------

function renderRing() {
  const ring = page.ring;
  const el = $("ring");
  el.hidden = ring === null;
  el.dataset.call = ring ? ring.call : "";
  if (!ring) return;
  const where = ring.location || (ring.context && ring.context.location) || ring.caller || "";
  // a passenger on their own phone (an info point, or a call moved from a kiosk): the agent should know
  el.dataset.callerKind = ring.caller_kind === "phone" ? "phone" : "device";
  $("ring-location").textContent = ring.caller_kind === "phone" ? `${page.t("agent.caller.phone")} · ${where}` : where;
  $("ring-language").textContent = languageName(ring.language);
  $("ring-skill").textContent = skillName(ring.skill);
  $("ring-screen").textContent = (ring.context && ring.context.screen) || page.t("none");
  $("ring-flight").textContent = (ring.context && ring.context.flight) || page.t("none");
  renderRingClock();
}

function renderRingClock() {
  const ring = page.ring;
  if (!ring) return;
  const elapsed = (Date.now() - ring.receivedAt) / 1000;
  const timeout = Number(ring.timeout_s) || 0;
  const left = Math.max(0, Math.ceil(timeout - elapsed));
  $("ring-left").textContent = String(left);
  $("ring-left").dataset.left = String(left);
  $("ring-bar").style.transform = `scaleX(${timeout > 0 ? Math.max(0, 1 - elapsed / timeout) : 0})`;
  $("ring-waited").textContent = seconds(Number(ring.waited_s) + elapsed);
}

// --- the call ----------------------------------------------------------------------------------------

export function renderCall() {
  const call = page.call;
  const el = $("call");
  el.hidden = call === null;
  el.dataset.call = call ? call.id : "";
  if (!call) return;
  const details = call.details;
  const context = call.context || {};
  const fields = {
    device: details.caller_kind === "phone" ? page.t("agent.caller.phone") : details.caller,
    location: context.location || details.location,
    language: languageName(context.language || details.language),
    screen: context.screen,
    flight: context.flight,
  };
  for (const [name, value] of Object.entries(fields)) {
    const dd = document.querySelector(`#context [data-field="${name}"]`);
    dd.textContent = typeof value === "string" && value ? value : page.t("none");
  }
  el.dataset.media = call.mediaState;
  const mediaText = page.t(`agent.media.${call.mediaState}`);
  const noCamera = call.media && call.media.localError ? page.t("agent.media.no_camera") : "";
  $("media-state").textContent = [mediaText, noCamera].filter(Boolean).join(" ");
  $("media-state").hidden = !mediaText && !noCamera;
  const mute = $("mute");
  mute.dataset.muted = String(page.muted);
  mute.textContent = page.t(page.muted ? "agent.call.unmute" : "agent.call.mute");
  const pushes = $("pushes");
  pushes.dataset.channel = call.channelState;
  pushes.dataset.sent = String(call.pushes);
  pushes.dataset.lastKind = call.lastKind;
  $("channel-state").textContent = page.t(`agent.channel.${call.channelState}`);
  $("channel-state").dataset.state = call.channelState;
  renderCallClock();
}

function renderCallClock() {
  const call = page.call;
  if (!call) return;
  const s = Math.max(0, Math.floor((Date.now() - call.connectedAt) / 1000));
  $("call-timer").textContent = minutesSeconds(s);
}

export function showTab(kind) {
  for (const tab of document.querySelectorAll("#pushes .tab")) tab.setAttribute("aria-selected", String(tab.dataset.tab === kind));
  for (const form of document.querySelectorAll("#pushes .push-form")) form.hidden = form.dataset.kind !== kind;
  $("push-sent").textContent = "";
}

export function resetPushForms() {
  for (const form of document.querySelectorAll("#pushes .push-form")) form.reset();
  $("push-qr-error").hidden = true;
  $("push-sent").textContent = "";
  showTab("text");
}

export function fillMaps() {
  const select = $("push-map-choice");
  select.replaceChildren();
  page.maps.forEach((map, index) => {
    const option = document.createElement("option");
    option.value = String(index);
    option.textContent = String(map.title || map.id || map.url);
    select.append(option);
  });
  document.querySelector('.tab[data-tab="map"]').hidden = page.maps.length === 0;
}

// --- wrap-up -----------------------------------------------------------------------------------------

function renderWrap() {
  const wrap = page.wrap;
  const el = $("wrapup");
  el.hidden = !wrapShown();
  el.dataset.call = wrap ? wrap.id : "";
  el.dataset.saved = String(Boolean(wrap && wrap.saved));
  if (!wrap) return;
  $("wrapup-ended").textContent = wrap.reason ? page.t(`agent.ended.${wrap.reason}`) : "";
  $("disposition-saved").hidden = !wrap.saved;
  $("disposition-submit").disabled = wrap.saved;
  $("ready").hidden = page.state !== "wrap_up";
  if (page.maxNoteChars > 0) $("note").maxLength = page.maxNoteChars;
  renderWrapClock();
}

function renderWrapClock() {
  const wrap = page.wrap;
  if (!wrap) return;
  const left = page.state === "wrap_up" && wrap.untilMs ? Math.max(0, Math.ceil((wrap.untilMs - Date.now()) / 1000)) : 0;
  $("wrapup-left").textContent = left >= 60 ? minutesSeconds(left) : String(left);
  $("wrapup-left").dataset.left = String(left);
  $("wrapup-unit").hidden = left >= 60;
  $("wrapup-left").parentElement.hidden = page.state !== "wrap_up";
}

export function fillCategories() {
  const select = $("category");
  const chosen = select.value;
  select.replaceChildren();
  const blank = document.createElement("option");
  blank.value = "";
  blank.textContent = "—";
  select.append(blank);
  for (const category of page.categories) {
    const option = document.createElement("option");
    option.value = category;
    option.textContent = categoryName(category);
    select.append(option);
  }
  select.value = page.categories.includes(chosen) ? chosen : "";
}

export function resetDispositionForm() {
  $("disposition-form").reset();
  fillCategories();
}

// --- every quarter second ----------------------------------------------------------------------------

export function renderClocks() {
  renderRingClock();
  renderCallClock();
  renderWrapClock();
}
