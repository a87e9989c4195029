// The agent console: sign-in, presence, the ring, the call (video both ways, context, pushes) and the
// disposition. It speaks to central over /api/agent/ws (events in central/switchboard/events.py, messages
// out in central/web/console_messages.py). Everything that comes from the network is shown with
// textContent only.
//
// State exposed for tests and tools, as data attributes:
//   body[data-state]          signed_out | connecting | away | available | ringing | on_call | wrap_up
//   body[data-socket]         closed | connecting | open
//   #agent-name[data-agent]   the signed-in agent id
//   #ring[data-call]          the call ringing now ("" when none); #ring-left[data-left] whole seconds left
//   #call[data-call]          the call in progress; #call[data-media] its media: starting | waiting_offer |
//                             answering | answered, then the peer connection's connectionState
//                             (new | connecting | connected | disconnected | failed | closed)
//   #remote-video[data-frames] video frames decoded so far (getStats inbound-rtp framesDecoded)
//   #pushes[data-channel]     the caller's `help` data channel: closed | connecting | open | closing
//   #pushes[data-sent]        pushes sent in this call; #pushes[data-last-kind] the kind of the last one
//   #context [data-field]     device | location | language | screen | flight
//   #mute[data-muted]         true | false
//   #wrapup[data-call]        the call being wrapped up; #wrapup[data-saved] true once the disposition is in
//   #wrapup-left[data-left]   whole seconds of wrap-up left
//   #notice[data-reason]      the last notice: an error reason from the server, ring.timeout, replaced, …
//   #signin-error[data-error] sign_in_failed | too_many_attempts | error

import { CallMedia } from "./agent-call.js";
import { flightPush, mapPush, qrPush, textPush } from "./agent-push.js";
import { $, Backoff, applyCatalogue, minutesSeconds, nameOf, onLanguageSwitch, pageLanguage, renderClock } from "./common.js";

const SOCKET_PATH = "/api/agent/ws";
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15000;
const CLOSE_SIGN_IN = 4401;
const CLOSE_SIGNED_OUT = 4000;
const CLOSE_REPLACED = 4409;

const page = {
  ...pageLanguage(),
  card: null, // {agent, name, skills, ice_servers} from /api/agent/session or the login
  socket: null,
  socketState: "closed",
  state: "signed_out",
  categories: [],
  maps: [],
  ring: null, // the ring event, with receivedAt (ms)
  call: null, // {id, details, connectedAt, media, pushes}
  wrap: null, // {id, untilMs, saved, reason}
  muted: false,
  notice: null, // {key, arg}
  ringTone: null,
};
const retry = new Backoff(RETRY_MIN_MS, RETRY_MAX_MS); // reconnecting the socket

// --- text ------------------------------------------------------------------------------------------

function applyLanguage() {
  applyCatalogue(page.language, page.t);
  document.title = page.t("agent.title");
  fillCategories();
  render();
}

