// The ring, for ears and for eyes elsewhere: a short two-tone chirp every 1.2 s, and the tab's title
// saying "Incoming call", for an agent who is looking at another window.

let tone = null; // {context, timer}
let ringing = false;
let titles = { quiet: document.title, ringing: document.title };

function showTitle() {
  document.title = ringing ? titles.ringing : titles.quiet;
}

function chirp(context) {
  for (const [frequency, at] of [[880, 0], [660, 0.18]]) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.15;
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(context.currentTime + at);
    oscillator.stop(context.currentTime + at + 0.15);
  }
}

// The tab's title when nothing rings, and while a call rings (in the page's language).
export function setTitles(quiet, whileRinging) {
  titles = { quiet, ringing: `● ${whileRinging}` };
  showTitle();
}

export function startRinging() {
  stopRinging();
  ringing = true;
  showTitle();
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  let context;
  try {
    context = new Context();
  } catch {
    return;
  }
  chirp(context);
  tone = { context, timer: setInterval(() => chirp(context), 1200) };
}

export function stopRinging() {
  ringing = false;
  showTitle();
  if (!tone) return;
  clearInterval(tone.timer);
  tone.context.close().catch(() => {});
  tone = null;
}
