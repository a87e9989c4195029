// The agent's side of supervisor monitoring. When a supervisor monitors this agent's call, this page
// opens a second peer connection, to the supervisor's browser, and sends on it what it already has: the
// passenger's video and sound as received from the kiosk, and the agent's own camera and microphone. The
// kiosk sends nothing more and never learns of it. In whisper the supervisor's microphone comes back on
// that connection and is played here only: it is never added to the call with the passenger.
// Signalling goes over its own socket to central, /api/agent/monitor/ws (central/web/monitor.py).
//
// For tests and tools, #monitor-relay (hidden) carries:
//   [data-state]            none | starting | offered | then the connection's connectionState
//   [data-mode]             silent | whisper ("" when none)
//   [data-whisper-packets]  audio packets received from the supervisor
//   [data-whisper-energy]   their totalAudioEnergy (0 when silent)
//   [data-passenger-hears]  tracks the call with the passenger sends that are not the agent's own (always 0)
// and #monitored (in the call's controls) shows while the setting asks for the mark, or in whisper.

import { page } from "./agent-page.js";
import { $, Backoff, openJsonSocket } from "./common.js";
import { gatheringComplete, inboundReports } from "./peer.js";

const SOCKET_PATH = "/api/agent/monitor/ws";
const STATS_EVERY_MS = 1000;
const TEXTS = {
  en: { monitored: "Monitored", whisper: "Supervisor speaking (only you hear)" },
  "zh-CN": { monitored: "主管监听中", whisper: "主管正在对您说话（旅客听不到）" },
};

const status = document.createElement("span");
status.id = "monitor-relay";
status.hidden = true;
document.body.append(status);

const mark = document.createElement("span");
mark.id = "monitored";
mark.className = "monitored-mark";
mark.hidden = true;
// small and quiet: a mark for the agent, not an alarm (styled here to keep to this module)
Object.assign(mark.style, {
  fontSize: "0.85rem", fontWeight: "700", padding: "0.15rem 0.6rem", borderRadius: "1rem",
  border: "1px solid var(--muted)", color: "var(--muted)", whiteSpace: "nowrap",
});
const controls = document.querySelector(".call-controls");
if (controls) controls.prepend(mark);

let socket = null;
let wanted = false;
const retry = new Backoff(1000, 15000);
let session = null; // {id, mode, indicator, pc, player, timer}

function text(key) {
  return (TEXTS[page.language] || TEXTS.en)[key];
}

