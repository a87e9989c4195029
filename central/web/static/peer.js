// What the pages' peer connections share: the wait for ICE gathering (no trickle ICE anywhere: every
// offer and answer goes out complete, as aiortc expects) and counting what getStats says was received.

// aiortc and the other browser wait for one complete description: send what there is after this.
export const GATHER_TIMEOUT_MS = 5000;

// Resolves when pc has gathered all its candidates, or after timeoutMs with what it has by then.
export function gatheringComplete(pc, timeoutMs = GATHER_TIMEOUT_MS) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

// The inbound-rtp reports of pc for one kind of media ("audio" | "video"). Rejects when pc has closed.
export async function inboundReports(pc, kind) {
  const reports = [];
  (await pc.getStats()).forEach((report) => {
    if (report.type === "inbound-rtp" && report.kind === kind) reports.push(report);
  });
  return reports;
}

// Video frames decoded on pc so far, over all its incoming pictures. Rejects when pc has closed.
export async function videoFramesDecoded(pc) {
  let frames = 0;
  for (const report of await inboundReports(pc, "video")) frames += report.framesDecoded || 0;
  return frames;
}
