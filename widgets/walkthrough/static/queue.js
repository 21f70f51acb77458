// The panel's queue: filters, then a table most urgent first, 50 rows at a time. Each case reference is
// a button (keyboard: Tab to it, Enter to open). Text is set with textContent only.
const PAGE = 50;

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

function select(id, label, options, value, onchange) {
  const s = h("select", { id, onchange: () => onchange(s.value) });
  for (const [text, v] of options) {
    const o = h("option", { value: v, text });
    if (v === value) o.selected = true;
    s.append(o);
  }
  return h("div", { class: "wbq-filter" }, h("label", { for: id, text: label }), s);
}

function render({ model, el }) {
  let shown = PAGE;
  const root = h("section", { class: "wbq", "aria-labelledby": "wbq-title", "data-testid": "queue" });
  el.append(root);
  const f = model.get("filters") || {};
  const opts = model.get("options") || {};
  const filters = { stage: f.stage || "", exploitation: f.exploitation || "", age: f.age || "" };
  const send = () => { status.textContent = "Loading the queue…"; model.send({ type: "filter", ...filters }); };
  const status = h("p", { class: "wbq-status", role: "status", "aria-live": "polite" });
  const head = h("div", { class: "wbq-head" },
    h("h2", { id: "wbq-title", text: "Your panel's queue" }),
    h("div", { class: "wbq-filters", role: "group", "aria-label": "Filter the queue" },
      select("wbq-stage", "Stage", opts.stage || [], filters.stage, (v) => { filters.stage = v; send(); }),
      select("wbq-type", "Exploitation type", opts.exploitation || [], filters.exploitation,
        (v) => { filters.exploitation = v; send(); }),
      select("wbq-age", "Adult or child", opts.age || [], filters.age, (v) => { filters.age = v; send(); })));
  const scroll = h("div", { class: "wbq-scroll" });
  const more = h("button", { type: "button", class: "wbq-more", text: "Show more cases",
    onclick: () => { shown += PAGE; draw(); } });
  root.append(head, status, scroll, more);

  function draw() {
    const rows = model.get("rows") || [];
    const selected = model.get("selected");
    const total = rows.length;
    status.textContent = model.get("message") ||
      (total ? `${total} open case${total === 1 ? "" : "s"}, most urgent first. Showing ${Math.min(shown, total)}.`
             : "No open cases match these filters.");
    const table = h("table", { class: "wbq-table" },
      h("caption", { class: "wbq-sr", text: "Open cases, most urgent first" }),
      h("thead", {}, h("tr", {}, ...["Case", "Age", "Nationality", "Exploitation", "Lead's organisation",
        "Days", "Stage", "Status"].map((t) => h("th", { scope: "col", text: t })))));
    const tb = h("tbody");
    for (const r of rows.slice(0, shown)) {
      const btn = h("button", { type: "button", class: "wbq-open", "data-case-id": r.case_id,
        "aria-label": `Open case ${r.reference}`, text: r.reference,
        onclick: () => { status.textContent = `Opening ${r.reference}…`; model.send({ type: "open", case_id: r.case_id }); } });
      const badges = h("td", { class: "wbq-badges" });
      for (const b of r.badges) badges.append(h("span", { class: "wbq-badge" + (/escalate|detention|sent back|review due/.test(b) ? " wbq-hot" : ""), text: b }));
      tb.append(h("tr", { class: r.case_id === selected ? "wbq-selected" : "", "aria-current": r.case_id === selected ? "true" : null },
        h("th", { scope: "row" }, btn), h("td", { class: "wbq-nowrap", text: `${r.age} (${r.age_band})` }), h("td", { text: r.nationality }),
        h("td", { text: r.exploitation }), h("td", { text: r.organisation }), h("td", { class: "wbq-num", text: String(r.days) }),
        h("td", { text: r.stage }), badges));
    }
    table.append(tb);
    scroll.replaceChildren(table);
    more.hidden = shown >= total;
    root.dataset.ready = "1";
  }
  model.on("change:rows", () => { shown = PAGE; draw(); });
  model.on("change:selected", draw);
  model.on("change:message", () => { if (model.get("message")) status.textContent = model.get("message"); });
  draw();
  requestAnimationFrame(() => model.send({ type: "shown" }));
}

export default { render };
