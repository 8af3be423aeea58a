// ChatTTS Edge playground: opens GET /v1/tts/stream with EventSource and plays every `audio`
// event (a complete WAV file) back to back with the Web Audio API. No dependencies, no build.
// Loaded as a module, so strict mode is on and nothing leaks to the global scope except the
// `window.playground` test hook below.

const LEAD_S = 0.08; // head start for the first chunk, and again after an underrun
const MAX_RECONNECTS = 3; // EventSource retries after a mid-stream blip before giving up
const MAX_LOG = 100;

// [query parameter, element id]; empty fields are left out of the URL.
const FIELDS = [
  ["text", "text"], ["voice", "voice"], ["seed", "seed"], ["chunk_ms", "chunk-ms"],
  ["temperature", "temperature"], ["top_p", "top-p"], ["top_k", "top-k"], ["speed", "speed"],
  ["api_key", "api-key"],
];

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("tts-form"), text: $("text"), textCount: $("text-count"), stop: $("stop"),
  state: $("status-state"), detail: $("status-detail"), ttfa: $("status-ttfa"),
  serverTtfa: $("status-server-ttfa"), chunks: $("status-chunks"), duration: $("status-duration"),
  backend: $("status-backend"), requestId: $("status-request-id"), replay: $("status-replay"), log: $("log"),
  split: $("split"), transcript: $("transcript"), transcriptPanel: $("transcript-panel"),
};

// Hook for automated browser tests; mutated in place, reset on every Play.
const pg = {
  state: "idle", chunks: 0, decodedChunks: 0, scheduledSeconds: 0, errors: [],
  ttfaMs: null, lastDone: null, requestId: null, receivedSeconds: 0, underruns: 0,
  segments: [], heard: [], currentSegment: null, reconnects: 0, resumedAt: null, played: [],
  // The PCM of every chunk scheduled, in order, as base64 (for tests: it equals the backend's when nothing is lost or repeated).
  playedPcmBase64() {
    const total = pg.played.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const chunk of pg.played) { all.set(chunk, at); at += chunk.length; }
    let bin = "";
    for (let i = 0; i < all.length; i += 0x8000) bin += String.fromCharCode(...all.subarray(i, i + 0x8000));
    return btoa(bin);
  },
};
window.playground = pg;

let audioCtx = null;
let session = null; // the stream started by the latest Play; null after Stop

// ---- UI helpers -------------------------------------------------------------------------

function setState(state, label = state) {
  pg.state = state;
  document.body.dataset.state = state;
  ui.state.value = label;
}

function setDetail(text) {
  ui.detail.textContent = text ?? "";
  ui.detail.hidden = !text;
}

function render() {
  const done = pg.lastDone;
  ui.ttfa.textContent = pg.ttfaMs == null ? "–" : `${pg.ttfaMs} ms`;
  ui.serverTtfa.textContent = done?.ttfa_ms == null ? "–" : `${done.ttfa_ms} ms`;
  ui.chunks.textContent = String(pg.chunks);
  ui.duration.textContent = `${pg.receivedSeconds.toFixed(2)} s`;
  ui.backend.textContent = done?.backend ?? "–";
  ui.requestId.textContent = pg.requestId ?? "–";
  ui.replay.hidden = done?.cached !== true;
}

function updateButtons() {
  const s = session;
  ui.stop.disabled = !s || (s.closed && s.sources.size === 0);
}

let logStart = performance.now();
function log(message) {
  const item = document.createElement("li");
  const ms = Math.round(performance.now() - logStart);
  item.textContent = `+${String(ms).padStart(5)} ms  ${message}`;
  ui.log.append(item);
  while (ui.log.childElementCount > MAX_LOG) ui.log.firstElementChild.remove();
}

function recordError(message) {
  pg.errors.push(message);
  log(`error: ${message}`);
}

function fail(s, message, detail = "") {
  if (session !== s) return;
  closeStream(s);
  recordError(detail ? `${message} — ${detail}` : message);
  setState("error", `error: ${message}`);
  setDetail(detail);
  updateButtons();
}