function languageName(tag) {
  if (typeof tag !== "string" || !tag) return page.t("none");
  try {
    const name = new Intl.DisplayNames([page.language], { type: "language" }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

function skillName(skill) {
  return nameOf(page.t, "skill", skill, String(skill || ""));
}

function categoryName(category) {
  return nameOf(page.t, "category", category, category);
}

function seconds(value) {
  return Number.isFinite(value) ? page.t("duration")(Math.max(0, Math.round(value))) : page.t("none");
}

function showNotice(key, arg) {
  page.notice = { key, arg };
  renderNotice();
}

function clearNotice() {
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

// --- rendering -------------------------------------------------------------------------------------

function render() {
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
  const canToggle = ["away", "available", "wrap_up"].includes(state);
  presence.hidden = !canToggle;
  const want = state === "away" ? "available" : "away";
  presence.dataset.want = want;
  presence.textContent = t(`agent.presence.${want}`);

  $("idle").hidden = !signedIn || page.call !== null || (page.wrap !== null && !page.wrap.saved) || state === "ringing";
  const idleKey = ["away", "available"].includes(state) ? state : "connecting";
  $("idle-text").textContent = t(`agent.idle.${idleKey}`);
  $("idle-hint").textContent = idleKey === "connecting" ? "" : t(`agent.idle.${idleKey}.hint`);
  $("idle").dataset.kind = idleKey;

  renderRing();
  renderCall();
  renderWrap();
  renderNotice();
}

function renderRing() {
  const ring = page.ring;
  const el = $("ring");
  el.hidden = ring === null;
  el.dataset.call = ring ? ring.call : "";
  if (!ring) return;
  $("ring-location").textContent = ring.location || (ring.context && ring.context.location) || ring.caller || "";
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

function renderCall() {
  const call = page.call;
  const el = $("call");
  el.hidden = call === null;
  el.dataset.call = call ? call.id : "";
  if (!call) return;
  const details = call.details;
  const context = call.context || {};
  const fields = {
    device: details.caller,
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

function renderWrap() {
  const wrap = page.wrap;
  const el = $("wrapup");
  el.hidden = wrap === null || page.call !== null || (wrap.saved && page.state !== "wrap_up");
  el.dataset.call = wrap ? wrap.id : "";
  el.dataset.saved = String(Boolean(wrap && wrap.saved));
  if (!wrap) return;
  $("wrapup-ended").textContent = wrap.reason ? page.t(`agent.ended.${wrap.reason}`) : "";
  $("disposition-saved").hidden = !wrap.saved;
  $("disposition-submit").disabled = wrap.saved;
  $("ready").hidden = page.state !== "wrap_up";
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

function fillCategories() {
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

function fillMaps() {
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

// --- the ring tone: a short two-tone chirp every second while ringing ------------------------------

function startRingTone() {
  stopRingTone();
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  let context;
  try {
    context = new Context();
  } catch {
    return;
  }
  const chirp = () => {
    for (const [frequency, at] of [[880, 0], [660, 0.18]]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.15;
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(context.currentTime + at);
      oscillator.stop(context.currentTime + at + 0.15);
    }
  };
  chirp();
  page.ringTone = { context, timer: setInterval(chirp, 1200) };
}

function stopRingTone() {
  if (!page.ringTone) return;
  clearInterval(page.ringTone.timer);
  page.ringTone.context.close().catch(() => {});
  page.ringTone = null;
}

// --- the socket ------------------------------------------------------------------------------------

function send(message) {
  if (page.socket && page.socket.readyState === WebSocket.OPEN) {
    page.socket.send(JSON.stringify(message));
    return true;
  }
  return false;
}

function openSocket() {
  retry.cancel();
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}${SOCKET_PATH}`);
  page.socket = socket;
  page.socketState = "connecting";
  page.state = "connecting";
  render();
  socket.addEventListener("open", () => {
    if (socket !== page.socket) return;
    page.socketState = "open";
    retry.reset();
    render();
  });
  socket.addEventListener("message", (event) => {
    if (socket !== page.socket || typeof event.data !== "string") return;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data && typeof data === "object" && typeof data.type === "string") onEvent(data);
  });
  socket.addEventListener("close", (event) => {
    if (socket !== page.socket) return;
    page.socket = null;
    page.socketState = "closed";
    // the switchboard has ended whatever was going on: a ring went back to the queue, a call ended
    dropRing();
    endCallMedia();
    if (event.code === CLOSE_SIGN_IN || event.code === CLOSE_SIGNED_OUT) {
      signedOut(event.code === CLOSE_SIGN_IN ? "agent.notice.session" : "agent.notice.signed_out");
    } else if (event.code === CLOSE_REPLACED) {
      signedOut("agent.notice.replaced");
    } else if (page.card) {
      page.state = "connecting";
      showNotice("agent.notice.lost");
      retry.schedule(reconnect);
      render();
    }
  });
}

// After a dropped socket: still signed in? Then open a new one, else back to the form.
async function reconnect() {
  const card = await fetchSession();
  if (card === undefined) {
    retry.schedule(reconnect);
    return;
  }
  if (card === null) {
    signedOut("agent.notice.session");
    return;
  }
  page.card = card;
  clearNotice();
  openSocket();
}

// --- events from the switchboard -------------------------------------------------------------------

function onEvent(event) {
  switch (event.type) {
    case "signed_in":
      page.categories = Array.isArray(event.categories) ? event.categories.map(String) : [];
      fillCategories();
      break;
    case "state":
      onState(String(event.state));
      break;
    case "ring":
      page.ring = { ...event, receivedAt: Date.now() };
      clearNotice();
      startRingTone();
      break;
    case "ring_cancelled":
      if (page.ring && page.ring.call === event.call) dropRing();
      showNotice(`agent.notice.ring.${["timeout", "declined", "caller_left"].includes(event.reason) ? event.reason : "declined"}`);
      break;
    case "connected":
      onConnected(event);
      break;
    case "offer":
      onOffer(event);
      break;
    case "ended":
      onEnded(event);
      break;
    case "wrap_up":
      onWrapUp(event);
      break;
    case "disposition_saved":
      if (page.wrap && page.wrap.id === event.call) page.wrap.saved = true;
      break;
    case "signed_out":
      break; // the socket closes next, with the code that says why
    case "error":
      showNotice("agent.notice.refused", String(event.reason || ""));
      break;
    default:
      return;
  }
  render();
}

function onState(state) {
  page.state = state;
  if (state !== "ringing") dropRing();
  if (state !== "wrap_up" && page.wrap && page.wrap.saved) page.wrap = null;
}

function dropRing() {
  page.ring = null;
  stopRingTone();
}

function onConnected(event) {
  dropRing();
  clearNotice();
  endCallMedia();
  page.wrap = null;
  page.muted = false;
  const call = {
    id: String(event.call),
    details: event,
    context: event.context && typeof event.context === "object" ? { ...event.context } : {},
    connectedAt: Date.now(),
    media: null,
    mediaState: "starting",
    channelState: "closed",
    pushes: 0,
    lastKind: "",
    offer: null,
  };
  page.call = call;
  resetPushForms();
  const media = new CallMedia({
    iceServers: page.card ? page.card.ice_servers : [],
    remoteVideo: $("remote-video"),
    selfVideo: $("self-video"),
    hooks: {
      onState: (state) => updateCall(call, { mediaState: state }),
      onChannel: (state) => updateCall(call, { channelState: state }),
      onContext: (context) => updateCall(call, { context: { ...call.context, ...pickContext(context) } }),
      onFrames: (frames) => {
        if (page.call === call) $("remote-video").dataset.frames = String(frames);
      },
    },
  });
  call.media = media;
  $("remote-video").dataset.frames = "0";
  call.ready = media.start().then(() => {
    if (page.call === call && call.mediaState === "starting") updateCall(call, { mediaState: "waiting_offer" });
  });
}

function pickContext(data) {
  const context = {};
  for (const name of ["screen", "flight", "location", "language"]) {
    if (typeof data[name] === "string") context[name] = data[name].slice(0, 200);
  }
  return context;
}

function updateCall(call, changes) {
  if (page.call !== call) return;
  Object.assign(call, changes);
  renderCall();
}

async function onOffer(event) {
  const call = page.call;
  if (!call || call.id !== event.call || typeof event.sdp !== "string" || call.offer !== null) return;
  call.offer = event.sdp;
  await call.ready;
  if (page.call !== call) return;
  updateCall(call, { mediaState: "answering" });
  try {
    const sdp = await call.media.answer(event.sdp);
    if (page.call !== call) return;
    send({ type: "answer", call: call.id, sdp });
    if (call.mediaState === "answering") updateCall(call, { mediaState: "answered" });
  } catch (error) {
    updateCall(call, { mediaState: "failed" });
    send({ type: "hangup", call: call.id });
  }
}

function onEnded(event) {
  const call = page.call;
  const reason = ["caller", "caller_lost", "failed", "agent"].includes(event.reason) ? event.reason : "failed";
  if (call && call.id === event.call) endCallMedia();
  page.wrap = { id: String(event.call), untilMs: null, saved: false, reason };
  resetDispositionForm();
}

function onWrapUp(event) {
  if (!page.wrap || page.wrap.id !== event.call) {
    page.wrap = { id: String(event.call), untilMs: null, saved: false, reason: "" };
    resetDispositionForm();
  }
  if (Array.isArray(event.categories)) {
    page.categories = event.categories.map(String);
    fillCategories();
  }
  page.wrap.untilMs = Date.now() + Math.max(0, Number(event.left_s) || 0) * 1000;
}

function endCallMedia() {
  if (page.call && page.call.media) page.call.media.close();
  page.call = null;
}

// --- actions ---------------------------------------------------------------------------------------

function onPresence() {
  send({ type: "presence", available: $("presence").dataset.want === "available" });
}

function onAccept() {
  if (page.ring) send({ type: "accept", call: page.ring.call });
  stopRingTone();
}

function onDecline() {
  if (page.ring) send({ type: "decline", call: page.ring.call });
  stopRingTone();
}

function onHangup() {
  if (page.call) send({ type: "hangup", call: page.call.id });
}

function onMute() {
  page.muted = !page.muted;
  if (page.call && page.call.media) page.call.media.setMuted(page.muted);
  renderCall();
}

function onDisposition(event) {
  event.preventDefault();
  const wrap = page.wrap;
  if (!wrap) return;
  const form = $("disposition-form");
  const resolved = form.elements.resolved.value;
  const category = $("category").value;
  if (!resolved || !category) {
    form.reportValidity();
    return;
  }
  send({ type: "disposition", call: wrap.id, resolved: resolved === "yes", category, note: $("note").value.slice(0, 2000) });
}

function onReady() {
  send({ type: "presence", available: true });
}

function resetDispositionForm() {
  $("disposition-form").reset();
  fillCategories();
}

// --- pushes ----------------------------------------------------------------------------------------

function showTab(kind) {
  for (const tab of document.querySelectorAll("#pushes .tab")) tab.setAttribute("aria-selected", String(tab.dataset.tab === kind));
  for (const form of document.querySelectorAll("#pushes .push-form")) form.hidden = form.dataset.kind !== kind;
  $("push-sent").textContent = "";
}

function resetPushForms() {
  for (const form of document.querySelectorAll("#pushes .push-form")) form.reset();
  $("push-qr-error").hidden = true;
  $("push-sent").textContent = "";
  showTab("text");
}

function sendPush(message) {
  const call = page.call;
  if (!call || !message) return false;
  if (!call.media || !call.media.push(message)) {
    $("push-sent").textContent = page.t("agent.push.not_open");
    return false;
  }
  updateCall(call, { pushes: call.pushes + 1, lastKind: message.kind });
  $("push-sent").textContent = page.t("agent.push.sent");
  return true;
}

function onPushSubmit(event) {
  event.preventDefault();
  const form = event.target;
  const call = page.call;
  if (!call) return;
  let message = null;
  if (form.id === "push-text") {
    message = textPush(call.id, $("push-text-body").value);
  } else if (form.id === "push-qr") {
    message = qrPush(call.id, $("push-qr-url").value, $("push-qr-text").value);
    const error = $("push-qr-error");
    error.hidden = message !== null;
    error.textContent = message === null ? page.t("agent.push.qr.invalid") : "";
    if (message === null) return;
  } else if (form.id === "push-flight") {
    const fields = {};
    for (const input of form.querySelectorAll("input")) fields[input.name] = input.value;
    message = flightPush(call.id, fields);
  } else if (form.id === "push-map") {
    message = mapPush(call.id, page.maps[Number($("push-map-choice").value)]);
  }
  if (message && sendPush(message) && form.id === "push-text") form.reset();
}

// --- sign-in ---------------------------------------------------------------------------------------

// The session's card, null when signed out, undefined when central cannot be reached.
async function fetchSession() {
  try {
    const response = await fetch("/api/agent/session", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return null;
    if (!response.ok) return undefined;
    return await response.json();
  } catch {
    return undefined;
  }
}

async function fetchMaps() {
  try {
    const response = await fetch("/api/agent/maps", { credentials: "same-origin", cache: "no-store" });
    const maps = response.ok ? await response.json() : [];
    page.maps = Array.isArray(maps) ? maps.filter((m) => m && typeof m.url === "string") : [];
  } catch {
    page.maps = [];
  }
  fillMaps();
}

function signedIn(card) {
  page.card = card;
  clearNotice();
  fetchMaps();
  openSocket();
}

function signedOut(noticeKey) {
  page.card = null;
  page.state = "signed_out";
  page.wrap = null;
  dropRing();
  endCallMedia();
  if (page.socket) page.socket.close();
  page.socket = null;
  page.socketState = "closed";
  retry.cancel();
  if (noticeKey) showNotice(noticeKey);
  render();
  $("agent-id").focus();
}

async function onSignIn(event) {
  event.preventDefault();
  const error = $("signin-error");
  error.hidden = true;
  const submit = $("signin-submit");
  submit.disabled = true;
  try {
    const response = await fetch("/api/agent/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ agent_id: $("agent-id").value.trim(), password: $("password").value }),
    });
    $("password").value = "";
    if (response.ok) {
      signedIn(await response.json());
      return;
    }
    const code = response.status === 401 ? "sign_in_failed" : response.status === 429 ? "too_many_attempts" : "error";
    error.dataset.error = code;
    error.textContent = page.t({ sign_in_failed: "agent.signin.failed", too_many_attempts: "agent.signin.throttled" }[code] || "agent.signin.error");
    error.hidden = false;
  } catch {
    error.dataset.error = "error";
    error.textContent = page.t("agent.signin.error");
    error.hidden = false;
  } finally {
    submit.disabled = false;
  }
}

async function onSignOut() {
  try {
    const response = await fetch("/api/agent/logout", { method: "POST", credentials: "same-origin" });
    if (response.status === 409) {
      showNotice("agent.notice.on_call");
      return;
    }
  } catch {
    // central unreachable: the session ends by itself; forget it here
  }
  signedOut("agent.notice.signed_out");
}

// --- start -----------------------------------------------------------------------------------------

function tick() {
  renderClock(page.language);
  renderRingClock();
  renderCallClock();
  renderWrapClock();
}

onLanguageSwitch(page, applyLanguage);
$("signin-form").addEventListener("submit", onSignIn);
$("sign-out").addEventListener("click", onSignOut);
$("presence").addEventListener("click", onPresence);
$("accept").addEventListener("click", onAccept);
$("decline").addEventListener("click", onDecline);
$("hangup").addEventListener("click", onHangup);
$("mute").addEventListener("click", onMute);
$("disposition-form").addEventListener("submit", onDisposition);
$("ready").addEventListener("click", onReady);
for (const tab of document.querySelectorAll("#pushes .tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
for (const form of document.querySelectorAll("#pushes .push-form")) form.addEventListener("submit", onPushSubmit);

applyLanguage();
tick();
setInterval(tick, 250);
fetchSession().then((card) => {
  if (card) signedIn(card);
  else render();
});