function render() {
  const s = session;
  status.dataset.state = s ? s.state : "none";
  status.dataset.mode = s ? s.mode : "";
  const show = Boolean(s) && (s.indicator || s.mode === "whisper");
  mark.hidden = !show;
  mark.dataset.mode = s ? s.mode : "";
  mark.textContent = show ? text(s.mode === "whisper" ? "whisper" : "monitored") : "";
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

// --- the socket --------------------------------------------------------------------------------------

function connect() {
  if (!wanted || socket) return;
  socket = openJsonSocket(SOCKET_PATH, {
    onOpen: () => retry.reset(),
    onMessage: (ws, message) => {
      if (ws === socket) onMessage(message);
    },
    onClose: (ws) => {
      if (ws !== socket) return;
      socket = null;
      stop(); // central ended the monitoring with the socket
      if (wanted) retry.schedule(connect);
    },
  });
}

export function openMonitorRelay() {
  wanted = true;
  connect();
}

export function closeMonitorRelay() {
  wanted = false;
  retry.cancel();
  stop();
  const ws = socket;
  socket = null;
  if (ws) ws.close();
}

// The call with the passenger ended: whatever was relayed ends with it (central tells the supervisor).
export function callEndedForMonitor() {
  stop();
}

function onMessage(message) {
  switch (message.type) {
    case "start":
      start(message);
      break;
    case "answer":
      if (session && session.id === message.monitor && typeof message.sdp === "string") answer(session, message.sdp);
      break;
    case "mode":
      if (session && session.id === message.monitor) {
        session.mode = message.mode === "whisper" ? "whisper" : "silent";
        applyMode(session);
      }
      break;
    case "stop":
      if (session && session.id === message.monitor) stop();
      break;
    default:
      break;
  }
  $("lang-switch").addEventListener("click", () => setTimeout(render, 0)); // after the page switched language
render();
}

// --- the relay ---------------------------------------------------------------------------------------

async function start(message) {
  stop();
  const call = page.call;
  const callPc = call && call.media ? call.media.pc : null;
  if (!call || call.id !== message.call || !callPc) {
    send({ type: "stopped", monitor: message.monitor, reason: "no_call" });
    return;
  }
  const pc = new RTCPeerConnection({ iceServers: page.card ? page.card.ice_servers : [] });
  const player = new Audio();
  player.autoplay = true;
  const s = {
    id: String(message.monitor),
    mode: message.mode === "whisper" ? "whisper" : "silent",
    indicator: message.indicator === true,
    state: "starting",
    pc,
    player,
    callPc,
    local: call.media.local,
    timer: null,
  };
  session = s;
  applyMode(s);
  $("lang-switch").addEventListener("click", () => setTimeout(render, 0)); // after the page switched language
render();
  const roles = [];
  const relayTrack = (track, role) => {
    if (track) roles.push([pc.addTransceiver(track, { direction: "sendonly" }), role]);
  };
  const received = callPc.getReceivers().map((receiver) => receiver.track).filter(Boolean);
  relayTrack(received.find((track) => track.kind === "video"), "passenger_video");
  relayTrack(received.find((track) => track.kind === "audio"), "passenger_audio");
  if (s.local) {
    relayTrack(s.local.getVideoTracks()[0], "agent_video");
    relayTrack(s.local.getAudioTracks()[0], "agent_audio");
  }
  roles.push([pc.addTransceiver("audio", { direction: "recvonly" }), "whisper"]);
  pc.addEventListener("track", (event) => {
    if (event.track.kind !== "audio") return;
    player.srcObject = new MediaStream([event.track]);
    player.play().catch(() => {}); // autoplay may wait for a click on the page; the mark still shows
  });
  pc.addEventListener("connectionstatechange", () => {
    if (session !== s) return;
    s.state = pc.connectionState;
    if (pc.connectionState === "failed") {
      send({ type: "stopped", monitor: s.id, reason: "media_failed" });
      stop();
    }
    $("lang-switch").addEventListener("click", () => setTimeout(render, 0)); // after the page switched language
render();
  });
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringComplete(pc);
  } catch {
    send({ type: "stopped", monitor: s.id, reason: "media_failed" });
    if (session === s) stop();
    return;
  }
  if (session !== s) return;
  const tracks = {};
  for (const [transceiver, role] of roles) if (transceiver.mid !== null) tracks[transceiver.mid] = role;
  send({ type: "offer", monitor: s.id, sdp: pc.localDescription.sdp, tracks });
  s.state = "offered";
  s.timer = setInterval(() => readStats(s), STATS_EVERY_MS);
  $("lang-switch").addEventListener("click", () => setTimeout(render, 0)); // after the page switched language
render();
}

async function answer(s, sdp) {
  try {
    await s.pc.setRemoteDescription({ type: "answer", sdp });
  } catch {
    send({ type: "stopped", monitor: s.id, reason: "media_failed" });
    if (session === s) stop();
    $("lang-switch").addEventListener("click", () => setTimeout(render, 0)); // after the page switched language
render();
  }
}

// The supervisor's voice is heard only in whisper; silent keeps the player muted even if sound arrives.
function applyMode(s) {
  s.player.muted = s.mode !== "whisper";
}

async function readStats(s) {
  if (session !== s) return;
  let packets = 0;
  let energy = 0;
  try {
    for (const report of await inboundReports(s.pc, "audio")) {
      packets += report.packetsReceived || 0;
      energy += report.totalAudioEnergy || 0;
    }
  } catch {
    return;
  }
  const own = new Set(s.local ? s.local.getTracks().map((track) => track.id) : []);
  const foreign = s.callPc.getSenders().filter((sender) => sender.track && !own.has(sender.track.id)).length;
  status.dataset.whisperPackets = String(packets);
  status.dataset.whisperEnergy = String(energy);
  status.dataset.passengerHears = String(foreign);
}

function stop() {
  const s = session;
  if (!s) return;
  session = null;
  clearInterval(s.timer);
  s.player.srcObject = null;
  s.pc.close(); // the relayed tracks are the call's and the camera's: they go on, only this connection ends
  $("lang-switch").addEventListener("click", () => setTimeout(render, 0)); // after the page switched language
render();
}

$("lang-switch").addEventListener("click", () => setTimeout(render, 0)); // after the page switched language
render();
