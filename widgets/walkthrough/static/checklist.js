// Indicator checklist: groups (collapsible, rendered when first opened), present/absent/unknown per
// indicator, a note and linked evidence, each change saved by the kernel within a second (no Save
// button). All text is set with textContent: nothing the user or a referral wrote is parsed as HTML.
const STATUSES = [["present", "Present"], ["absent", "Absent"], ["unknown", "Unknown"]];
const NOTE_DELAY = 500;

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function render({ model, el }) {
  let items = new Map();   // id -> item state (what the user sees, including unsaved input)
  let rows = new Map();    // id -> row element refs (only for rendered groups)
  let timers = new Map();
  const root = h("section", { class: "wbc", "aria-labelledby": "wbc-title" });
  el.append(root);

  function summaryCounts() {
    const c = { present: 0, absent: 0, unknown: 0, none: 0 };
    for (const it of items.values()) c[it.status || "none"] += 1;
    return c;
  }

  function groupSummaryText(g) {
    const n = { present: 0, absent: 0, unknown: 0 };
    for (const it of g.items) { const s = items.get(it.id).status; if (s) n[s] += 1; }
    const done = n.present + n.absent + n.unknown;
    return `${g.title} — ${g.count} indicator${g.count === 1 ? "" : "s"}, ${done} assessed` +
      (n.present ? `, ${n.present} present` : "");
  }

  function refreshCounts() {
    const c = summaryCounts();
    const line = root.querySelector(".wbc-counts");
    if (line) line.textContent = `${items.size} indicators: ${c.present} present, ${c.absent} absent, ` +
      `${c.unknown} unknown, ${c.none} not yet assessed.`;
    for (const d of root.querySelectorAll("details.wbc-group")) {
      const g = d._group; d.querySelector(".wbc-gtitle").textContent = groupSummaryText(g);
    }
  }

  function setRowState(id, state, text) {
    const r = rows.get(id);
    if (!r) return;
    r.row.dataset.state = state;
    r.saved.textContent = text;
  }

  function send(id, extra = {}) {
    const it = items.get(id);
    if (!it.status) { it.status = "unknown"; const r = rows.get(id); if (r) r.radios.unknown.checked = true; }
    setRowState(id, "saving", "Saving…");
    model.send({ type: "save", id, status: it.status, note: it.note, evidence: it.evidence, ...extra });
  }

  function noteChanged(id) {
    clearTimeout(timers.get(id));
    setRowState(id, "editing", "Unsaved: saving in a moment…");
    timers.set(id, setTimeout(() => { timers.delete(id); send(id); }, NOTE_DELAY));
  }

  function flushNote(id) {
    if (timers.has(id)) { clearTimeout(timers.get(id)); timers.delete(id); send(id); }
  }

  function renderMore(r, it, evidence) {
    const body = r.more.querySelector(".wbc-more-body");
    if (body.childElementCount) return;
    const noteId = `wbc-note-${r.uid}`;
    const note = h("textarea", { id: noteId, rows: 2, class: "wbc-note" });
    note.value = it.note || "";
    note.addEventListener("input", () => { it.note = note.value; noteChanged(it.id); });
    note.addEventListener("blur", () => flushNote(it.id));
    r.note = note;
    const ev = h("fieldset", { class: "wbc-evidence" }, h("legend", { text: "Evidence that supports this" }));
    r.evChecks = new Map();
    if (!evidence.length) ev.append(h("p", { class: "wbc-muted", text: "No evidence items on this case yet." }));
    for (const e of evidence) {
      const cb = h("input", { type: "checkbox", value: e.id });
      cb.checked = it.evidence.includes(e.id);
      cb.addEventListener("change", () => {
        it.evidence = [...r.evChecks.entries()].filter(([, c]) => c.checked).map(([k]) => k);
        send(it.id);
      });
      r.evChecks.set(e.id, cb);
      ev.append(h("label", { class: "wbc-evlabel" }, cb, document.createTextNode(" " + e.label)));
    }
    body.append(h("label", { for: noteId, text: "Note" }), note, ev);
  }

  function moreSummary(it) {
    const parts = [];
    if (it.note) parts.push(`Note: \u201c${it.note.length > 70 ? it.note.slice(0, 70) + "…" : it.note}\u201d`);
    if (it.evidence.length) parts.push(`${it.evidence.length} evidence item${it.evidence.length === 1 ? "" : "s"} linked`);
    return parts.length ? parts.join(" · ") + " (open to edit)" : "Add a note or link evidence";
  }

  let uid = 0;
  function renderItem(it, evidence) {
    const n = ++uid;
    const legendId = `wbc-l-${n}`;
    const row = h("div", { class: "wbc-item", "data-indicator": it.id, "data-state": it.status ? "saved" : "new" });
    const fs = h("fieldset", { class: "wbc-status", "aria-labelledby": legendId });
    const legend = h("legend", { id: legendId },
      h("span", { class: "wbc-text", text: it.text }),
      it.strength ? h("span", { class: `wbc-strength wbc-${it.strength}`, text: it.strength }) : null,
      it.on_referral ? h("span", { class: "wbc-where", text: it.where }) : null);
    fs.append(legend);
    const radios = {};
    const opts = h("div", { class: "wbc-options" });
    for (const [value, label] of STATUSES) {
      const rb = h("input", { type: "radio", name: `wbc-st-${n}`, value });
      rb.checked = it.status === value;
      rb.addEventListener("change", () => { if (rb.checked) { it.status = value; send(it.id); refreshCounts(); } });
      radios[value] = rb;
      opts.append(h("label", { class: `wbc-opt wbc-opt-${value}` }, rb, document.createTextNode(" " + label)));
    }
    const saved = h("span", { class: "wbc-saved", "aria-live": "polite",
      text: it.by ? `Saved by ${it.by}, ${it.at}` : "" });
    opts.append(saved);
    fs.append(opts);
    row.append(fs);
    const more = h("details", { class: "wbc-more" }, h("summary", { text: moreSummary(it) }),
      h("div", { class: "wbc-more-body" }));
    const stale = h("div", { class: "wbc-stale", role: "alert", hidden: true });
    row.append(more, stale);
    const r = { row, radios, saved, more, stale, uid: n };
    rows.set(it.id, r);
    more.addEventListener("toggle", () => { if (more.open) renderMore(r, it, evidence); });
    return row;
  }

  function renderGroupBody(d, g, evidence) {
    if (d._rendered) return;
    d._rendered = true;
    const body = d.querySelector(".wbc-gbody");
    const frag = document.createDocumentFragment();
    for (const it of g.items) frag.append(renderItem(items.get(it.id), evidence));
    body.append(frag);
  }

  function renderGuidance(container) {
    const gd = model.get("guidance") || {};
    container.replaceChildren();
    if (!gd.label) return;
    const det = h("details", { class: "wbc-guidance", open: true, "data-testid": "ilo-guidance" },
      h("summary", { text: "ILO combination rule — guidance only, not a decision" }));
    det.append(h("p", { class: "wbc-guidance-label", text: gd.label }));
    if (gd.child_reminder) det.append(h("p", { class: "wbc-child", role: "note", text: gd.child_reminder }));
    for (const l of gd.lists || []) {
      const t = h("table", { class: "wbc-dims" },
        h("caption", { text: l.title }),
        h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Dimension" }),
          h("th", { scope: "col", text: "Present (strong / medium / weak)" }),
          h("th", { scope: "col", text: "Positive on the ILO rule?" }))));
      const tb = h("tbody");
      for (const d of l.dimensions) {
        tb.append(h("tr", { class: d.positive ? "wbc-pos" : "" },
          h("td", { text: `${d.dimension}. ${d.name}` }),
          h("td", { text: `${d.counts.strong} / ${d.counts.medium} / ${d.counts.weak}` }),
          h("td", { text: d.positive ? `Yes (${d.combination})` : "Not yet" })));
      }
      t.append(tb);
      det.append(t);
      const ul = h("ul", { class: "wbc-reqs" });
      for (const q of l.requirements) ul.append(h("li", { text: `${q.met ? "Met" : "Not met"}: ${q.label} — ${q.why}` }));
      det.append(ul, h("p", { class: "wbc-guidance-sum", text: l.summary }));
    }
    for (const u of gd.unavailable || []) det.append(h("p", { class: "wbc-muted", text: u }));
    if (!(gd.lists || []).length && !(gd.unavailable || []).length)
      det.append(h("p", { class: "wbc-muted", text: "No ILO list applies to this case's exploitation type and age." }));
    container.append(det);
  }

  function renderAll() {
    const data = model.get("data") || {};
    items = new Map(); rows = new Map();
    for (const t of timers.values()) clearTimeout(t);
    timers = new Map();
    root.replaceChildren();
    root.dataset.caseId = data.case_id || "";
    root.setAttribute("data-testid", "checklist");
    root.append(h("h3", { id: "wbc-title", text: "Indicator checklist" }));
    if (!data.groups) { root.append(h("p", { class: "wbc-muted", text: "Choose a case to see its checklist." })); return; }
    for (const g of data.groups) for (const it of g.items)
      items.set(it.id, { ...it, evidence: [...(it.evidence || [])] });
    root.append(h("p", { class: "wbc-help", text: "Each change is saved as you make it; there is no Save button. " +
      "Open a group to walk its indicators." }));
    root.append(h("p", { class: "wbc-counts", role: "status" }));
    const guidance = h("div", { class: "wbc-guidance-wrap" });
    root.append(guidance);
    renderGuidance(guidance);
    const tools = h("div", { class: "wbc-tools" },
      h("button", { type: "button", text: "Open all groups", onclick: () => {
        for (const d of root.querySelectorAll("details.wbc-group")) d.open = true; } }),
      h("button", { type: "button", text: "Close all groups", onclick: () => {
        for (const d of root.querySelectorAll("details.wbc-group")) d.open = false; } }));
    root.append(tools);
    const list = h("div", { class: "wbc-groups" });
    data.groups.forEach((g, i) => {
      const d = h("details", { class: "wbc-group", "data-group": g.key },
        h("summary", {}, h("span", { class: "wbc-gtitle" })), h("div", { class: "wbc-gbody" }));
      d._group = g;
      if (i === 0) { d.open = true; renderGroupBody(d, g, data.evidence || []); }
      d.addEventListener("toggle", () => { if (d.open) renderGroupBody(d, g, data.evidence || []); });
      list.append(d);
    });
    root.append(list);
    root.dataset.ready = data.case_id;
    refreshCounts();
  }

  function showStale(id, msg) {
    const r = rows.get(id);
    if (!r) return;
    const it = items.get(id);
    const th = msg.theirs || {};
    r.stale.hidden = false;
    r.stale.replaceChildren(
      h("p", { text: msg.message }),
      h("p", { class: "wbc-theirs", text: `Their version: ${th.status || "—"}` +
        (th.note ? `; note \u201c${th.note}\u201d` : "") +
        (th.evidence && th.evidence.length ? `; evidence ${th.evidence.map((e) => "#" + e).join(", ")}` : "") }),
      h("p", { class: "wbc-mine", text: `Yours (not saved): ${it.status || "—"}` + (it.note ? `; note \u201c${it.note}\u201d` : "") }),
      h("button", { type: "button", text: "Keep mine (save it over theirs)", onclick: () => {
        r.stale.hidden = true; send(id, { over: th.version }); } }),
      h("button", { type: "button", text: "Take theirs", onclick: () => {
        r.stale.hidden = true;
        it.status = th.status; it.note = th.note || ""; it.evidence = [...(th.evidence || [])];
        for (const [v, rb] of Object.entries(r.radios)) rb.checked = v === it.status;
        if (r.note) r.note.value = it.note;
        if (r.evChecks) for (const [k, cb] of r.evChecks) cb.checked = it.evidence.includes(k);
        model.send({ type: "accept", id, version: th.version, status: th.status });
        setRowState(id, "saved", `Showing ${th.by}'s version`);
        refreshCounts(); } }));
    setRowState(id, "stale", "Not saved: changed by someone else");
  }

  model.on("msg:custom", (msg) => {
    if (msg.case_id && String(msg.case_id) !== String(root.dataset.caseId)) return;
    if (msg.type === "saved") {
      const it = items.get(msg.id);
      if (it) { it.by = msg.by; it.at = msg.at; }
      const r = rows.get(msg.id);
      if (r) r.stale.hidden = true;
      if (!timers.has(msg.id)) setRowState(msg.id, "saved", `Saved by ${msg.by}, ${msg.at}`);
      if (r && it && !r.more.open) r.more.querySelector("summary").textContent = moreSummary(it);
      refreshCounts();
    } else if (msg.type === "stale") {
      showStale(msg.id, msg);
    } else if (msg.type === "error") {
      setRowState(msg.id, "error", msg.message);
      const r = rows.get(msg.id);
      if (r) { r.stale.hidden = false; r.stale.replaceChildren(h("p", { text: msg.message })); }
    }
  });
  model.on("change:data", renderAll);
  model.on("change:guidance", () => {
    const wrap = root.querySelector(".wbc-guidance-wrap");
    if (wrap) {
      const wasOpen = wrap.querySelector("details") ? wrap.querySelector("details").open : true;
      renderGuidance(wrap);
      const d = wrap.querySelector("details"); if (d) d.open = wasOpen;
    }
  });
  renderAll();
}

export default { render };
