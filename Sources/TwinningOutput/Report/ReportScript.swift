import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

extension HTMLReport {
    /// The report's one script (allowed by its hash in the page's Content-Security-Policy).
    ///
    /// It reads the data islands (`proposals.json` as written, the country outlines, and
    /// the report's own facts) and builds everything else. Every value from the data goes
    /// into the page as text (`textContent`) or as a number in an SVG attribute, never
    /// as markup, so a name cannot inject anything.
    static let script = #"""
"use strict";
(function () {
  const started = performance.now();
  const island = (id) => { const e = document.getElementById(id); return e ? JSON.parse(e.textContent) : null; };
  const D = island("twinning-data"), OUTLINES = island("twinning-outlines"), META = island("twinning-meta") || {};
  // A country by its English name, its code beside it ("Germany (DE)").
  const countryName = (code) => (META.countries || {})[code] || code;
  const countryLabel = (code) => countryName(code) === code ? code : `${countryName(code)} (${code})`;
  // A partner region (a NUTS 3 code) with its most populous place: "PL213 (around Kraków)".
  const regionLabel = (code) => { const place = (D.region_largest_place || {})[code]; return place ? `${code} (around ${isolated(place)})` : code; };
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, ...children) { for (const c of children) if (c) parent.appendChild(c); return parent; }
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  const fixed = (x, d) => (x === null || x === undefined) ? "–" : Number(x).toFixed(d);
  const whole = (x) => (x === null || x === undefined) ? "–" : Math.round(Number(x)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  // Search folds case, the accents of Latin and Greek letters (not Cyrillic ones: Ї, Й and
  // Ё are letters of their own), ł ø ß đ æ œ ı, apostrophes and dashes, in both scripts.
  const letters = { "ł": "l", "ø": "o", "ß": "ss", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d" };
  const fold = (s) => String(s || "").toLowerCase().normalize("NFD")
    .replace(/([a-z\u0370-\u03ff])[\u0300-\u036f]+/g, "$1").normalize("NFC")
    .replace(/[łøßđæœıþð]/g, (c) => letters[c])
    .replace(/[\u2018\u2019\u02bc\u02b9\u0060\u00b4\u2032]/g, "'")
    .replace(/[\u2010-\u2015\u2212]/g, "-");
  // Names sort as people read them (Łańcut before Zwettl), the same on every run.
  const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
  const byText = (a, b) => a < b ? -1 : a > b ? 1 : 0;
  const byName = (a, b) => collator.compare(a, b) || byText(a, b);
  // Text from the data shown where markup cannot isolate it (options): first-strong isolates,
  // so a right-to-left override in a name cannot turn the page's own text around.
  const isolated = (s) => "\u2068" + String(s) + "\u2069";

  // The proposals island holds proposals.json's values in columns: each place and each
  // repeated text once. A proposal's fields for the table, the map and the filters are
  // gathered here; its reasons, sectors, components and alternatives when its card opens.
  const S = D.strings, H = D.hromadas, P = D.partners, C = D.proposals, A = D.alternatives;
  const proposals = C.hromada.map((h, i) => {
    const q = C.partner[i];
    return { hromada_id: H.id[h], hromada_name: H.name[h], hromada_name_latin: H.latin[h], hromada_region: S[H.region[h]],
      hromada_population: H.population[h], hromada_lat: H.lat[h], hromada_lon: H.lon[h],
      partner_id: P.id[q], partner_name: P.name[q], partner_name_latin: P.latin[q], partner_country: S[P.country[q]],
      partner_region: S[P.region[q]], partner_population: P.population[q], partner_lat: P.lat[q], partner_lon: P.lon[q],
      partner_volunteer: P.volunteer[q], score: C.score[i], likelihood: C.likelihood[i], fit: C.fit[i], fit_note: S[C.fit_note[i]],
      distance_km: C.distance_km[i], status: S[C.status[i]], locked_by: C.locked_by[i] === null ? null : S[C.locked_by[i]], hromada: h };
  });
  const reasonsOf = (i) => C.reasons[i].map((k) => S[k]);
  const sectorsOf = (i) => C.top_sectors[i].map(([k, need, offer]) => ({ sector: S[k], need, offer }));
  const componentOf = (i, c) => (C.components[c] || [])[i];
  // A hromada's alternatives (each partner once, best first), indexed on the first card that asks.
  let alternativesByHromada = null;
  function alternativesOf(h) {
    if (!alternativesByHromada) {
      alternativesByHromada = new Map();
      A.hromada.forEach((x, k) => { const list = alternativesByHromada.get(x) || []; list.push(k); alternativesByHromada.set(x, list); });
    }
    const seen = new Set();
    return (alternativesByHromada.get(h) || []).filter((k) => !seen.has(A.partner[k]) && seen.add(A.partner[k])).map((k) => {
      const q = A.partner[k];
      return { partner_name: P.name[q], partner_name_latin: P.latin[q], partner_country: S[P.country[q]], score: A.score[k],
               loss_at_least: A.loss_at_least[k], held_by_name_latin: S[A.held_by[k]] };
    });
  }
  const unmatched = D.unmatched, components = D.components;
  const weightTotal = components.reduce((s, c) => s + Math.abs(D.weights[c] || 0), 0);
  // A component's share of the score: |w|·v / Σ|w|, with 1 − v for a negative weight.
  const contribution = (c, v) => {
    const w = D.weights[c] || 0;
    return weightTotal > 0 ? Math.abs(w) * (w < 0 ? 1 - v : v) / weightTotal : 0;
  };

  // ---- Summary ---------------------------------------------------------------------
  const s = D.summary;
  $("summary").textContent = `${whole(s.proposals)} proposals for ${whole(s.hromadas_seeking)} hromadas seeking partners ` +
    `(${whole(s.already_partnered)} already have one), among ${whole(s.candidate_partners)} candidate partners` +
    (s.candidates === "all" ? " — every partner, volunteers or not (--candidates all): partners marked \"to invite\" have not signed up. " : " (the volunteers). ") +
    `Total score ${fixed(s.total_score, 3)}, mean ${fixed(s.proposals ? s.total_score / s.proposals : 0, 3)}; ` +
    `${whole(s.unmatched)} hromada${s.unmatched === 1 ? "" : "s"} not fully matched.`;
  if (META.title) $("run-title").textContent = META.title;
  if (D.warnings.length) {
    const list = el("ul", "warnings");
    for (const w of D.warnings) add(list, el("li", null, w));
    add($("warnings"), el("h4", null, "Warnings"), list);
  }

  // The summary is painted first (what a coordinator reads first); the map, the table and
  // the charts are drawn in the next task, after that paint.
  requestAnimationFrame(() => setTimeout(draw, 0));
  function draw() {
    // ---- Colours by score ------------------------------------------------------------
    const scores = proposals.map((p) => p.score);
    const low = scores.length ? Math.min(...scores) : 0, high = scores.length ? Math.max(...scores) : 1;
    // Lowest scores (the pairs to question) in a warm orange, highest in dark blue, every
    // colour of the scale at least 3:1 against the map's sea and land.
    const stops = [[194, 65, 12], [122, 62, 140], [8, 48, 107]];
    function colour(score) {
      const t = high > low ? Math.min(1, Math.max(0, (score - low) / (high - low))) : 1;
      const x = t * (stops.length - 1), k = Math.min(stops.length - 2, Math.floor(x)), f = x - k;
      const c = stops[k].map((v, i) => Math.round(v + f * (stops[k + 1][i] - v)));
      return `rgb(${c[0]},${c[1]},${c[2]})`;
    }

    // ---- Map: Lambert azimuthal equal-area centred on Europe, kilometres ---------------
    const rad = Math.PI / 180, lat0 = 52 * rad, lon0 = 15 * rad, R = 6371;
    function project(lon, lat) {
      const f = lat * rad, l = lon * rad - lon0;
      const k = Math.sqrt(2 / (1 + Math.sin(lat0) * Math.sin(f) + Math.cos(lat0) * Math.cos(f) * Math.cos(l)));
      return [R * k * Math.cos(f) * Math.sin(l), -R * k * (Math.cos(lat0) * Math.sin(f) - Math.sin(lat0) * Math.cos(f) * Math.cos(l))];
    }
    const map = $("map");
    const layers = { countries: svg("g", { class: "countries" }), lines: svg("g", { class: "lines" }), points: svg("g", { class: "points" }),
                     labels: svg("g", { class: "place-labels", "aria-hidden": "true" }) };
    add(map, layers.countries, layers.lines, layers.points, layers.labels);
    if (OUTLINES && Array.isArray(OUTLINES.features)) {
      for (const f of OUTLINES.features) {
        const g = f.geometry;
        if (!g) continue;
        const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
        let d = "";
        for (const polygon of polygons) for (const ring of polygon) {
          ring.forEach((pt, i) => { const [x, y] = project(pt[0], pt[1]); d += `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`; });
          d += "Z";
        }
        if (!d) continue;
        const path = svg("path", { class: "country", d });
        const title = svg("title", {});
        title.textContent = (f.properties && (f.properties.name || f.properties.NAME)) || "";
        add(layers.countries, add(path, title));
      }
    } else {
      $("map-note").textContent = "No country outlines were given: the map shows places only.";
    }
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    const extend = ([x, y]) => { minX = Math.min(minX, x); minY = Math.min(minY, y); maxX = Math.max(maxX, x); maxY = Math.max(maxY, y); };
    // Places by side (hromadas, unmatched ones included; partners), for the map's labels.
    const lines = [], hromadaDots = new Map(), partnerDots = new Map(), points = [], places = [[], []];
    function dot(map, id, lon, lat, cls, name, open, label, population) {
      if (map.has(id) || lon === null || lat === null) return map.get(id);
      const xy = project(lon, lat); extend(xy);
      places[cls === "partner" ? 1 : 0].push({ x: xy[0], y: xy[1], label: String(label || ""), population: Number(population) || 0 });
      const c = svg("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: 3, class: cls, tabindex: -1, role: "button", "aria-label": name });
      const title = svg("title", {}); title.textContent = name;
      add(c, title);
      opens.set(c, open);
      map.set(id, c); points.push(c);
      return c;
    }
    // What a line or a dot opens: its card. One listener for all of them.
    const opens = new Map();
    const opener = (target) => {
      const item = target.closest && target.closest("line.proposal, circle");
      return item ? (item.tagName === "line" ? () => openCard(Number(item.dataset.index)) : opens.get(item)) : null;
    };
    map.addEventListener("click", (e) => { const open = opener(e.target); if (open) { e.stopPropagation(); open(); } });
    proposals.forEach((p, i) => {
      const a = project(p.hromada_lon, p.hromada_lat), b = project(p.partner_lon, p.partner_lat);
      const line = svg("line", { x1: a[0].toFixed(1), y1: a[1].toFixed(1), x2: b[0].toFixed(1), y2: b[1].toFixed(1), class: "proposal", stroke: colour(p.score) });
      line.dataset.index = i;
      const title = svg("title", {}); title.textContent = `${p.hromada_name_latin} – ${p.partner_name_latin} (${fixed(p.score, 3)})`;
      add(line, title);
      line.setAttribute("tabindex", -1); line.setAttribute("role", "button"); line.setAttribute("aria-label", title.textContent);
      lines.push(line);
    });
    // The lowest-scoring proposals, the ones to question, drawn last, on top.
    lines.slice().sort((x, y) => proposals[y.dataset.index].score - proposals[x.dataset.index].score).forEach((l) => layers.lines.appendChild(l));
    proposals.forEach((p, i) => {
      dot(partnerDots, p.partner_id, p.partner_lon, p.partner_lat, "partner", `${p.partner_name} (${countryName(p.partner_country)})`, () => openCard(i),
          p.partner_name, p.partner_population);
    });
    proposals.forEach((p, i) => {
      dot(hromadaDots, p.hromada_id, p.hromada_lon, p.hromada_lat, "hromada", `${p.hromada_name} (${p.hromada_region})`, () => openCard(i),
          p.hromada_name, p.hromada_population);
    });
    unmatched.forEach((u, i) => {
      if (hromadaDots.has(u.hromada_id)) return;
      dot(hromadaDots, u.hromada_id, u.hromada_lon, u.hromada_lat, "unmatched", `${u.hromada_name}: ${u.reason}`, () => showUnmatched(i),
          u.hromada_name, u.hromada_population);
    });
    // The largest places first (then by name), so that where labels would overlap the larger
    // place keeps its name.
    for (const side of places) side.sort((a, b) => b.population - a.population || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    for (const c of points) layers.points.appendChild(c);
    // The map is one stop for Tab: the arrow keys move between its lines (those shown, the
    // order drawn) and then its places; Enter or Space opens the card of the one in focus.
    const mapItems = () => [...layers.lines.querySelectorAll("line.proposal:not(.dimmed)"), ...points];
    let roving = null;
    function rove(item) {
      if (roving) roving.setAttribute("tabindex", -1);
      roving = item;
      if (roving) roving.setAttribute("tabindex", 0);
    }
    rove(mapItems()[0] || null);
    map.addEventListener("focusin", (e) => { if (opener(e.target)) rove(e.target); });
    map.addEventListener("keydown", (e) => {
      const open = opener(e.target);
      if (!open) return;
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); return; }
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -Infinity, End: Infinity }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      const items = mapItems(), at = items.indexOf(e.target);
      const next = items[Math.min(items.length - 1, Math.max(0, isFinite(step) ? at + step : step < 0 ? 0 : items.length - 1))];
      if (next) { rove(next); next.focus(); }
    });
    if (!isFinite(minX)) { minX = -2000; maxX = 2000; minY = -2000; maxY = 2000; }
    const pad = 0.06 * Math.max(maxX - minX, maxY - minY, 200);
    const home = { x: minX - pad, y: minY - pad, w: maxX - minX + 2 * pad, h: maxY - minY + 2 * pad };
    let view = Object.assign({}, home);
    function setView(v) {
      view = v;
      map.setAttribute("viewBox", `${v.x.toFixed(2)} ${v.y.toFixed(2)} ${v.w.toFixed(2)} ${v.h.toFixed(2)}`);
      const r = (3.2 * Math.sqrt(v.w / home.w) * home.w / 1000).toFixed(2);
      for (const c of points) c.setAttribute("r", r);
      placeLabels(v);
    }
    // Names on the map once it is zoomed in (at least twice): the largest places in view, a
    // hromada and a partner in turn (partner cities are larger: alone they would take every
    // label), at most maxLabels, none over another (each measured as drawn); a fixed size on
    // screen whatever the zoom.
    const maxLabels = 40, maxTried = 400;
    function placeLabels(v) {
      layers.labels.replaceChildren();
      if (v.w > home.w / 2) return;
      const perPixel = v.w / Math.max(1, map.clientWidth || 900), size = 11 * perPixel, taken = [], at = [0, 0];
      const shown = (p) => p.label.trim() && p.x >= v.x && p.x <= v.x + v.w && p.y >= v.y && p.y <= v.y + v.h;
      // The next place of side k in view, largest first.
      const next = (k) => { while (at[k] < places[k].length && !shown(places[k][at[k]])) at[k] += 1; return places[k][at[k]++] || null; };
      let tried = 0, turn = 0;
      while (taken.length < maxLabels && tried < maxTried) {
        const p = next(turn) || next(1 - turn);
        if (!p) break;
        turn = 1 - turn;
        tried += 1;
        const t = svg("text", { x: (p.x + 4 * perPixel).toFixed(2), y: p.y.toFixed(2), "font-size": size.toFixed(3), class: "place-label" });
        t.textContent = p.label.length > 32 ? p.label.slice(0, 31) + "…" : p.label;
        layers.labels.appendChild(t);
        const b = t.getBBox(), box = { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height };
        if (taken.some((o) => box.x0 < o.x1 && o.x0 < box.x1 && box.y0 < o.y1 && o.y0 < box.y1)) { t.remove(); continue; }
        taken.push(box);
      }
    }
    setView(home);
    function zoom(factor, cx, cy) {
      if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
      const w = Math.min(home.w * 4, Math.max(home.w / 200, view.w * factor)), k = w / view.w;
      setView({ x: cx - (cx - view.x) * k, y: cy - (cy - view.y) * k, w, h: view.h * k });
    }
    function toMap(clientX, clientY) {
      const pt = map.createSVGPoint(); pt.x = clientX; pt.y = clientY;
      return pt.matrixTransform(map.getScreenCTM().inverse());
    }
    map.addEventListener("wheel", (e) => { e.preventDefault(); const p = toMap(e.clientX, e.clientY); zoom(Math.exp(e.deltaY * 0.0015), p.x, p.y); }, { passive: false });
    let drag = null;
    map.addEventListener("pointerdown", (e) => { if (e.button === 0) drag = { p: toMap(e.clientX, e.clientY), moved: false }; });
    map.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const p = toMap(e.clientX, e.clientY), dx = p.x - drag.p.x, dy = p.y - drag.p.y;
      if (!drag.moved && Math.hypot(dx, dy) < view.w / 400) return;
      if (!drag.moved) { drag.moved = true; map.setPointerCapture(e.pointerId); map.classList.add("dragging"); }
      setView({ x: view.x - dx, y: view.y - dy, w: view.w, h: view.h });
    });
    const endDrag = () => { drag = null; map.classList.remove("dragging"); };
    map.addEventListener("pointerup", endDrag); map.addEventListener("pointercancel", endDrag);
    $("zoom-in").addEventListener("click", () => zoom(1 / 1.6));
    $("zoom-out").addEventListener("click", () => zoom(1.6));
    $("zoom-reset").addEventListener("click", () => setView(Object.assign({}, home)));
    // The filtered proposals' extent, both ends of every line shown, with a margin (at
    // least 200 km across, so one pair is not blown up to the whole frame).
    $("zoom-shown").addEventListener("click", () => {
      syncMap();
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const l of lines) {
        if (l.classList.contains("dimmed")) continue;
        for (const [x, y] of [[+l.getAttribute("x1"), +l.getAttribute("y1")], [+l.getAttribute("x2"), +l.getAttribute("y2")]]) {
          x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
        }
      }
      if (!isFinite(x0)) return;
      const side = Math.max(x1 - x0, (y1 - y0) * home.w / home.h, 200), w = side * 1.12, h = w * home.h / home.w;
      setView({ x: (x0 + x1) / 2 - w / 2, y: (y0 + y1) / 2 - h / 2, w, h });
    });
    const legend = $("score-legend");
    const gradient = svg("linearGradient", { id: "score-gradient" });
    for (let k = 0; k <= 4; k++) add(gradient, svg("stop", { offset: `${k * 25}%`, "stop-color": colour(low + (high - low) * k / 4) }));
    add(legend, add(svg("defs", {}), gradient), svg("rect", { x: 0, y: 2, width: 120, height: 10, fill: "url(#score-gradient)" }));
    $("score-low").textContent = fixed(low, 2); $("score-high").textContent = fixed(high, 2);