function updateTextCount() {
  const n = [...ui.text.value].length;
  ui.textCount.textContent = `${n} character${n === 1 ? "" : "s"}`;
  ui.text.setCustomValidity(ui.text.value.trim() ? "" : "Enter some text to speak.");
}

// ---- Request ------------------------------------------------------------------------------

function buildParams() {
  const params = new URLSearchParams();
  for (const [name, id] of FIELDS) {
    const value = $(id).value.trim();
    if (value !== "") params.set(name, value);
  }
  if (!ui.split.checked) params.set("split", "false");
  return params;
}

function describe(params) {
  const shown = [...params].filter(([k]) => k !== "text" && k !== "api_key");
  const extra = shown.map(([k, v]) => `${k}=${v}`).join(" ");
  return `${[...params.get("text") ?? ""].length} chars${extra ? `, ${extra}` : ""}` +
    (params.has("api_key") ? ", with api_key" : "");
}

function ensureAudioContext() {
  if (!audioCtx) {
    try {
      // Same rate as the stream, so decodeAudioData never resamples chunk by chunk.
      audioCtx = new AudioContext({ sampleRate: 24000, latencyHint: "interactive" });
    } catch {
      audioCtx = new AudioContext();
    }
  }
  if (audioCtx.state !== "running") {
    audioCtx.resume().catch((err) => log(`audio: cannot resume (${err.message})`));
  }
  return audioCtx;
}

