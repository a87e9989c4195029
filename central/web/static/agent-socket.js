// The console's socket to the switchboard, /api/agent/ws: one JSON object per text frame each way
// (central/switchboard/console/). It says why it closed; a socket that drops is opened again by the
// caller of reconnectLater, with a growing pause.

import { Backoff } from "./common.js";

const SOCKET_PATH = "/api/agent/ws";
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15000;

// What a close code means for the page.
export const CLOSED = {
  4401: "session", // no live session: sign in again
  4000: "signed_out", // the agent signed out (or the session expired)
  4409: "replaced", // the same agent signed in on another console
};

export class ConsoleSocket {
  // hooks: onState(closed | connecting | open), onEvent(object), onClose(reason: session | signed_out |
  // replaced | lost)
  constructor(hooks) {
    this.hooks = hooks;
    this.socket = null;
    this.retry = new Backoff(RETRY_MIN_MS, RETRY_MAX_MS);
  }

  open() {
    this.retry.cancel();
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${SOCKET_PATH}`);
    this.socket = socket;
    this.hooks.onState("connecting");
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.retry.reset();
      this.hooks.onState("open");
    });
    socket.addEventListener("message", (event) => {
      if (socket !== this.socket || typeof event.data !== "string") return;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data && typeof data === "object" && typeof data.type === "string") this.hooks.onEvent(data);
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.hooks.onState("closed");
      this.hooks.onClose(CLOSED[event.code] || "lost");
    });
  }

  // Whether the message went out (false while the socket is not open).
  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // Close on purpose: no close hook follows.
  close() {
    this.retry.cancel();
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
    this.hooks.onState("closed");
  }

  reconnectLater(attempt) {
    this.retry.schedule(attempt);
  }
}