    // ---- Decisions made in the page ----------------------------------------------------
    // Kept in this browser for these very proposals (the SHA-256 of their proposals.json),
    // and exported as the CSV that `twinning decide import` records: ids and names, the
    // decision and its note, who and when, and the run and proposals it was made on.
    const storage = (() => { try { return window.localStorage; } catch (e) { return null; } })();
    const decisionsKey = `twinning-decisions:${META.proposals_sha256 || ""}`;
    const pairKey = (p) => `${p.hromada_id}|${p.partner_id}`;
    let decisions = {};
    try { decisions = JSON.parse((storage && storage.getItem(decisionsKey)) || "{}") || {}; } catch (e) { decisions = {}; }
    const decisionOf = (i) => decisions[pairKey(proposals[i])];
    const decisionLabel = (d) => d ? (d.decision === "accept" ? "accepted" : "rejected") : "";
    const decisionText = (d) => d ? `${decisionLabel(d)} here` + (d.by ? ` by ${d.by}` : "") + `, ${d.at}` : "undecided";
    function decide(list, kind, note) {
      const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), by = $("decided-by").value.trim();
      for (const i of list) {
        const k = pairKey(proposals[i]);
        if (kind) decisions[k] = { decision: kind, note: note !== undefined ? note : ((decisions[k] || {}).note || ""), at, by };
        else delete decisions[k];
        refreshDecision(i);
      }
      try { if (storage) storage.setItem(decisionsKey, JSON.stringify(decisions)); } catch (e) { /* kept for this visit only */ }
      decisionsChanged();
    }
    function csvCell(v) {
      let t = v === undefined || v === null ? "" : String(v);
      if (/^[=+\-@\t\r]/.test(t)) t = "'" + t;
      return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
    }
    function decisionsCSV() {
      const lines = [["ua_id", "eu_id", "decision", "note", "hromada_name", "hromada_name_latin", "partner_name", "partner_name_latin",
                      "decided_by", "decided_at", "run", "proposals_sha256"].join(",")];
      proposals.forEach((p, i) => {
        const d = decisionOf(i);
        if (d) lines.push([p.hromada_id, p.partner_id, d.decision, d.note, p.hromada_name, p.hromada_name_latin, p.partner_name,
                           p.partner_name_latin, d.by, d.at, META.run === undefined || META.run === null ? "" : META.run,
                           META.proposals_sha256].map(csvCell).join(","));
      });
      return lines.join("\r\n") + "\r\n";
    }

    // ---- Cards -----------------------------------------------------------------------
    const card = $("card");
    let selected = null, selectedDots = [];
    function select(i, dots) {
      if (selected !== null) { lines[selected].classList.remove("selected"); if (rows.has(selected)) rows.get(selected).classList.remove("selected"); }
      for (const c of selectedDots) c.classList.remove("selected");
      selected = i;
      selectedDots = (dots || []).filter((c) => c);
      for (const c of selectedDots) c.classList.add("selected");
      if (i !== null) { lines[i].classList.add("selected"); if (rows.has(i)) rows.get(i).classList.add("selected"); }
    }
    function place(title, name, latin, where, population) {
      const box = el("div", "place");
      add(box, el("h4", null, title), el("h3", "name", name));
      if (latin && latin !== name) add(box, el("p", "latin", latin));
      add(box, el("p", "where", where));
      if (population !== null) add(box, el("p", null, `population ${whole(population)}`));
      return box;
    }
    function openCard(i) {
      const p = proposals[i];
      select(i, [hromadaDots.get(p.hromada_id), partnerDots.get(p.partner_id)]);
      card.replaceChildren();
      card.dataset.index = i;
      card.dataset.hromada = p.hromada_id;
      card.dataset.partner = p.partner_id;
      add(card, add(el("div", "pair"),
        place("Hromada", p.hromada_name, p.hromada_name_latin, `${p.hromada_region}, Ukraine`, p.hromada_population),
        place(p.partner_volunteer === 0 ? "Partner (to invite: has not signed up)" : "Partner", p.partner_name, p.partner_name_latin,
          `${regionLabel(p.partner_region)}, ${countryName(p.partner_country)}`, p.partner_population)));
      const status = el("span", `status ${p.status}`, p.status);
      add(card, add(el("p"), status, document.createTextNode(p.locked_by ? ` (${p.locked_by})` : "")));
      const decideBox = el("div", "decide"), note = el("textarea");
      note.id = "card-note"; note.rows = 2; note.value = (decisionOf(i) || {}).note || "";
      note.setAttribute("aria-label", "note for the decision"); note.placeholder = "note (why)";
      add(decideBox, el("p", "decision-state", decisionText(decisionOf(i))), note);
      for (const [text, kind] of [["accept", "accept"], ["reject", "reject"], ["undecide", null]]) {
        const b = el("button", null, text);
        b.type = "button"; b.dataset.decision = kind || "none";
        b.addEventListener("click", () => decide([i], kind, note.value));
        add(decideBox, b);
      }
      add(card, decideBox);
      const reasons = reasonsOf(i);
      if (reasons.length) {
        const why = el("ul", "reasons");
        for (const r of reasons) add(why, el("li", null, r));
        add(card, el("h4", null, "Why this pair"), why);
      }
      add(card, el("p", "score", `score ${fixed(p.score, 4)}`));
      if (p.likelihood !== null && p.likelihood !== undefined) {
        add(card, el("p", "likelihood", `likelihood ${fixed(p.likelihood, 3)}: more typical than ${Math.round(p.likelihood * 100)}% of the known partnerships`));
      }
      add(card, el("p", "fit", p.fit === null || p.fit === undefined ? p.fit_note
        : `fit ${fixed(p.fit, 2)}: how well the partner's offers meet the hromada's needs; ${p.fit_note}`));
      const table = el("table", "components");
      add(table, add(el("thead"), add(el("tr"), el("th", null, "component"), el("th", "num", "weight"), el("th", null, "value"),
        el("th", "num", ""), el("th", "num", "share"))));
      const body = el("tbody");
      let total = 0;
      for (const c of components) {
        // The components that weigh something (the old logit's weigh 0 by default).
        if (!D.weights[c]) continue;
        const v = componentOf(i, c), w = D.weights[c] || 0, share = contribution(c, v);
        total += share;
        const bar = el("div", w < 0 ? "bar negative" : "bar"), fill = el("span");
        fill.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
        add(bar, fill);
        const row = add(el("tr", "component"), el("th", null, c), el("td", "num", fixed(w, 2)), add(el("td"), bar),
          el("td", "num", fixed(v, 3)), el("td", "num share", fixed(share, 4)));
        row.dataset.component = c;
        add(body, row);
      }
      add(body, add(el("tr"), el("th", null, "components"), el("td", "num", `Σ|w| ${fixed(weightTotal, 2)}`), el("td"), el("td"),
        el("td", "num", fixed(total, 4))));
      add(card, add(table, body));
      add(card, el("p", "muted", "share = |weight| × value / Σ|weight| (1 − value for a negative weight)"));
      const sectors = sectorsOf(i);
      if (sectors.length) {
        const list = el("ul", "sectors");
        for (const t of sectors) add(list, el("li", null, `${t.sector}: need ${fixed(t.need, 2)} × offer ${fixed(t.offer, 2)}`));
        add(card, el("h4", null, "Where need meets offer"), list);
      }
      const alternatives = alternativesOf(p.hromada);
      if (alternatives.length) {
        const list = el("ol", "alternatives");
        for (const a of alternatives) {
          const item = el("li", null, `${a.partner_name_latin} (${a.partner_country}) ${fixed(a.score, 4)}, loses at least ${fixed(a.loss_at_least, 4)}`);
          if (a.partner_name !== a.partner_name_latin) item.title = a.partner_name;
          if (a.held_by_name_latin) add(item, el("span", "muted", `; held by ${a.held_by_name_latin}`));
          add(list, item);
        }
        add(card, el("h4", null, "Alternatives"), list);
      }
    }
    function showUnmatched(i) {
      const u = unmatched[i];
      select(null, [hromadaDots.get(u.hromada_id)]);
      card.replaceChildren();
      delete card.dataset.index;
      card.dataset.hromada = u.hromada_id;
      add(card, place("Hromada not fully matched", u.hromada_name, u.hromada_name_latin, `${u.hromada_region}, Ukraine`, null));
      add(card, el("p", null, `wanted ${u.wanted}, got ${u.got}`), el("p", null, u.reason));
    }

    // ---- Proposal table --------------------------------------------------------------
    const columns = [
      { title: "Hromada", key: (p) => p.hromada_name_latin, cell: (p) => twoNames(p.hromada_name, p.hromada_name_latin) },
      { title: "Oblast", key: (p) => p.hromada_region, cell: (p) => el("td", "oblast", p.hromada_region) },
      { title: "Partner", key: (p) => p.partner_name_latin, cell: (p) => twoNames(p.partner_name, p.partner_name_latin) },
      { title: "Country", key: (p) => countryName(p.partner_country), cell: (p) => el("td", "country", countryName(p.partner_country)) },
      { title: "Score", key: (p) => p.score, cell: (p) => el("td", "num score", fixed(p.score, 4)), numeric: true },
      { title: "km", key: (p) => p.distance_km, cell: (p) => el("td", "num", fixed(p.distance_km, 1)), numeric: true },
      { title: "Status", key: (p) => p.status, cell: (p) => add(el("td"), el("span", `status ${p.status}`, p.status)) },
      { title: "Decided here", key: (p) => { const d = decisions[pairKey(p)]; return d ? d.decision : ""; },
        cell: (p) => el("td", "decision", decisionLabel(decisions[pairKey(p)])), live: true },
    ];
    function twoNames(name, latin) {
      const td = el("td", "names");
      add(td, el("span", "name", name));
      if (latin && latin !== name) add(td, el("br"), el("span", "latin", latin));
      return td;
    }
    const head = add(el("tr"), ...columns.map((c, k) => {
      const th = el("th", c.numeric ? "sortable num" : "sortable", c.title);
      th.dataset.column = k; th.tabIndex = 0;
      return th;
    }));
    add($("proposals-head"), head);
    // The table shows one page of the filtered rows at a time: sorting and filtering work on
    // indices, and a row is made the first time its page is shown.
    const tbody = $("proposals-body"), rows = new Map();
    function rowOf(i) {
      if (!rows.has(i)) {
        const tr = add(el("tr"), ...columns.map((c) => c.cell(proposals[i])));
        tr.dataset.index = i;
        tr.tabIndex = 0;
        rows.set(i, tr);
      }
      const tr = rows.get(i);
      tr.classList.toggle("selected", selected === i);
      return tr;
    }
    const openRow = (tr) => { openCard(Number(tr.dataset.index)); card.scrollIntoView({ block: "nearest" }); };
    tbody.addEventListener("click", (e) => { const tr = e.target.closest("tr"); if (tr) openRow(tr); });
    tbody.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === " ") && e.target.matches("tr")) { e.preventDefault(); openRow(e.target); }
    });
    // A text column's keys as ranks in reading order (equal texts, equal ranks), made on its
    // first sort; numbers sort as they are. A live column's keys (the decisions) change, so
    // they are read each time.
    const ranks = new Map();
    function sortKeys(k) {
      const c = columns[k];
      if (c.numeric) return proposals.map(c.key);
      if (c.live || !ranks.has(k)) {
        const keys = proposals.map(c.key), distinct = [...new Set(keys)].sort(byName), rank = new Map(distinct.map((v, r) => [v, r]));
        const result = keys.map((v) => rank.get(v));
        if (!c.live) ranks.set(k, result);
        return result;
      }
      return ranks.get(k);
    }
    let order = { column: 4, descending: true }, ordered = [], kept = new Uint8Array(proposals.length).fill(1), shown = [], page = 0;
    for (const n of [50, 100, 250, 1000]) { const o = el("option", null, whole(n)); o.value = String(n); add($("page-size"), o); }
    $("page-size").value = "100";
    const pageSize = () => Number($("page-size").value) || 100;
    function orderRows() {
      const sign = order.descending ? -1 : 1, keys = sortKeys(order.column);
      ordered = proposals.map((_, i) => i).sort((a, b) => sign * (keys[a] - keys[b]) || a - b);
      for (const th of head.children) th.removeAttribute("aria-sort");
      head.children[order.column].setAttribute("aria-sort", order.descending ? "descending" : "ascending");
    }
    function sortRows() {
      orderRows();
      shown = ordered.filter((i) => kept[i]);
      showPage(0);
    }
    function sortBy(k) {
      order = { column: k, descending: order.column === k ? !order.descending : !!columns[k].numeric };
      sortRows();
    }
    for (const th of head.children) {
      th.addEventListener("click", () => sortBy(Number(th.dataset.column)));
      th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(Number(th.dataset.column)); } });
    }
    // Page k of the shown rows (or all of them, to print).
    function showPage(k, all) {
      const size = pageSize(), pages = Math.max(1, Math.ceil(shown.length / size));
      page = Math.min(Math.max(0, k), pages - 1);
      const from = all ? 0 : page * size, to = all ? shown.length : Math.min(shown.length, from + size);
      tbody.replaceChildren(...shown.slice(from, to).map(rowOf));
      $("page-status").textContent = shown.length ? `rows ${whole(from + 1)}–${whole(to)} of ${whole(shown.length)}, page ${page + 1} of ${pages}` : "no rows";
      $("page-first").disabled = $("page-previous").disabled = page === 0;
      $("page-next").disabled = $("page-last").disabled = page >= pages - 1;
    }
    $("page-first").addEventListener("click", () => showPage(0));
    $("page-previous").addEventListener("click", () => showPage(page - 1));
    $("page-next").addEventListener("click", () => showPage(page + 1));
    $("page-last").addEventListener("click", () => showPage(Infinity));
    $("page-size").addEventListener("change", () => showPage(0));
    // A printout holds every shown row, one proposal per line; the screen goes back to its page.
    window.addEventListener("beforeprint", () => showPage(page, true));
    window.addEventListener("afterprint", () => showPage(page));

    // ---- Filters ---------------------------------------------------------------------
    // An option's value is its position, never the text: a blank name is not "all".
    function options(select, values, all, label = (v) => v) {
      const option = el("option", null, all);
      option.value = "";
      add(select, option);
      values.forEach((v, k) => {
        const o = el("option", null, String(v).trim() ? isolated(label(v)) : `(blank: ${JSON.stringify(v)})`);
        o.value = String(k);
        add(select, o);
      });
      select.value = "";
      return (value) => value === "" ? null : values[Number(value)];
    }
    const counts = (key) => { const m = new Map(); for (const p of proposals) m.set(key(p), (m.get(key(p)) || 0) + 1); return m; };
    const oblasts = counts((p) => p.hromada_region), countries = counts((p) => p.partner_country), statuses = counts((p) => p.status);
    const chosenOblast = options($("f-oblast"), [...oblasts.keys()].sort(byName), "all oblasts");
    const chosenCountry = options($("f-country"), [...countries.keys()].sort((a, b) => byName(countryName(a), countryName(b))),
      "all countries", countryLabel);
    const chosenStatus = options($("f-status"), [...statuses.keys()].sort(byText), "any status");
    const searchText = proposals.map((p) => fold([p.hromada_name, p.hromada_name_latin, p.hromada_id, p.partner_name, p.partner_name_latin, p.partner_id].join(" ")));
    // The map's lines as the filters left them.
    let mapStale = false;
    function syncMap() {
      if (mapStale) {
        lines.forEach((line, i) => { if (line.classList.contains("dimmed") === !!kept[i]) line.classList.toggle("dimmed", !kept[i]); });
        if (!roving || roving.classList.contains("dimmed")) rove(mapItems()[0] || null);
      }
      mapStale = false;
      map.removeAttribute("aria-busy");
    }
    function applyFilters() {
      const oblast = chosenOblast($("f-oblast").value), country = chosenCountry($("f-country").value), status = chosenStatus($("f-status").value);
      const decision = $("f-decision").value;
      const min = $("f-min").value === "" ? -Infinity : Number($("f-min").value);
      const max = $("f-max").value === "" ? Infinity : Number($("f-max").value);
      const words = fold($("f-search").value).split(/\s+/).filter((w) => w);
      proposals.forEach((p, i) => {
        const keep = (oblast === null || p.hromada_region === oblast) && (country === null || p.partner_country === country)
          && (status === null || p.status === status)
          && (!decision || (decision === "undecided" ? !decisionOf(i) : (decisionOf(i) || {}).decision === decision))
          && p.score >= min && p.score <= max && words.every((w) => searchText[i].includes(w)) ? 1 : 0;
        if (keep !== kept[i]) { kept[i] = keep; mapStale = true; }
      });
      shown = ordered.filter((i) => kept[i]);
      showPage(0);
      // The table is painted first; the map follows in the next task (at 15,000 proposals
      // Chromium takes up to half a second to lay out its lines again), once for a burst
      // of keystrokes, busy meanwhile.
      if (mapStale && !map.hasAttribute("aria-busy")) {
        map.setAttribute("aria-busy", "true");
        requestAnimationFrame(() => setTimeout(syncMap, 0));
      }
      const said = [["oblast", oblast], ["partner country", country], ["status", status],
        ["score from", $("f-min").value], ["score to", $("f-max").value], ["search", $("f-search").value],
        ["decision here", decision && $("f-decision").selectedOptions[0].textContent]]
        .filter(([, v]) => v !== null && v !== "").map(([k, v]) => `${k} ${JSON.stringify(String(v))}`);
      $("showing").textContent = (shown.length === proposals.length ? `all ${whole(shown.length)} proposals`
        : `${whole(shown.length)} of ${whole(proposals.length)} proposals`)
        + (said.length ? `, filtered by ${said.join(", ")}` : "");
    }
    for (const [value, text] of [["", "any"], ["undecided", "undecided"], ["accept", "accepted here"], ["reject", "rejected here"]]) {
      const o = el("option", null, text); o.value = value; add($("f-decision"), o);
    }
    for (const id of ["f-oblast", "f-country", "f-status", "f-min", "f-max", "f-search", "f-decision"]) {
      $(id).addEventListener("input", applyFilters);
      $(id).addEventListener("change", applyFilters);
    }
    $("f-clear").addEventListener("click", () => {
      for (const id of ["f-oblast", "f-country", "f-status", "f-min", "f-max", "f-search", "f-decision"]) $(id).value = "";
      applyFilters();
    });
    // The first page is shown once, by the filters (which also say what is shown).
    orderRows();
    applyFilters();
    // The text columns' ranks, made once the page is drawn, one column per task (a click
    // waits for one at most), so that no first sort waits for them.
    const unranked = columns.map((c, k) => k).filter((k) => !columns[k].numeric && !columns[k].live);
    const rankNext = () => { if (unranked.length) { sortKeys(unranked.shift()); setTimeout(rankNext, 0); } };
    setTimeout(rankNext, 0);

    // The decisions' own controls: who decides (asked once, kept), the shown rows at once, the export.
    const who = $("decided-by");
    try { who.value = (storage && storage.getItem("twinning-decided-by")) || ""; } catch (e) { /* none kept */ }
    who.addEventListener("change", () => { try { if (storage) storage.setItem("twinning-decided-by", who.value.trim()); } catch (e) { /* kept for this visit */ } });
    $("accept-shown").addEventListener("click", () => decide(shown, "accept"));
    $("reject-shown").addEventListener("click", () => decide(shown, "reject"));
    $("clear-shown").addEventListener("click", () => decide(shown, null));
    function refreshDecision(i) {
      const d = decisionOf(i);
      if (rows.has(i)) rows.get(i).querySelector("td.decision").textContent = decisionLabel(d);
      if (card.dataset.index === String(i)) card.querySelector(".decision-state").textContent = decisionText(d);
    }
    function decisionsChanged() {
      const all = proposals.map((_, i) => decisionOf(i)).filter((d) => d);
      const accepted = all.filter((d) => d.decision === "accept").length;
      $("decisions-count").textContent = ` ${accepted} accepted, ${all.length - accepted} rejected here`;
      $("decisions-export").href = "data:text/csv;charset=utf-8," + encodeURIComponent(decisionsCSV());
      if ($("f-decision").value) applyFilters();
    }
    decisionsChanged();

    // ---- Unmatched -------------------------------------------------------------------
    const ubody = $("unmatched-body");
    if (!unmatched.length) {
      $("unmatched-note").textContent = "Every seeking hromada got all the partners it asked for.";
      $("unmatched-table").hidden = true;
    }
    unmatched.forEach((u, i) => {
      const tr = add(el("tr"), twoNames(u.hromada_name, u.hromada_name_latin), el("td", null, u.hromada_region),
        el("td", "num", u.wanted), el("td", "num", u.got), el("td", null, u.reason));
      tr.addEventListener("click", () => { showUnmatched(i); card.scrollIntoView({ block: "nearest" }); });
      add(ubody, tr);
    });

    // ---- Charts ----------------------------------------------------------------------
    function horizontalBars(target, entries) {
      const rowHeight = 16, labelWidth = 150, width = 460, barWidth = width - labelWidth - 40;
      const top = Math.max(1, ...entries.map((e) => e[1]));
      const chart = svg("svg", { viewBox: `0 0 ${width} ${entries.length * rowHeight + 4}`, role: "img",
        "aria-label": entries.map(([label, value]) => `${label}: ${value}`).join("; ") });
      entries.forEach(([label, value], k) => {
        const y = k * rowHeight + 2;
        const name = svg("text", { x: labelWidth - 6, y: y + 11, "text-anchor": "end" }); name.textContent = label;
        const bar = svg("rect", { class: "bar-rect", x: labelWidth, y, width: (barWidth * value / top).toFixed(1), height: rowHeight - 4 });
        const count = svg("text", { x: labelWidth + barWidth * value / top + 4, y: y + 11 }); count.textContent = value;
        add(chart, name, bar, count);
      });
      add(target, chart);
    }
    function histogram(target, values, bins) {
      const width = 460, height = 180, left = 36, right = 14, bottom = 22, counts = new Array(bins).fill(0);
      for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
      const top = Math.max(1, ...counts), barWidth = (width - left - right) / bins;
      const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
        "aria-label": `scores in ${bins} bins from 0 to 1: ` + counts.map((n, k) => `${fixed(k / bins, 2)}–${fixed((k + 1) / bins, 2)}: ${n}`).filter((t) => !t.endsWith(": 0")).join("; ") });
      counts.forEach((n, k) => {
        const h = (height - bottom - 6) * n / top;
        const bar = svg("rect", { class: "bar-rect", x: (left + k * barWidth + 1).toFixed(1), y: (height - bottom - h).toFixed(1), width: (barWidth - 2).toFixed(1), height: h.toFixed(1) });
        const tip = svg("title", {}); tip.textContent = `${(k / bins).toFixed(2)}–${((k + 1) / bins).toFixed(2)}: ${n}`;
        add(chart, add(bar, tip));
      });
      for (let k = 0; k <= 4; k++) {
        const label = svg("text", { x: left + (width - left - right) * k / 4, y: height - 6, "text-anchor": "middle" }); label.textContent = (k / 4).toFixed(2);
        add(chart, label);
      }
      const axis = svg("text", { x: 2, y: 12 }); axis.textContent = String(top);
      add(chart, axis);
      add(target, chart);
    }
    histogram($("chart-scores"), scores, 20);
    const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]));
    horizontalBars($("chart-countries"), sorted(countries));
    horizontalBars($("chart-oblasts"), sorted(oblasts));

    // ---- Provenance ------------------------------------------------------------------
    function rowsTable(target, head, data) {
      const t = el("table");
      add(t, add(el("tr"), ...head.map((h) => el("th", null, h))));
      for (const r of data) add(t, add(el("tr"), ...r.map((v, k) => k === r.length - 1 && head[k] === "SHA-256" ? add(el("td"), el("code", null, v)) : el("td", null, v))));
      add(target, t);
    }
    const made = $("made");
    made.textContent = `Made by twinning ${D.tool_version} (files schema ${D.schema_version})` + (META.date ? ` on ${META.date}.` : ".");
    rowsTable($("inputs"), ["input", "path", "SHA-256"], Object.keys(D.inputs).sort(byText).map((k) => [k, D.inputs[k].path, D.inputs[k].sha256]));
    rowsTable($("weights"), ["weight", "value"], Object.keys(D.weights).map((k) => [k, String(D.weights[k])]));
    const ruleNames = Object.keys(D.rules).sort(byText);
    if (ruleNames.length) rowsTable($("rules"), ["rule", "value"], ruleNames.map((k) => [k, JSON.stringify(D.rules[k])]));
    else $("rules").textContent = "No rules file: the defaults.";
    if (D.attribution) $("attribution").textContent = D.attribution;

    performance.mark("twinning-rendered");
    document.documentElement.dataset.rendered = (performance.now() - started).toFixed(1);
  }
})();
"""#
}
