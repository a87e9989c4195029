// Consultation in the agent console (docs/calls.md, "Consultation"): during a call the agent types a
// colleague's id and taps Consult; the passenger is held (this console stops sending them sound and
// picture and stops playing theirs) while the two consoles talk over their own peer connection, audio and
// video, signalled through the switchboard (`consult_signal`; the asking console offers, complete SDP, no
// trickle). Then Hand over (the colleague takes the call) or Take back. The colleague's console shows the
// consultation with the asking agent's name and note, and can Leave. Texts are kept here (en, zh-CN).
//
// For tests and tools:
//   #consult[hidden][data-role][data-state]   role consulting | consulted; state calling | talking | ended
//   #consult-video[data-frames]               pictures of the other console decoded (from getStats)
//   #consult-start, #consult-hand-over, #consult-take-back, #consult-leave

import { page } from "./agent-page.js";
import { render } from "./agent-render.js";
import { $ } from "./common.js";
import { gatheringComplete, videoFramesDecoded } from "./peer.js";

const STATS_EVERY_MS = 1000;

const TEXTS = {
  en: {
    start: "Consult first",
    title: "Consulting {name}",
    asked: "{name} asks you about their call",
    note: "Note: {note}",
    hand_over: "Hand over",
    take_back: "Take back",
    leave: "Leave",
    held: "The passenger is on hold and sees a message.",
  },
  "zh-CN": {
    start: "先咨询",
    title: "正在咨询 {name}",
    asked: "{name} 向您咨询其通话",
    note: "备注：{note}",
    hand_over: "转交",
    take_back: "接回",
    leave: "离开",
    held: "旅客处于等待中，屏幕上有提示。",
  },
};

