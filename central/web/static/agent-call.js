// The media side of one call in the agent console: camera and microphone, the peer connection that
// answers the caller's offer (no trickle ICE: the answer waits until every candidate is gathered), the
// remote picture, the caller's `help` data channel, and a frame counter read from getStats.
//
// The kiosk's data channel messages are JSON objects with a `type`: "context" (what the passenger looks
// at), "quality" (what the kiosk sends and why: agent-quality.js shows it), "picture" (the most the kiosk
// can decode now: applied to this console's camera). An object without a type is a context, as older kiosks
// send it.

import { applyPictureRequest, clearQuality, showQuality } from "./agent-quality.js";
import { gatheringComplete, videoFramesDecoded } from "./peer.js";

const STATS_EVERY_MS = 1000;

export class CallMedia {
  // hooks: onState(state), onChannel(readyState), onContext(object), onFrames(count)
  constructor({ iceServers, remoteVideo, selfVideo, hooks }) {
    this.iceServers = Array.isArray(iceServers) ? iceServers : [];
    this.remoteVideo = remoteVideo;
    this.selfVideo = selfVideo;
    this.hooks = hooks;
    this.local = null;
    this.localError = null;
    this.pc = null;
    this.channel = null;
    this.frames = 0;
    this.statsTimer = null;
    this.closed = false;
  }

  // Camera and microphone; a failure is remembered, not thrown: the call goes on receive-only.
  async start() {
    try {
      this.local = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      if (this.closed) {
        this.stopLocal();
        return;
      }
      this.selfVideo.srcObject = this.local;
    } catch (error) {
      this.localError = error;
    }
  }

  // The caller's offer in, our complete answer (SDP text) out.
  async answer(offerSdp) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    pc.addEventListener("connectionstatechange", () => this.hooks.onState(pc.connectionState));
    pc.addEventListener("track", (event) => {
      const stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      if (event.track.kind === "video" || !this.remoteVideo.srcObject) this.remoteVideo.srcObject = stream;
    });
    pc.addEventListener("datachannel", (event) => this.takeChannel(event.channel));
    await pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    if (this.local) for (const track of this.local.getTracks()) pc.addTrack(track, this.local);
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringComplete(pc);
    this.statsTimer = setInterval(() => this.readStats(), STATS_EVERY_MS);
    return pc.localDescription.sdp;
  }

  takeChannel(channel) {
    if (channel.label !== "help") return;
    this.channel = channel;
    const report = () => this.hooks.onChannel(channel.readyState);
    channel.addEventListener("open", report);
    channel.addEventListener("close", report);
    channel.addEventListener("message", (event) => {
      if (typeof event.data !== "string" || event.data.length > 16384) return;
      try {
        const data = JSON.parse(event.data);
        if (data && typeof data === "object" && !Array.isArray(data)) this.takeMessage(data);
      } catch {
        // not JSON: the kiosk only ever sends JSON objects, ignore anything else
      }
    });
    report();
  }

  takeMessage(data) {
    if (data.type === "quality") showQuality(data);
    else if (data.type === "picture") applyPictureRequest(this.pc, data);
    else if (data.type === undefined || data.type === "context") this.hooks.onContext(data);
  }

  // A push in the shape of the bus Push model; false when the channel is not open.
  push(message) {
    if (!this.channel || this.channel.readyState !== "open") return false;
    this.channel.send(JSON.stringify(message));
    return true;
  }

  setMuted(muted) {
    if (!this.local) return;
    for (const track of this.local.getAudioTracks()) track.enabled = !muted;
  }

  async readStats() {
    if (!this.pc || this.closed) return;
    try {
      const frames = await videoFramesDecoded(this.pc);
      if (frames !== this.frames) {
        this.frames = frames;
        this.hooks.onFrames(frames);
      }
    } catch {
      // the connection closed between the check and the call
    }
  }

  stopLocal() {
    if (this.local) for (const track of this.local.getTracks()) track.stop();
    this.local = null;
  }

  close() {
    this.closed = true;
    clearInterval(this.statsTimer);
    if (this.channel) this.channel.close();
    if (this.pc) this.pc.close();
    this.stopLocal();
    this.remoteVideo.srcObject = null;
    this.selfVideo.srcObject = null;
    clearQuality();
  }
}
