// The agent console: sign-in, presence, the ring, the call (video both ways, context, pushes) and the
// disposition. This module holds the switchboard's events and the agent's actions together; the other
// concerns have their own modules: agent-page.js (what the page knows), agent-render.js (what it shows),
// agent-socket.js (the socket to central), agent-ring.js (the ring tone and title), agent-signin.js
// (sign-in and out), agent-call.js (the call's media) and agent-push.js (what the agent sends the
// passenger); agent-monitor.js relays the call to a supervisor who monitors it. Events and messages are
// those of central/switchboard/console/.
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
//   #idle[data-kind]          connecting | away | available, or "" while a ring, call or wrap-up shows
//   #wrapup[data-call]        the call being wrapped up; #wrapup[data-saved] true once the disposition is in
//   #wrapup-left[data-left]   whole seconds of wrap-up left
//   #notice[data-reason]      the last notice: an error reason from the server, ring.timeout, replaced, …
//   #signin-error[data-error] sign_in_failed | too_many_attempts | error

import { CallMedia } from "./agent-call.js";
import { callEndedForMonitor, closeMonitorRelay, openMonitorRelay } from "./agent-monitor.js";
import { page } from "./agent-page.js";
import { flightPush, mapPush, qrPush, textPush } from "./agent-push.js";
import {
  applyLanguage,
  clearNotice,
  fillCategories,
  fillMaps,
  render,
  renderCall,
  renderClocks,
  resetDispositionForm,
  resetPushForms,
  showNotice,
  showTab,
} from "./agent-render.js";
import { startRinging, stopRinging } from "./agent-ring.js";
import { fetchMaps, fetchSession, signOut, wireSignInForm } from "./agent-signin.js";
import { ConsoleSocket } from "./agent-socket.js";
import { $, onLanguageSwitch, renderClock } from "./common.js";

const RING_CANCEL_REASONS = ["timeout", "declined", "caller_left"];
const END_REASONS = ["caller", "caller_lost", "failed", "agent"];

const socket = new ConsoleSocket({
  onState(state) {
    page.socketState = state;
    if (state === "connecting") page.state = "connecting";
    render();
  },
  onEvent,
  onClose(reason) {
    // the switchboard has ended whatever was going on: a ring went back to the queue, a call ended. Except
    // when central itself went away: the call is peer to peer and goes on, and a restarted central puts the
    // agent back on it (docs/faults.md); if the call did end, the state after reconnecting says so.
    dropRing();
    if (reason !== "lost") endCallMedia();
    if (reason !== "lost") {
      signedOut(`agent.notice.${reason}`);
    } else if (page.card) {
      page.state = "connecting";
      showNotice("agent.notice.lost");
      socket.reconnectLater(reconnect);
      render();
    }
  },
});

page.sendConsole = (message) => socket.send(message); // for the console's other modules (agent-transfer.js)

// After a dropped socket: still signed in? Then open a new one, else back to the form.
async function reconnect() {
  const card = await fetchSession();
  if (card === undefined) {
    socket.reconnectLater(reconnect);
    return;
  }
  if (card === null) {
    signedOut("agent.notice.session");
    return;
  }
  page.card = card;
  clearNotice();
  socket.open();
}

// --- events from the switchboard -------------------------------------------------------------------

function onEvent(event) {
  document.dispatchEvent(new CustomEvent("console-event", { detail: event })); // the other modules listen
  switch (event.type) {
    case "signed_in":
      page.categories = Array.isArray(event.categories) ? event.categories.map(String) : [];
      page.maxNoteChars = Number.isInteger(event.max_note_chars) ? event.max_note_chars : 0;
      fillCategories();
      break;
    case "state":
      onState(String(event.state));
      break;
    case "ring":
      page.ring = { ...event, receivedAt: Date.now() };
      clearNotice();
      startRinging();
      break;
    case "ring_cancelled":
      if (page.ring && page.ring.call === event.call) dropRing();
      showNotice(`agent.notice.ring.${RING_CANCEL_REASONS.includes(event.reason) ? event.reason : "declined"}`);
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
    case "caller_away": // the kiosk dropped off the bus; central keeps the call for grace_s (docs/calls.md)
      if (page.call && page.call.id === event.call) {
        showNotice("agent.notice.caller_away", Math.round(Number(event.grace_s) || 0));
      }
      break;
    case "caller_back":
      if (page.call && page.call.id === event.call) showNotice("agent.notice.caller_back");
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
  if ((state === "available" || state === "away") && page.call) endCallMedia(); // it ended while the socket was down
  if (state !== "ringing") dropRing();
  if (state !== "wrap_up" && page.wrap && page.wrap.saved) page.wrap = null;
}

function dropRing() {
  page.ring = null;
  stopRinging();
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
    socket.send({ type: "answer", call: call.id, sdp });
    if (call.mediaState === "answering") updateCall(call, { mediaState: "answered" });
  } catch (error) {
    updateCall(call, { mediaState: "failed" });
    socket.send({ type: "hangup", call: call.id });
  }
}

function onEnded(event) {
  const call = page.call;
  const reason = END_REASONS.includes(event.reason) ? event.reason : "failed";
  if (call && call.id === event.call) endCallMedia();
  if (page.notice && page.notice.key === "agent.notice.caller_away") clearNotice(); // the ending says it now
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
  callEndedForMonitor();
  if (page.call && page.call.media) page.call.media.close();
  page.call = null;
}

// --- the agent's actions ---------------------------------------------------------------------------

function onPresence() {
  socket.send({ type: "presence", available: $("presence").dataset.want === "available" });
}

function onAccept() {
  if (page.ring) socket.send({ type: "accept", call: page.ring.call });
  stopRinging();
}

function onDecline() {
  if (page.ring) socket.send({ type: "decline", call: page.ring.call });
  stopRinging();
}

function onHangup() {
  if (page.call) socket.send({ type: "hangup", call: page.call.id });
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
  // the field keeps to the switchboard's limit already; cutting again guards a page from before it said
  const note = page.maxNoteChars > 0 ? $("note").value.slice(0, page.maxNoteChars) : $("note").value;
  socket.send({ type: "disposition", call: wrap.id, resolved: resolved === "yes", category, note });
}

function onReady() {
  socket.send({ type: "presence", available: true });
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
page.sendPush = sendPush;

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

// --- signed in, signed out -------------------------------------------------------------------------

async function signedIn(card) {
  page.card = card;
  clearNotice();
  socket.open();
  openMonitorRelay();
  page.maps = await fetchMaps();
  fillMaps();
}

function signedOut(noticeKey) {
  page.card = null;
  page.state = "signed_out";
  page.wrap = null;
  dropRing();
  endCallMedia();
  socket.close();
  closeMonitorRelay();
  if (noticeKey) showNotice(noticeKey);
  render();
  $("agent-id").focus();
}

async function onSignOut() {
  if ((await signOut()) === "on_call") {
    showNotice("agent.notice.on_call");
    return;
  }
  signedOut("agent.notice.signed_out");
}

// --- start -----------------------------------------------------------------------------------------

function tick() {
  renderClock(page.language);
  renderClocks();
}

onLanguageSwitch(page, applyLanguage);
wireSignInForm(signedIn);
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
