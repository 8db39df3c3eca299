// rnnlab dashboard: one state object, element handles at the top, one api() helper,
// one EventSource per watched run, Plotly.extendTraces batched per animation frame.
// User text (run names, server messages) is always set with textContent.
"use strict";
(function () {
  // --- constants ------------------------------------------------------------

  // Okabe-Ito: distinguishable with every common colour-vision deficiency.
  const C = {
    orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442",
    blue: "#0072B2", vermillion: "#D55E00", purple: "#CC79A7", black: "#000000",
    grey: "#6b6b6b",
  };
  const PARAMS = ["W_xh", "W_hh", "b_h", "W_hy", "b_y"];
  const PARAM_COLORS = [C.orange, C.sky, C.green, C.purple, C.blue];
  const OVERLAY_COLORS = [C.orange, C.green, C.purple, C.sky, C.yellow, C.black];
  const LIVE = new Set(["queued", "running", "paused"]);
  const FINAL = new Set(["completed", "stopped", "failed", "interrupted"]);
  const SATURATED = 0.9; // fraction of hidden units pinned at the activation's bounds
  const LIST_POLL_MS = 3000;
  const PLOT_CONFIG = { responsive: true, displaylogo: false };
  const FONT = { family: "system-ui, -apple-system, 'Segoe UI', sans-serif", size: 12, color: "#333" };

  // --- element handles ------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  const el = {
    form: $("run-form"),
    preset: $("f-preset"),
    seriesFile: $("f-series-file"),
    messages: $("form-messages"),
    start: document.querySelector("[data-testid=start-button]"),
    pause: $("pause-button"),
    stop: $("stop-button"),
    status: $("status"),
    watchedName: $("watched-name"),
    bar: $("epoch-bar"),
    pEpoch: $("p-epoch"), pRate: $("p-rate"), pEta: $("p-eta"),
    pTrain: $("p-train"), pVal: $("p-val"), pRmse: $("p-rmse"), pBest: $("p-best"),
    runError: $("run-error"),
    smoothing: $("smoothing"),
    smoothingValue: $("smoothing-value"),
    lossChart: $("loss-chart"),
    predChart: $("prediction-chart"),
    predEpoch: $("pred-epoch"),
    diagChart: $("diagnostics-chart"),
    forecastForm: $("forecast-form"),
    forecastSteps: $("forecast-steps"),
    forecastButton: $("forecast-button"),
    forecastError: $("forecast-error"),
    saturationSlot: $("saturation-slot"),
    runList: $("run-list"),
    runsEmpty: $("runs-empty"),
    tokenForm: $("token-form"),
    tokenInput: $("token-input"),
  };
  const authRequired = document.body.dataset.authRequired === "true";

  // --- state ----------------------------------------------------------------

  const state = {
    presets: null,
    runs: [],            // summaries, newest first (GET /api/runs)
    rows: new Map(),     // run id -> its <li> in the run list
    overlay: new Map(),  // run id -> {name, epochs, val} for ticked runs
    watch: null,         // the watched run (see newWatch)
    smoothing: Number(el.smoothing.value),
    flushQueued: false,
    nextFlushAt: 0,
    nextDraw: 0,         // which chart's turn it is (see flush)
    lossRedraw: false,   // the loss chart needs a full Plotly.react (overlays, smoothing)
    diagRedraw: false,
    predShown: null,     // which run's data the prediction chart shows (see predKey)
    predRange: [0, 1],   // its y range
    drawing: false,      // a Plotly call has not finished yet
    lossRange: { x: [1, 100], y: [-4, 0] }, // the axis ranges last laid out (see xEnd)
    diagRange: { x: [1, 100], y: [-4, 0] },
    predRedraw: false,
    listTimer: null,
  };

  function newWatch(id) {
    return {
      id,
      summary: null,
      status: null,
      error: null,
      reconnecting: false,
      source: null,
      // the per-run buffer: every epoch kept, the charts drawn up to lossDrawn / diagDrawn
      epochs: [], train: [], val: [], trainSm: [], valSm: [],
      rmse: [], sat: [], t: [],
      best: null, bestEpoch: null,
      grads: PARAMS.map(() => []),
      ema: { train: emaState(), val: emaState() },
      lossDrawn: 0,
      diagDrawn: 0,
      snapshot: null,
      forecast: null,
    };
  }

  // --- small helpers --------------------------------------------------------

  function fmt(x) {
    if (x === null || x === undefined || !Number.isFinite(x)) return "–";
    const a = Math.abs(x);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(3);
    return Number(x.toPrecision(4)).toString();
  }

  function fmtDuration(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return "–";
    if (seconds < 1) return "< 1 s";
    if (seconds < 90) return `${Math.round(seconds)} s`;
    const m = Math.floor(seconds / 60);
    if (m < 90) return `${m} min ${Math.round(seconds - 60 * m)} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  function positive(x) {
    // log axes cannot show 0 or negatives; null leaves a gap instead of breaking the axis
    return x === null || x === undefined || !(x > 0) ? null : x;
  }

  // Causal EMA in log space (loss spans decades; a linear EMA would be dominated by the
  // early, large values), debiased like TensorBoard's so the first points are not pulled to 0.
  function emaState() { return { acc: 0, weight: 0 }; }
  function emaPush(s, x, alpha) {
    if (x === null || !(x > 0)) return null;
    s.acc = alpha * s.acc + (1 - alpha) * Math.log(x);
    s.weight = alpha * s.weight + (1 - alpha);
    return Math.exp(s.acc / s.weight);
  }

  function setStatusText(text, kind) {
    el.status.textContent = text;
    el.status.className = `badge status-${kind || text}`;
  }

  // --- api ------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super(typeof body?.detail === "string" ? body.detail : `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  let tokenWaiters = [];
  function askToken() {
    el.tokenForm.hidden = false;
    el.tokenInput.value = "";
    el.tokenInput.focus();
    return new Promise((resolve) => tokenWaiters.push(resolve));
  }
  el.tokenForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = el.tokenInput.value.trim();
    if (!token) return;
    sessionStorage.setItem("rnnlab-token", token);
    el.tokenForm.hidden = true;
    const waiters = tokenWaiters;
    tokenWaiters = [];
    waiters.forEach((resolve) => resolve(token));
  });

  async function api(method, path, body, retried) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && authRequired) {
      let token = sessionStorage.getItem("rnnlab-token");
      if (!token) token = await askToken();
      headers.Authorization = `Bearer ${token}`;
    }
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401 && !retried) {
      sessionStorage.removeItem("rnnlab-token");
      await askToken();
      return api(method, path, body, true);
    }
    if (response.status === 204) return null;
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  // --- the form -------------------------------------------------------------

  const fields = () => Array.from(el.form.querySelectorAll("[name]"));

  function fillForm(config) {
    for (const input of fields()) {
      const name = input.name;
      if (name === "preset" || name === "name") continue;
      const source = input.dataset.group === "data" ? config.data : config;
      if (!(name in source)) continue;
      const value = source[name];
      if (name === "series") input.value = value ? value.join("\n") : "";
      else input.value = value === null || value === undefined ? "" : String(value);
    }
    clearErrors();
  }

  function parseSeries(text) {
    // One value per line (a CSV column: the first cell of each line), or one line of values.
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const cells = lines.length === 1
      ? lines[0].split(/[\s,;]+/).filter(Boolean)
      : lines.map((l) => l.split(/[,;\t]/)[0].trim());
    const values = [];
    cells.forEach((cell, i) => {
      const v = Number(cell.replace(/^"|"$/g, ""));
      if (cell !== "" && Number.isFinite(v)) values.push(v);
      else if (i > 0 || values.length > 0) throw new Error(`"${cell}" (value ${i + 1}) is not a number`);
      // a non-numeric first cell is a header: skipped
    });
    return values;
  }

  // Every field goes to the server as an override; empty optional fields are `null` (off).
  function collectBody() {
    const body = { preset: el.preset.value };
    const data = {};
    const problems = [];
    let series = null;
    for (const input of fields()) {
      const name = input.name;
      if (name === "preset") continue;
      const target = input.dataset.group === "data" ? data : body;
      const raw = input.value.trim();
      if (name === "name") {
        if (raw) body.name = input.value;
      } else if (name === "series") {
        if (raw) {
          try { series = parseSeries(raw); } catch (err) { problems.push([["data", "series"], err.message]); }
        }
      } else if (input.dataset.type) {
        if (raw === "") {
          if ("optional" in input.dataset) target[name] = null;
          else problems.push([input.dataset.group === "data" ? ["data", name] : [name], "a value is required"]);
        } else {
          // No rounding or range checks here: the server's message says what is wrong.
          const v = Number(raw);
          target[name] = Number.isFinite(v) ? v : raw;
        }
      } else {
        target[name] = input.value;
      }
    }
    if (series !== null) {
      data.series = series;
      delete data.kind;
      delete data.n_points;
    }
    body.data = data;
    return { body, problems };
  }

  function fieldFor(loc) {
    // loc: ["body", "hidden_size"] or ["body", "data", "seq_len"] or ["body", "data"] ...
    const path = loc.filter((p) => p !== "body");
    for (let i = path.length - 1; i >= 0; i--) {
      const name = path[i];
      if (typeof name !== "string") continue;
      const input = el.form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (input) return input;
    }
    return null;
  }

  function clearErrors() {
    el.form.querySelectorAll("[data-testid=form-error]").forEach((n) => n.remove());
    el.form.querySelectorAll("[aria-invalid]").forEach((n) => {
      n.removeAttribute("aria-invalid");
      n.removeAttribute("aria-describedby");
    });
  }

  // A message next to the field it names; messages about no field go under the buttons.
  function showError(loc, msg) {
    const input = loc ? fieldFor(loc) : null;
    const p = document.createElement("p");
    p.className = "form-error";
    p.dataset.testid = "form-error";
    p.setAttribute("role", "alert");
    const where = (loc || []).filter((x) => x !== "body").join(".");
    p.textContent = where ? `${where}: ${msg}` : msg;
    if (input) {
      p.id = `error-${input.name}`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", p.id);
      input.closest(".field").appendChild(p);
    } else {
      el.messages.appendChild(p);
    }
    return p;
  }

  el.preset.addEventListener("change", () => {
    if (state.presets) fillForm(state.presets[el.preset.value]);
  });

  el.seriesFile.addEventListener("change", async () => {
    const file = el.seriesFile.files[0];
    if (!file) return;
    $("f-series").value = await file.text();
  });

  el.form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors();
    const { body, problems } = collectBody();
    if (problems.length) {
      const first = problems.map(([loc, msg]) => showError(["body", ...loc], msg))[0];
      first.scrollIntoView({ block: "nearest" });
      return;
    }
    el.start.disabled = true;
    try {
      const run = await api("POST", "/api/runs", body);
      upsertRun(run);
      watch(run.id, { push: true, summary: run });
      refreshRuns();
    } catch (err) {
      if (err.status === 422 && Array.isArray(err.body?.detail)) {
        const shown = err.body.detail.map((d) => showError(d.loc, d.msg));
        if (shown[0]) shown[0].scrollIntoView({ block: "nearest" });
      } else {
        showError(null, err.status === 429 ? `The queue is full: ${err.message}` : err.message);
      }
    } finally {
      el.start.disabled = false;
    }
  });

  // --- controls -------------------------------------------------------------

  function updateControls() {
    const w = state.watch;
    const status = w?.status;
    el.stop.disabled = !w || !LIVE.has(status);
    el.pause.disabled = !w || !(status === "running" || status === "paused");
    el.pause.textContent = status === "paused" ? "Resume" : "Pause";
    el.forecastButton.disabled = !w || !w.snapshot;
  }

  async function control(action) {
    const w = state.watch;
    if (!w) return;
    const button = action === "stop" ? el.stop : el.pause;
    button.disabled = true;
    try {
      const answer = await api("POST", `/api/runs/${w.id}/${action}`);
      if (state.watch === w && !FINAL.has(w.status)) applyStatus(w, answer.status, answer.error);
    } catch (err) {
      if (err.status === 409 && err.body?.status && state.watch === w) applyStatus(w, err.body.status, null);
      else showError(null, err.message);
    } finally {
      updateControls();
    }
  }
  el.stop.addEventListener("click", () => control("stop"));
  el.pause.addEventListener("click", () => control(state.watch?.status === "paused" ? "resume" : "pause"));

  // --- charts: setup --------------------------------------------------------

  function baseLayout(extra) {
    return {
      font: FONT,
      margin: { l: 60, r: 20, t: 10, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#fff",
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      hovermode: "x unified",
      ...extra,
    };
  }

  // --- axis ranges, owned by the page -----------------------------------------
  // Appends are drawn with Plotly's partial redraw (see drawLoss), which redraws the traces
  // but never the axes. So the page sets both ranges itself, with headroom: x up to the run's
  // epoch total, y (log) whole decades with one spare decade below, since losses fall. Only
  // when data leaves the range is the chart laid out again (a few times per run).

  function xEnd(n) {
    const total = state.watch?.summary?.config?.epochs ?? null;
    if (total && total <= 5000) return Math.max(total, 2);
    let end = 100;
    while (end < n * 1.25) end *= 2;
    return total ? Math.max(2, Math.min(total, end)) : end;
  }

  // min/max of the positive values of some arrays, as [log10(min), log10(max)], or null
  function logExtent(arrays, from) {
    let lo = Infinity, hi = -Infinity;
    for (const a of arrays) {
      for (let i = from || 0; i < a.length; i++) {
        const v = a[i];
        if (v > 0) { if (v < lo) lo = v; if (v > hi) hi = v; }
      }
    }
    return lo <= hi ? [Math.log10(lo), Math.log10(hi)] : null;
  }

  function decadeRange(ext) {
    if (!ext) return [-4, 0];
    return [Math.floor(ext[0]) - 1, Math.max(Math.ceil(ext[1] + 0.05), Math.floor(ext[0]) + 1)];
  }

  const inside = (ext, range) => !ext || (ext[0] >= range[0] && ext[1] <= range[1]);

  function lossLayout() {
    const w = state.watch;
    const arrays = w ? [w.train, w.val] : [];
    for (const [id, o] of state.overlay) if (!w || id !== w.id) arrays.push(o.val);
    const xs = [w ? w.epochs.length : 0];
    for (const o of state.overlay.values()) xs.push(o.epochs.length ? o.epochs[o.epochs.length - 1] : 0);
    state.lossRange = { x: [1, xEnd(Math.max(...xs))], y: decadeRange(logExtent(arrays)) };
    return baseLayout({
      uirevision: w?.id ?? "none",
      xaxis: { title: { text: "epoch" }, zeroline: false, gridcolor: "#eee", range: state.lossRange.x, autorange: false },
      // one label per decade: minor tick labels double the cost of every redraw
      yaxis: {
        title: { text: "MSE (log)" }, type: "log", dtick: 1, exponentformat: "power", gridcolor: "#eee",
        range: state.lossRange.y, autorange: false,
      },
    });
  }

  function lossTraces() {
    const w = state.watch;
    const raw = (name, color, y) => ({
      name, type: "scatter", mode: "lines", x: w ? w.epochs.slice() : [], y: y ? y.slice() : [],
      line: { color, width: 1 }, opacity: 0.3, hovertemplate: "%{y:.4e}",
    });
    const smooth = (name, color, y) => ({
      name, type: "scatter", mode: "lines", x: w ? w.epochs.slice() : [], y: y ? y.slice() : [],
      line: { color, width: 2.2 }, hoverinfo: "skip",
    });
    const traces = [
      raw("train (raw)", C.blue, w?.train),
      raw("val (raw)", C.vermillion, w?.val),
      smooth("train", C.blue, w?.trainSm),
      smooth("val", C.vermillion, w?.valSm),
    ];
    let i = 0;
    for (const [id, o] of state.overlay) {
      if (w && id === w.id) continue; // the watched run is already drawn
      traces.push({
        name: `#${id} ${o.name} (val)`, type: "scatter", mode: "lines", x: o.epochs, y: o.val,
        line: { color: OVERLAY_COLORS[i++ % OVERLAY_COLORS.length], width: 1.6, dash: "dash" },
        hovertemplate: "%{y:.4e}",
      });
    }
    return traces;
  }

  function diagTraces() {
    const w = state.watch;
    const traces = PARAMS.map((p, i) => ({
      name: `‖∇${p}‖`, type: "scatter", mode: "lines", x: w ? w.epochs.slice() : [],
      y: w ? w.grads[i].slice() : [], line: { color: PARAM_COLORS[i], width: 1.5 },
      hovertemplate: "%{y:.3e}",
    }));
    traces.push({
      name: "saturation", type: "scatter", mode: "lines", yaxis: "y2",
      x: w ? w.epochs.slice() : [], y: w ? w.sat.slice() : [],
      line: { color: C.black, width: 1.5, dash: "dot" }, hovertemplate: "%{y:.2f}",
    });
    return traces;
  }

  function diagLayout() {
    const w = state.watch;
    state.diagRange = { x: [1, xEnd(w ? w.epochs.length : 0)], y: decadeRange(logExtent(w ? w.grads : [])) };
    return baseLayout({
    uirevision: w?.id ?? "none",
    margin: { l: 60, r: 60, t: 10, b: 40 },
    xaxis: { title: { text: "epoch" }, zeroline: false, gridcolor: "#eee", range: state.diagRange.x, autorange: false },
    yaxis: {
      title: { text: "gradient norm (log)" }, type: "log", dtick: 1, exponentformat: "power", gridcolor: "#eee",
      range: state.diagRange.y, autorange: false,
    },
    yaxis2: {
      title: { text: "saturation" }, overlaying: "y", side: "right", range: [0, 1.05],
      tickmode: "array", tickvals: [0, 0.25, 0.5, 0.75, 1], showgrid: false, tickformat: ".0%",
    },
    });
  }

  function predFigure() {
    const w = state.watch;
    const snap = w?.snapshot;
    const traces = [];
    const shapes = [];
    if (snap) {
      const points = mergedTruth(snap);
      traces.push({
        name: "truth", type: "scatter", mode: "lines", x: points.index, y: points.truth,
        // wide and pale under the prediction, so both stay visible once they coincide
        line: { color: "#b8b8b8", width: 6 }, hovertemplate: "%{y:.4f}",
      });
      traces.push({
        name: "prediction", type: "scatter", mode: "lines",
        x: snap.train.index.concat(snap.val.index),
        y: snap.train.prediction.concat(snap.val.prediction),
        line: { color: C.vermillion, width: 2 }, hovertemplate: "%{y:.4f}",
      });
      if (w.forecast) {
        traces.push({
          name: `forecast (${w.forecast.y.length} steps)`, type: "scatter", mode: "lines",
          x: w.forecast.x, y: w.forecast.y,
          line: { color: C.green, width: 2, dash: "dash" }, hovertemplate: "%{y:.4f}",
        });
      }
      if (snap.val.index.length) {
        shapes.push({
          type: "rect", xref: "x", yref: "paper", layer: "below", line: { width: 0 },
          x0: snap.val.index[0] - 0.5, x1: snap.val.index[snap.val.index.length - 1] + 0.5,
          y0: 0, y1: 1, fillcolor: "rgba(86,180,233,0.15)",
        });
      }
    }
    const annotations = shapes.length ? [{
      x: snap.val.index[0], xref: "x", xanchor: "left", y: 1, yref: "paper", yanchor: "top",
      text: "validation", showarrow: false, font: { color: C.blue, size: 11 },
    }] : [];
    // y range: the truth with a margin, widened to take in the prediction and forecast
    const ext = extent(traces.map((t) => t.y));
    const pad = ext ? Math.max(0.15 * (ext[1] - ext[0]), 1e-3) : 0;
    state.predRange = ext ? [ext[0] - pad, ext[1] + pad] : [0, 1];
    const layout = baseLayout({
      uirevision: w?.id ?? "none",
      xaxis: { title: { text: "series index" }, zeroline: false, gridcolor: "#eee" },
      yaxis: { title: { text: "value" }, gridcolor: "#eee", range: state.predRange, autorange: !ext },
      shapes, annotations,
    });
    return { traces, layout };
  }

  function predKey(w) {
    const s = w.snapshot;
    return `${w.id}:${s.train.index.length}:${s.val.index.length}:${s.train.index[0]}:${s.val.index[0]}:${w.forecast ? w.forecast.y.length : 0}`;
  }

  function extent(arrays) {
    let lo = Infinity, hi = -Infinity;
    for (const a of arrays) for (const v of a) if (v !== null && Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return lo <= hi ? [lo, hi] : null;
  }

  function mergedTruth(snap) {
    const byIndex = new Map();
    for (const split of [snap.train, snap.val]) {
      split.index.forEach((ix, k) => byIndex.set(ix, split.truth[k]));
    }
    const index = Array.from(byIndex.keys()).sort((a, b) => a - b);
    return { index, truth: index.map((ix) => byIndex.get(ix)) };
  }

  // --- charts: drawing, batched per animation frame ------------------------

  function schedule() {
    if (state.flushQueued) return;
    state.flushQueued = true;
    requestAnimationFrame(flush);
  }

  // Appends use Plotly's partial redraw: Plotly.animate with `redraw: false` recomputes and
  // redraws only the given traces. A full redraw (what Plotly.extendTraces does) also rebuilds
  // the axes, tick labels, legend and margins, measuring text with forced layouts: that fixed
  // cost was ~3/4 of each update (measured: ~45 ms of JS per loss-chart update vs ~12 ms), and
  // it is what made the longest task. Each trace gets a copy of its whole buffer, so the
  // graph div's data always holds every epoch drawn. Ranges are the page's (see xEnd); when
  // new points leave them, the chart gets one full Plotly.react instead.
  const PARTIAL = { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" };

  function partialRedraw(gd, ys, xs) {
    const data = ys.map((y) => ({ x: xs.slice(), y: y.slice() }));
    return Plotly.animate(gd, { data, traces: ys.map((_, i) => i) }, PARTIAL);
  }

  const lastEpoch = (w) => (w && w.epochs.length ? w.epochs[w.epochs.length - 1] : 0);

  function drawLoss(w) {
    if (!state.lossRedraw && w && w.lossDrawn < w.epochs.length) {
      const ext = logExtent([w.train, w.val], w.lossDrawn);
      if (lastEpoch(w) > state.lossRange.x[1] || !inside(ext, state.lossRange.y)) state.lossRedraw = true;
    }
    if (state.lossRedraw) {
      state.lossRedraw = false;
      if (w) w.lossDrawn = w.epochs.length;
      return Plotly.react(el.lossChart, lossTraces(), lossLayout(), PLOT_CONFIG);
    }
    if (!w || w.lossDrawn >= w.epochs.length) return null;
    w.lossDrawn = w.epochs.length;
    return partialRedraw(el.lossChart, [w.train, w.val, w.trainSm, w.valSm], w.epochs);
  }

  function drawDiag(w) {
    if (!state.diagRedraw && (!w || w.diagDrawn >= w.epochs.length)) return null;
    const ext = w ? logExtent(w.grads, w.diagDrawn) : null;
    const full = state.diagRedraw || lastEpoch(w) > state.diagRange.x[1] || !inside(ext, state.diagRange.y);
    state.diagRedraw = false;
    if (w) w.diagDrawn = w.epochs.length;
    if (full) return Plotly.react(el.diagChart, diagTraces(), diagLayout(), PLOT_CONFIG);
    return partialRedraw(el.diagChart, [...w.grads, w.sat], w.epochs);
  }

  // A new snapshot of the same run changes only the prediction trace: partial redraw, unless
  // the prediction leaves the y range laid out. Anything else (new run, forecast): full.
  function drawPred(w) {
    if (!state.predRedraw) return null;
    const kind = state.predRedraw;
    state.predRedraw = false;
    const snap = w?.snapshot;
    el.predEpoch.textContent = snap ? `model of epoch ${snap.epoch}` : "";
    if (kind === "partial" && snap && state.predShown === predKey(w)) {
      const x = snap.train.index.concat(snap.val.index);
      const y = snap.train.prediction.concat(snap.val.prediction);
      const ext = extent([y]);
      if (!ext || (ext[0] >= state.predRange[0] && ext[1] <= state.predRange[1])) {
        return Plotly.animate(el.predChart, { data: [{ x, y }], traces: [1] }, PARTIAL);
      }
    }
    const fig = predFigure();
    state.predShown = snap ? predKey(w) : null;
    return Plotly.react(el.predChart, fig.traces, fig.layout, PLOT_CONFIG);
  }

  const DRAWS = [drawLoss, drawDiag, drawPred];

  function needsDrawing() {
    const w = state.watch;
    return state.lossRedraw || state.diagRedraw || state.predRedraw ||
      (w !== null && (w.lossDrawn < w.epochs.length || w.diagDrawn < w.epochs.length));
  }

  // One chart per animation frame, taking turns; the next draw waits until Plotly has
  // finished this one, and after it the main thread stays free for 1.5x its cost. Epochs wait
  // in the run's buffer meanwhile; none is ever dropped.
  function flush(now) {
    state.flushQueued = false;
    if (state.drawing || now < state.nextFlushAt) { schedule(); return; }
    const t0 = performance.now();
    const w = state.watch;
    let drawn = null;
    for (let k = 0; k < DRAWS.length; k++) {
      const i = (state.nextDraw + k) % DRAWS.length;
      drawn = DRAWS[i](w);
      if (drawn) { state.nextDraw = (i + 1) % DRAWS.length; break; }
    }
    renderProgress();
    const done = () => {
      state.drawing = false;
      const end = performance.now();
      state.nextFlushAt = end + Math.min(1000, 1.5 * (end - t0));
      if (needsDrawing()) schedule();
    };
    if (drawn && typeof drawn.then === "function") {
      state.drawing = true;
      drawn.then(done, done);
    } else {
      done();
    }
  }

  // Emptied charts are redrawn by flush like any other change: one chart per frame, never
  // three full redraws in one task.
  function resetCharts() {
    state.lossRedraw = true;
    state.diagRedraw = true;
    state.predRedraw = "full";
    schedule();
  }

  el.smoothing.addEventListener("input", () => {
    state.smoothing = Number(el.smoothing.value);
    el.smoothingValue.textContent = state.smoothing.toFixed(2);
    const w = state.watch;
    if (w) {
      w.ema = { train: emaState(), val: emaState() };
      w.trainSm = w.train.map((x) => emaPush(w.ema.train, x, state.smoothing));
      w.valSm = w.val.map((x) => emaPush(w.ema.val, x, state.smoothing));
    }
    state.lossRedraw = true;
    schedule();
  });

  // --- progress and the saturation note --------------------------------------

  function rate(w) {
    // epochs per second over the last few seconds of server time (the whole run once it ended)
    const n = w.t.length;
    if (n < 2 || w.t[n - 1] === null) return null;
    const window = LIVE.has(w.status) ? 3 : Infinity;
    let k = n - 1;
    while (k > 0 && w.t[k - 1] !== null && w.t[n - 1] - w.t[k - 1] < window) k--;
    const dt = w.t[n - 1] - w.t[k];
    return dt > 0 ? (n - 1 - k) / dt : null;
  }

  function renderProgress() {
    const w = state.watch;
    if (!w) return;
    const n = w.epochs.length;
    const last = n - 1;
    const total = w.summary?.config?.epochs ?? null;
    el.pEpoch.textContent = total ? `${n} / ${total}` : String(n);
    el.bar.max = total || 1;
    el.bar.value = Math.min(n, total || 0);
    const r = rate(w);
    const live = LIVE.has(w.status);
    el.pRate.textContent = r ? fmt(r) : "–";
    el.pEta.textContent = r && live && total ? fmtDuration((total - n) / r) : FINAL.has(w.status) ? "done" : "–";
    el.pTrain.textContent = n ? fmt(w.train[last]) : "–";
    el.pVal.textContent = n ? fmt(w.val[last]) : "–";
    el.pRmse.textContent = n ? fmt(w.rmse[last]) : "–";
    el.pBest.textContent = w.best === null ? "–" : `${fmt(w.best)} (epoch ${w.bestEpoch})`;
    renderSaturation(n ? w.sat[last] : null);
  }

  function renderSaturation(saturation) {
    const existing = document.querySelector("[data-testid=saturation-note]");
    const saturated = saturation !== null && saturation >= SATURATED;
    if (!saturated) {
      if (existing) existing.remove();
      return;
    }
    if (existing) return;
    const note = document.createElement("div");
    note.className = "saturation-note";
    note.dataset.testid = "saturation-note";
    note.setAttribute("role", "note");
    const title = document.createElement("strong");
    title.textContent = "The hidden layer is saturated.";
    const body = document.createElement("p");
    body.textContent =
      "Almost every hidden unit sits at the edge of its activation (a sigmoid output of exactly 1.0). " +
      "There its slope is zero, so no gradient flows back: the input and recurrent weights " +
      "(W_xh, W_hh) get zero gradients and never change, and only the output layer learns. " +
      "The network ends predicting a constant. Small, zero-centred initial weights and a tanh " +
      "activation avoid this: try the modern preset.";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Use the modern preset";
    button.addEventListener("click", () => {
      el.preset.value = "modern";
      el.preset.dispatchEvent(new Event("change"));
      el.preset.focus();
    });
    note.append(title, body, button);
    el.saturationSlot.appendChild(note);
  }

  function applyStatus(w, status, error) {
    w.status = status;
    w.error = error;
    setStatusText(w.reconnecting ? "reconnecting" : status, w.reconnecting ? "reconnecting" : status);
    el.runError.hidden = !error;
    el.runError.textContent = error || "";
    updateControls();
    const row = state.runs.find((r) => r.id === w.id);
    if (row && row.status !== status) {
      row.status = status;
      renderRunList();
    }
  }

  // --- watching one run -----------------------------------------------------

  function onEpoch(w, e) {
    const last = w.epochs.length ? w.epochs[w.epochs.length - 1] : 0;
    if (e.epoch <= last) return; // a reconnect may repeat what we have: never draw it twice
    w.epochs.push(e.epoch);
    const train = positive(e.train_loss);
    const val = positive(e.val_loss);
    w.train.push(train);
    w.val.push(val);
    w.trainSm.push(emaPush(w.ema.train, train, state.smoothing));
    w.valSm.push(emaPush(w.ema.val, val, state.smoothing));
    w.rmse.push(e.val_rmse ?? null);
    if (e.val_rmse !== null && e.val_rmse !== undefined && (w.best === null || e.val_rmse < w.best)) {
      w.best = e.val_rmse;
      w.bestEpoch = e.epoch;
    }
    w.sat.push(e.saturation ?? null);
    w.t.push(e.t ?? null);
    PARAMS.forEach((p, i) => w.grads[i].push(positive(e.grad_norms ? e.grad_norms[p] : null)));
    schedule();
  }

  function openStream(w) {
    const source = new EventSource(`/api/runs/${w.id}/events`);
    w.source = source;
    source.addEventListener("epoch", (ev) => {
      if (state.watch === w) onEpoch(w, JSON.parse(ev.data));
    });
    source.addEventListener("snapshot", (ev) => {
      if (state.watch !== w) return;
      w.snapshot = JSON.parse(ev.data);
      if (!state.predRedraw) state.predRedraw = "partial";
      updateControls();
      schedule();
    });
    source.addEventListener("status", (ev) => {
      if (state.watch !== w) return;
      const { status, error } = JSON.parse(ev.data);
      w.reconnecting = false;
      const changed = status !== w.status;
      applyStatus(w, status, error);
      if (FINAL.has(status)) {
        source.close(); // the server ended the stream: no reconnect
        schedule();
      }
      if (changed) refreshRuns();
    });
    source.addEventListener("error", () => {
      if (state.watch !== w || FINAL.has(w.status)) return;
      w.reconnecting = true;
      setStatusText(source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting",
        "reconnecting");
      // the browser retries by itself and sends Last-Event-ID; epochs are de-duplicated
    });
  }

  function watch(id, opts = {}) {
    if (state.watch && state.watch.id === id && !opts.force) return;
    if (state.watch?.source) state.watch.source.close();
    const w = newWatch(id);
    w.summary = opts.summary || state.runs.find((r) => r.id === id) || null;
    state.watch = w;
    el.watchedName.textContent = w.summary ? `#${id} ${w.summary.name}` : `#${id}`;
    setStatusText(w.summary?.status || "connecting", w.summary?.status || "queued");
    el.runError.hidden = true;
    el.forecastError.hidden = true;
    [el.pEpoch, el.pRate, el.pEta, el.pTrain, el.pVal, el.pRmse, el.pBest].forEach((n) => { n.textContent = "–"; });
    el.bar.value = 0;
    renderSaturation(null);
    if (opts.push) history.pushState({ run: id }, "", `?run=${id}`);
    resetCharts();
    updateControls();
    markSelected();
    openStream(w);
    if (!w.summary) {
      api("GET", "/api/runs").then((runs) => {
        setRuns(runs);
        if (state.watch === w) {
          w.summary = runs.find((r) => r.id === id) || null;
          if (w.summary) el.watchedName.textContent = `#${id} ${w.summary.name}`;
          else {
            setStatusText("not found", "failed");
            w.source?.close();
          }
          renderProgress();
        }
      }).catch(() => {});
    }
  }

  function unwatch() {
    if (state.watch?.source) state.watch.source.close();
    state.watch = null;
    el.watchedName.textContent = "— none selected —";
    setStatusText("idle", "idle");
    renderSaturation(null);
    history.replaceState(null, "", location.pathname);
    resetCharts();
    updateControls();
    markSelected();
  }

  window.addEventListener("popstate", () => {
    const id = Number(new URLSearchParams(location.search).get("run"));
    if (id) watch(id);
    else unwatch();
  });

  // --- forecast -------------------------------------------------------------

  el.forecastForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const w = state.watch;
    if (!w?.snapshot) return;
    el.forecastError.hidden = true;
    const steps = Number(el.forecastSteps.value);
    const points = mergedTruth(w.snapshot);
    const series = points.truth.filter((v) => v !== null);
    el.forecastButton.disabled = true;
    try {
      const answer = await api("POST", `/api/runs/${w.id}/predict`, { series, steps });
      const start = points.index[points.index.length - 1] + 1;
      w.forecast = { x: answer.forecast.map((_, k) => start + k), y: answer.forecast };
      state.predRedraw = "full";
      schedule();
    } catch (err) {
      const detail = Array.isArray(err.body?.detail) ? err.body.detail.map((d) => d.msg).join("; ") : err.message;
      el.forecastError.textContent = `Forecast failed: ${detail}`;
      el.forecastError.hidden = false;
    } finally {
      updateControls();
    }
  });

  // --- the run list ---------------------------------------------------------

  function upsertRun(run) {
    const i = state.runs.findIndex((r) => r.id === run.id);
    if (i >= 0) state.runs[i] = run;
    else state.runs.unshift(run);
    renderRunList();
  }

  function setRuns(runs) {
    const before = new Map(state.runs.map((r) => [r.id, r.epochs_done]));
    state.runs = runs;
    // ticked runs that moved on get their overlay refreshed; deleted ones lose it
    for (const id of Array.from(state.overlay.keys())) {
      const run = runs.find((r) => r.id === id);
      if (!run) { state.overlay.delete(id); state.lossRedraw = true; schedule(); }
      else if (before.get(id) !== run.epochs_done) loadOverlay(id);
    }
    renderRunList();
  }

  async function refreshRuns() {
    try {
      setRuns(await api("GET", "/api/runs"));
    } catch (_) { /* the next poll tries again */ }
    clearTimeout(state.listTimer);
    if (state.runs.some((r) => LIVE.has(r.status))) state.listTimer = setTimeout(refreshRuns, LIST_POLL_MS);
  }

  async function loadOverlay(id) {
    try {
      const run = await api("GET", `/api/runs/${id}`);
      if (!state.overlay.has(id)) return; // unticked meanwhile
      state.overlay.set(id, {
        name: run.name,
        epochs: run.history.map((e) => e.epoch),
        val: run.history.map((e) => positive(e.val_loss)),
      });
      state.lossRedraw = true;
      schedule();
    } catch (_) { /* deleted meanwhile */ }
  }

  function makeRow(run) {
    const li = document.createElement("li");
    li.className = "run";
    li.dataset.runId = String(run.id);

    const tick = document.createElement("input");
    tick.type = "checkbox";
    tick.className = "run-overlay";
    tick.id = `overlay-${run.id}`;
    tick.addEventListener("change", () => {
      if (tick.checked) {
        state.overlay.set(run.id, { name: run.name, epochs: [], val: [] });
        loadOverlay(run.id);
      } else {
        state.overlay.delete(run.id);
        state.lossRedraw = true;
        schedule();
      }
    });

    const select = document.createElement("button");
    select.type = "button";
    select.className = "run-select";
    select.addEventListener("click", () => watch(run.id, { push: true }));
    const id = document.createElement("span");
    id.className = "run-id";
    const name = document.createElement("span");
    name.className = "run-name";
    select.append(id, name);

    const badge = document.createElement("span");
    const meta = document.createElement("span");
    meta.className = "run-meta";

    const csv = document.createElement("a");
    csv.href = `/api/runs/${run.id}/history.csv`;
    csv.setAttribute("download", "");
    csv.textContent = "CSV";
    const model = document.createElement("a");
    model.href = `/api/runs/${run.id}/model`;
    model.setAttribute("download", "");
    model.textContent = "model";

    const del = document.createElement("button");
    del.type = "button";
    del.className = "run-delete";
    del.textContent = "Delete";
    // two clicks instead of window.confirm: no modal, still no accidental deletes
    del.addEventListener("click", async () => {
      if (del.dataset.armed !== "true") {
        del.dataset.armed = "true";
        del.textContent = "Really delete?";
        setTimeout(() => { del.dataset.armed = "false"; del.textContent = "Delete"; }, 4000);
        return;
      }
      del.disabled = true;
      try {
        await api("DELETE", `/api/runs/${run.id}`);
        if (state.watch?.id === run.id) unwatch();
        state.overlay.delete(run.id);
        state.lossRedraw = true;
        schedule();
      } catch (err) {
        if (err.status !== 404) showError(null, err.message);
      }
      refreshRuns();
    });

    const actions = document.createElement("span");
    actions.className = "run-actions";
    actions.append(csv, model, del);
    li.append(tick, select, badge, meta, actions);
    li._parts = { tick, select, id, name, badge, meta, csv, model, del };
    return li;
  }

  // Rows are kept and updated in place: a poll must not steal keyboard focus.
  function renderRunList() {
    const seen = new Set();
    let previous = null;
    for (const run of state.runs) {
      seen.add(run.id);
      let li = state.rows.get(run.id);
      if (!li) {
        li = makeRow(run);
        state.rows.set(run.id, li);
      }
      const p = li._parts;
      p.id.textContent = `#${run.id}`;
      p.name.textContent = run.name;
      p.tick.setAttribute("aria-label", `overlay the loss of run #${run.id} ${run.name}`);
      p.del.setAttribute("aria-label", `delete run #${run.id} ${run.name}`);
      p.badge.textContent = run.status;
      p.badge.className = `badge status-${run.status}`;
      const total = run.config?.epochs;
      const best = run.best_val_rmse === null ? "" : ` · best val RMSE ${fmt(run.best_val_rmse)}`;
      p.meta.textContent = `${run.epochs_done}${total ? ` / ${total}` : ""} epochs${best}`;
      p.tick.checked = state.overlay.has(run.id);
      const expected = previous ? previous.nextSibling : el.runList.firstChild;
      if (expected !== li) el.runList.insertBefore(li, expected);
      previous = li;
    }
    for (const [id, li] of state.rows) {
      if (!seen.has(id)) { li.remove(); state.rows.delete(id); }
    }
    el.runsEmpty.hidden = state.runs.length > 0;
    markSelected();
  }

  function markSelected() {
    for (const [id, li] of state.rows) {
      const selected = state.watch?.id === id;
      li.classList.toggle("selected", selected);
      if (selected) li._parts.select.setAttribute("aria-current", "true");
      else li._parts.select.removeAttribute("aria-current");
    }
  }

  // --- start ----------------------------------------------------------------

  async function init() {
    resetCharts();
    updateControls();
    try {
      state.presets = await api("GET", "/api/presets");
      fillForm(state.presets[el.preset.value]);
    } catch (err) {
      showError(null, `Could not load the presets: ${err.message}`);
    }
    await refreshRuns();
    const id = Number(new URLSearchParams(location.search).get("run"));
    if (id) watch(id);
  }

  // Read-only hooks for tests and curious users.
  window.rnnlab = Object.freeze({
    get state() { return state; },
    epochs: () => (state.watch ? state.watch.epochs.slice() : []),
  });

  init();
})();