function t(key, values = {}) {
  const texts = TEXTS[page.language] || TEXTS.en;
  return (texts[key] || TEXTS.en[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

let consult = null; // {call, role, name, note, pc, local, timer}

function element(tag, props = {}) {
  return Object.assign(document.createElement(tag), props);
}

function build() {
  const host = $("console");
  if (!host || $("consult")) return;
  const card = element("section", { className: "card consult", id: "consult", hidden: true });
  card.append(
    element("h2", { id: "consult-title" }),
    element("p", { id: "consult-note" }),
    element("video", { id: "consult-video", className: "consult-video", autoplay: true, playsInline: true }),
    element("p", { id: "consult-held", className: "push-sent" }),
    element("button", { type: "button", className: "btn btn-go", id: "consult-hand-over" }),
    element("button", { type: "button", className: "btn", id: "consult-take-back" }),
    element("button", { type: "button", className: "btn btn-stop", id: "consult-leave" }),
  );
  host.prepend(card); // in the page first: the lookups below find its parts by id
  $("consult-video").dataset.frames = "0";
  Object.assign($("consult-video").style, { width: "100%", maxHeight: "260px", background: "#000" });
  for (const id of ["consult-hand-over", "consult-take-back", "consult-leave"]) $(id).style.marginRight = "8px";
  const form = $("transfer-form");
  if (form) form.append(element("button", { type: "button", className: "btn", id: "consult-start" }));
  $("consult-start")?.addEventListener("click", onStart);
  $("consult-hand-over").addEventListener("click", () => send("hand_over"));
  $("consult-take-back").addEventListener("click", () => send("take_back"));
  $("consult-leave").addEventListener("click", () => send("consult_leave"));
  show();
}

function send(type) {
  if (consult && page.sendConsole) page.sendConsole({ type, call: consult.call });
}

function onStart() {
  const call = page.call;
  const agent = $("transfer-agent") ? $("transfer-agent").value.trim() : "";
  if (call && agent && page.sendConsole) page.sendConsole({ type: "consult", call: call.id, agent });
}

function show() {
  const card = $("consult");
  if (!card) return;
  if ($("consult-start")) $("consult-start").textContent = t("start");
  card.hidden = consult === null;
  if (!consult) return;
  card.dataset.role = consult.role;
  card.dataset.state = consult.state;
  const asking = consult.role === "consulting";
  $("consult-title").textContent = asking ? t("title", { name: consult.name }) : t("asked", { name: consult.name });
  $("consult-note").textContent = consult.note ? t("note", { note: consult.note }) : "";
  $("consult-held").textContent = asking ? t("held") : "";
  $("consult-hand-over").textContent = t("hand_over");
  $("consult-take-back").textContent = t("take_back");
  $("consult-leave").textContent = t("leave");
  $("consult-hand-over").hidden = !asking;
  $("consult-take-back").hidden = !asking;
  $("consult-leave").hidden = asking;
}

// The passenger is held: nothing of the consultation reaches them, nothing of theirs is played here.
function holdCaller(held) {
  const call = page.call;
  if (call && call.media && call.media.local) {
    for (const track of call.media.local.getTracks()) track.enabled = !held && !(track.kind === "audio" && page.muted);
  }
  if ($("remote-video")) $("remote-video").muted = held;
}

async function connection(current) {
  const pc = new RTCPeerConnection({ iceServers: page.card ? page.card.ice_servers || [] : [] });
  current.pc = pc;
  try {
    current.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const track of current.local.getTracks()) pc.addTrack(track, current.local);
  } catch {
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.addTransceiver("video", { direction: "recvonly" });
  }
  pc.addEventListener("track", (event) => {
    $("consult-video").srcObject = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
  });
  pc.addEventListener("connectionstatechange", () => {
    if (pc.connectionState === "connected" && consult === current) {
      current.state = "talking";
      show();
    }
  });
  current.timer = setInterval(async () => {
    let frames = 0;
    try {
      frames = await videoFramesDecoded(pc);
    } catch {
      return;
    }
    $("consult-video").dataset.frames = String(frames);
  }, STATS_EVERY_MS);
  return pc;
}

async function offer(current) {
  const pc = await connection(current);
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  if (consult === current) page.sendConsole({ type: "consult_signal", call: current.call, kind: "offer", sdp: pc.localDescription.sdp });
}

async function onSignal(event) {
  const current = consult;
  if (!current || current.call !== event.call || typeof event.sdp !== "string") return;
  if (event.kind === "offer" && current.role === "consulted") {
    const pc = await connection(current);
    await pc.setRemoteDescription({ type: "offer", sdp: event.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringComplete(pc);
    if (consult === current) page.sendConsole({ type: "consult_signal", call: current.call, kind: "answer", sdp: pc.localDescription.sdp });
  } else if (event.kind === "answer" && current.pc) {
    await current.pc.setRemoteDescription({ type: "answer", sdp: event.sdp });
  }
}

function close() {
  const current = consult;
  consult = null;
  if (!current) return;
  clearInterval(current.timer);
  if (current.pc) current.pc.close();
  if (current.local) for (const track of current.local.getTracks()) track.stop();
  $("consult-video").srcObject = null;
  $("consult-video").dataset.frames = "0";
}

function onConsult(event) {
  close();
  consult = {
    call: String(event.call),
    role: event.role === "consulting" ? "consulting" : "consulted",
    name: String(event.name || event.agent || "").slice(0, 200),
    note: typeof event.handed_note === "string" ? event.handed_note.slice(0, 2000) : "",
    state: "calling",
    pc: null,
    local: null,
    timer: null,
  };
  if (consult.role === "consulting") {
    holdCaller(true);
    offer(consult);
  }
  show();
}

function onEnded(event) {
  if (!consult || consult.call !== event.call) return;
  const asking = consult.role === "consulting";
  close();
  show();
  if (!asking) return;
  if (event.reason === "handed_over") {
    // the colleague has the call now: this console's part is over, as after a transfer
    const call = page.call;
    if (call && call.id === event.call && call.media) call.media.close();
    if (call && call.id === event.call) page.call = null;
    page.wrap = { id: String(event.call), untilMs: null, saved: true, reason: "" };
    render();
  } else {
    holdCaller(false);
  }
}

function onConsoleEvent(event) {
  if (event.type === "consult") onConsult(event);
  else if (event.type === "consult_signal") onSignal(event);
  else if (event.type === "consult_ended") onEnded(event);
  else if (event.type === "ended" && consult && consult.call === event.call) onEnded({ call: event.call, reason: "call_ended" });
}

build();
document.addEventListener("console-event", (event) => onConsoleEvent(event.detail));
new MutationObserver(show).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