// Must run synchronously inside the click/submit handler (autoplay policy).
function play() {
  stop();
  ensureAudioContext();
  Object.assign(pg, {
    chunks: 0, decodedChunks: 0, scheduledSeconds: 0, errors: [], ttfaMs: null,
    lastDone: null, requestId: null, receivedSeconds: 0, underruns: 0,
    segments: [], heard: [], currentSegment: null, reconnects: 0, resumedAt: null, played: [],
  });
  ui.log.replaceChildren();
  ui.transcript.replaceChildren();
  ui.transcriptPanel.hidden = true;
  logStart = performance.now();

  const params = buildParams();
  const url = new URL(`v1/tts/stream?${params}`, document.baseURI).href;
  const s = {
    url, es: new EventSource(url), startedAt: performance.now(), closed: false,
    nextSeq: 0, nextStartTime: 0, chain: Promise.resolve(), sources: new Set(), reconnects: 0,
    nextSegment: null, timers: new Set(),
  };
  session = s;
  log(`GET v1/tts/stream (${describe(params)})`);
  setState("connecting");
  setDetail("");
  render();
  updateButtons();

  // Every named event carries JSON; handlers run only while this stream is the current one.
  const on = (type, handler) => s.es.addEventListener(type, (e) => {
    if (session !== s) return;
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      fail(s, `malformed ${type} event`);
      return;
    }
    handler(data);
    render();
  });

  on("queued", (d) => {
    const wait = d.estimated_wait_ms ? ` (~${(d.estimated_wait_ms / 1000).toFixed(1)} s)` : "";
    setState("queued", `queued #${d.position}${wait}`);
    log(`queued at position ${d.position}${wait}`);
  });

  on("meta", (d) => {
    pg.requestId = d.request_id ?? null;
    if (d.resumed_from) {
      // The edge continues the stream after the last chunk we had (EventSource sent its id as Last-Event-ID).
      pg.resumedAt = pg.receivedSeconds;
      setState("streaming", `resumed at ${pg.receivedSeconds.toFixed(1)} s`);
      log(`resumed at ${pg.receivedSeconds.toFixed(1)} s (after ${d.resumed_from})`);
      return;
    }
    setState("streaming");
    if (s.reconnects > 0 || pg.chunks > 0) log("the stream starts over: chunks already played are skipped");
    log(`meta: ${d.sample_rate} Hz, ${d.channels} ch, ${d.bits_per_sample}-bit ${d.format}`);
  });

  // A long text split by sentence: each segment's audio follows its `segment` event.
  on("segment", (d) => {
    if (pg.segments.some((x) => x.index === d.index)) return; // replayed after a reconnect
    pg.segments.push(d);
    s.nextSegment = d;
    const item = document.createElement("li");
    item.dataset.index = String(d.index);
    item.textContent = d.text;
    ui.transcript.append(item);
    ui.transcriptPanel.hidden = false;
    log(`segment ${d.index} at ${(d.offset_ms / 1000).toFixed(2)} s: ${[...d.text].length} chars from ${d.start}`);
  });

  on("audio", (d) => {
    if (d.seq < s.nextSeq) return; // replayed after a reconnect
    if (s.nextSegment) {
      d.segment = s.nextSegment; // its first chunk: highlight the segment when this chunk starts playing
      s.nextSegment = null;
    }
    if (d.seq !== s.nextSeq) recordError(`missing chunks ${s.nextSeq}–${d.seq - 1}`);
    s.nextSeq = d.seq + 1;
    s.reconnects = 0;
    if (pg.chunks === 0) {
      pg.ttfaMs = Math.round(performance.now() - s.startedAt);
      log(`first audio after ${pg.ttfaMs} ms`);
    }
    pg.chunks += 1;
    pg.receivedSeconds += (d.duration_ms ?? 0) / 1000;
    if (pg.state !== "streaming") setState("streaming", pg.resumedAt == null ? "streaming" : `resumed at ${pg.resumedAt.toFixed(1)} s`);
    enqueueChunk(s, d);
  });

  on("done", (d) => {
    closeStream(s);
    pg.lastDone = d;
    if (d.chunks != null && d.chunks !== pg.chunks) {
      recordError(`done reports ${d.chunks} chunks, received ${pg.chunks}`);
    }
    log(`done: ${d.chunks} chunks, ${d.duration_ms} ms audio, server ttfa ${d.ttfa_ms} ms, backend ${d.backend}` +
      (d.segments ? `, ${d.segments} segments` : "") + (d.cached ? ", replayed from the cache" : ""));
    // Report "done" once every received chunk has been decoded and scheduled.
    s.chain.then(() => {
      if (session !== s) return;
      setState("done");
      updateButtons();
    });
  });

  // "error" is both the server's named event (has data) and EventSource's own failure signal.
  s.es.addEventListener("error", (e) => {
    if (session !== s) return;
    if (typeof e.data === "string") {
      let d = {};
      try { d = JSON.parse(e.data); } catch { /* keep the raw text below */ }
      const parts = [d.code, d.retryable ? "retryable" : null,
        d.last_seq != null ? `after chunk ${d.last_seq}` : null].filter(Boolean);
      fail(s, d.message || d.code || e.data || "stream failed", parts.join(", "));
    } else if (s.es.readyState === EventSource.CONNECTING) {
      // Network blip: the browser reconnects by itself (after the stream's `retry:`) and sends the last chunk's id as
      // Last-Event-ID; the edge resumes after it (meta.resumed_from), or starts over when it cannot, and then the page
      // skips the seqs it already has. Scheduling goes on after the last sample scheduled either way.
      s.reconnects += 1;
      pg.reconnects += 1;
      setState("reconnecting", "reconnecting…");
      log(`connection lost, reconnecting (${s.reconnects}/${MAX_RECONNECTS})`);
      if (s.reconnects > MAX_RECONNECTS) {
        fail(s, pg.chunks ? "connection lost" : "cannot reach the server",
          `gave up after ${MAX_RECONNECTS} reconnects`);
      }
    } else {
      // CLOSED: the server answered with an HTTP error or a non-SSE response.
      closeStream(s);
      explainFailure(s);
    }
  });
}

// EventSource hides the HTTP status and body; ask once more with fetch to show the problem.
async function explainFailure(s) {
  const abort = new AbortController();
  let message;
  let detail = "";
  try {
    const res = await fetch(s.url, {
      headers: { Accept: "application/problem+json, application/json, text/event-stream;q=0.5" },
      cache: "no-store", signal: abort.signal,
    });
    const type = res.headers.get("content-type") ?? "";
    if (res.ok) {
      abort.abort(); // do not start a second synthesis
      message = type.includes("text/event-stream")
        ? "the stream closed unexpectedly; try again"
        : `unexpected response (${res.status} ${type || "no content type"})`;
    } else {
      const body = await res.text();
      let problem = null;
      if (type.includes("json")) {
        try { problem = JSON.parse(body); } catch { /* not JSON after all */ }
      }
      message = problem?.title || res.statusText || "request failed";
      detail = `HTTP ${res.status}` + (problem?.detail ? ` — ${problem.detail}` :
        !problem && body ? ` — ${body.slice(0, 200)}` : "");
      const retryAfter = res.headers.get("retry-after");
      if (retryAfter) detail += ` (retry after ${retryAfter} s)`;
    }
  } catch (err) {
    message = "cannot reach the server";
    detail = err.message;
  }
  fail(s, message, detail);
}

// ---- Audio --------------------------------------------------------------------------------

function base64ToArrayBuffer(b64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64).buffer;
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

// Decodes run in parallel; scheduling is chained, so chunks play strictly in seq order.
function enqueueChunk(s, d) {
  let decoding;
  let pcm = null;
  try {
    const wav = base64ToArrayBuffer(d.audio);
    pcm = new Uint8Array(wav.slice(44)); // decodeAudioData takes the buffer over
    decoding = audioCtx.decodeAudioData(wav);
  } catch (err) {
    decoding = Promise.reject(err);
  }
  decoding.catch(() => {}); // handled in order below
  s.chain = s.chain.then(() => decoding).then(
    (buffer) => {
      if (session !== s) return;
      pg.decodedChunks += 1;
      pg.played.push(pcm);
      schedule(s, buffer, d.segment);
      updateButtons();
    },
    (err) => {
      if (session === s) recordError(`chunk ${d.seq}: cannot decode (${err?.message ?? err})`);
    });
}

// Marks segment `index` as the one being heard once the audio clock reaches `at` (its first chunk's start).
function highlightAt(s, index, at) {
  const timer = setTimeout(() => {
    s.timers.delete(timer);
    if (session !== s) return;
    for (const item of ui.transcript.children) {
      const i = Number(item.dataset.index);
      item.classList.toggle("current", i === index);
      item.classList.toggle("heard", i < index);
      if (i === index) item.setAttribute("aria-current", "true"); else item.removeAttribute("aria-current");
    }
    pg.currentSegment = index;
    pg.heard.push(index);
  }, Math.max(0, (at - audioCtx.currentTime) * 1000));
  s.timers.add(timer);
}

function schedule(s, buffer, segment) {
  const now = audioCtx.currentTime;
  if (s.nextStartTime < now) {
    if (s.nextStartTime > 0) {
      pg.underruns += 1;
      log(`underrun: restarting the schedule ${LEAD_S * 1000} ms ahead`);
    }
    s.nextStartTime = now + LEAD_S;
  }
  const source = new AudioBufferSourceNode(audioCtx, { buffer });
  source.connect(audioCtx.destination);
  source.onended = () => {
    s.sources.delete(source);
    source.disconnect();
    if (s.closed && s.sources.size === 0 && session === s) log("playback finished");
    updateButtons();
  };
  source.start(s.nextStartTime);
  if (segment) highlightAt(s, segment.index, s.nextStartTime);
  s.sources.add(source);
  s.nextStartTime += buffer.duration;
  pg.scheduledSeconds += buffer.duration;
}

// ---- Stop ---------------------------------------------------------------------------------

function closeStream(s) {
  s.es.close(); // without this EventSource reconnects on its own
  s.closed = true;
}

function stop() {
  const s = session;
  if (!s) return;
  session = null;
  closeStream(s);
  for (const timer of s.timers) clearTimeout(timer);
  s.timers.clear();
  for (const source of s.sources) {
    source.onended = null;
    try { source.stop(); } catch { /* not started yet */ }
    source.disconnect();
  }
  s.sources.clear();
  if (["connecting", "queued", "streaming", "reconnecting"].includes(pg.state)) {
    setState("idle", "stopped");
    log("stopped");
  }
  updateButtons();
}

// ---- Wiring -------------------------------------------------------------------------------

ui.form.addEventListener("submit", (e) => {
  e.preventDefault();
  play();
});
ui.stop.addEventListener("click", stop);
ui.text.addEventListener("input", updateTextCount);
ui.text.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    ui.form.requestSubmit();
  }
});

updateTextCount();
setState("idle");
render();
