// doppelgate console: plain JS, no dependencies. Every fetch is same-origin with JSON bodies.
"use strict";
const CP = "/_doppelgate";
const API = CP + "/console/api";
const $ = (id) => document.getElementById(id);
const state = { meta: null, dialect: null, tenant: null, view: null, doc: null, after: null,
  pages: [], lastSeq: 0, entries: [], entry: null };

function show(value) { return typeof value === "string" ? value : JSON.stringify(value, null, 2); }
function flash(text, ok) {
  const el = $("flash"); el.textContent = text; el.className = ok ? "ok" : "error";
}
// the control token (control_token, or the one a non-loopback bind prints): from ?token=, or
// asked for on the first 401; kept for this tab only
const TOKEN_KEY = "doppelgate-control-token";
(function takeToken() {
  const url = new URL(location.href), given = url.searchParams.get("token");
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given); url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
})();
function authorized(headers) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["X-Doppelgate-Token"] = token;
  return headers;
}
async function send(url, init) {
  let r = await fetch(url, { ...init, headers: authorized({ ...init.headers }) });
  if (r.status === 401 && !state.asked) {
    state.asked = true;  // once per page: a cancelled prompt is not asked again every second
    const token = prompt("This doppelgate's control plane needs its token (control_token):");
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token.trim()); state.asked = false;
      r = await fetch(url, { ...init, headers: authorized({ ...init.headers }) });
    }
  }
  return r;
}
async function call(method, url, body, type) {
  const init = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = type || "application/json";
    init.body = typeof body === "string" || body instanceof Blob ? body : JSON.stringify(body);
  } else if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";  // the control plane takes JSON changes
  }
  const r = await send(url, init);
  const text = await r.text();
  let data = text;
  try { data = JSON.parse(text); } catch (e) { /* not JSON */ }
  if (!r.ok && !(data && data.status !== undefined && data.request)) {
    throw new Error((data && data.error) || (r.status + " " + text.slice(0, 200)));
  }
  return data;
}
function qs(params) {
  return Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v)).join("&");
}
function button(text, onclick, extra) {
  const b = document.createElement("button"); b.type = "button"; b.textContent = text;
  b.onclick = onclick; if (extra) { const s = document.createElement("span"); s.className = "count";
    s.textContent = extra; b.appendChild(s); }
  return b;
}
function options(select, values, keepFirst) {
  while (select.options.length > (keepFirst ? 1 : 0)) select.remove(select.options.length - 1);
  for (const v of values) { const o = document.createElement("option"); o.value = v; o.textContent = v; select.appendChild(o); }
}
function select(container, el) {
  for (const c of container.children) c.classList.remove("selected");
  if (el) el.classList.add("selected");
}

// -- tabs ------------------------------------------------------------------------------------
function openTab() {
  const name = (location.hash || "#data").slice(1);
  $("flash").textContent = ""; $("flash").className = "";
  for (const s of document.querySelectorAll(".tab")) s.classList.toggle("active", s.id === "tab-" + name);
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.tab === name);
  if (name === "faults") loadFaults();
}
window.addEventListener("hashchange", openTab);

// -- data browser ----------------------------------------------------------------------------
async function loadDialects() {
  const box = $("dialects"); box.textContent = "";
  for (const d of state.meta.dialects) {
    const b = button(d.name, () => { select(box, b); pickDialect(d.name); }); b.dataset.dialect = d.name;
    box.appendChild(b);
  }
}
async function pickDialect(name) {
  state.dialect = name; state.tenant = null; state.view = null;
  $("views").textContent = ""; clearDocs();
  const data = await call("GET", API + "/tenants?" + qs({ dialect: name }));
  const box = $("tenants"); box.textContent = "";
  if (!data.tenants.length) box.textContent = "no data yet";
  for (const t of data.tenants) {
    const b = button(t.tenant || "(shared)", () => { select(box, b); pickTenant(t.tenant); }, t.collections);
    b.dataset.tenant = t.tenant; box.appendChild(b);
  }
}
async function pickTenant(tenant) {
  state.tenant = tenant; state.view = null; clearDocs();
  const data = await call("GET", API + "/views?" + qs({ dialect: state.dialect, tenant }));
  const box = $("views"); box.textContent = "";
  for (const v of data.views) {
    let label = v.label + (v.vendor ? "" : " (internal)");
    if (v.versions && v.versions.length) label += " v" + v.versions.join(", v");
    const b = button(label, () => { select(box, b); pickView(v); }, v.count);
    b.dataset.view = v.label; box.appendChild(b);
  }
}
function clearDocs() {
  $("docs").tBodies[0].textContent = ""; $("doc-vendor").textContent = ""; $("doc-stored").textContent = "";
  $("doc-actions").hidden = true; $("doc-edit").hidden = true; $("doc-create").hidden = true; state.doc = null;
}
async function pickView(view) {
  state.view = view; state.pages = []; state.after = null;
  const d = state.meta.dialects.find((x) => x.name === state.dialect);
  $("schema-show").hidden = !(d && d.schemas && view.vendor);
  $("docs-add").disabled = !view.vendor;
  await loadDocs(null);
}
async function loadDocs(after) {
  if (!state.view) return;
  clearDocs();
  const v = state.view;
  const data = await call("GET", API + "/documents?" + qs({ dialect: state.dialect, tenant: state.tenant,
    collection: v.collection, target: v.target, filter: $("docs-filter").value.trim(),
    offset: after === null ? "" : after }));
  state.after = data.next;
  const from = after || 0;
  $("docs-title").textContent = v.label + " (" + v.count + "): " + (data.documents.length ?
    (from + 1) + "–" + (from + data.documents.length) : "none");
  $("docs-next").disabled = data.next === null;
  const body = $("docs").tBodies[0];
  for (const doc of data.documents) {
    const tr = document.createElement("tr");
    const id = document.createElement("td"); id.textContent = show(doc._id);
    const rest = Object.assign({}, doc); delete rest._id;
    const text = document.createElement("td"); text.className = "doc"; text.textContent = JSON.stringify(rest);
    tr.append(id, text); tr.onclick = () => { select(body, tr); openDoc(doc._id); };
    tr.dataset.id = JSON.stringify(doc._id); body.appendChild(tr);
  }
}
async function openDoc(id) {
  const v = state.view;
  const data = await call("GET", API + "/document?" + qs({ dialect: state.dialect, tenant: state.tenant,
    collection: v.collection, target: v.target, id: JSON.stringify(id) }));
  state.doc = id; $("doc-create").hidden = true;
  $("doc-title").textContent = "Document " + show(id);
  $("doc-stored").textContent = show(data.stored);
  $("doc-vendor").textContent = data.vendor ? vendorText(data.vendor) : "(internal: no vendor read)";
  $("doc-actions").hidden = !data.vendor; $("doc-edit").hidden = !data.vendor;
  $("doc-edit").value = data.editable === null ? "" : show(data.editable);
}
function vendorText(a) {
  return a.request.method + " " + a.request.path + "  ->  " + a.status + " in " + a.ms + " ms\n\n" + show(a.body);
}
function parsed(text) {
  try { return JSON.parse(text); } catch (e) { throw new Error("not JSON: " + e.message); }
}
async function change(action, document) {
  const v = state.view;
  const answer = await call("POST", API + "/document/" + action, { dialect: state.dialect, tenant: state.tenant,
    collection: v.collection, target: v.target, id: state.doc, document });
  const ok = answer.status < 400 && !(answer.body && (answer.body.errorCode || answer.body.result === false ||
    answer.body.status === "ERROR" || answer.body.error));
  flash(action + ": " + answer.status + " in " + answer.ms + " ms" + (ok ? "" : " - " + show(answer.body).slice(0, 400)), ok);
  $("doc-vendor").textContent = vendorText(answer);
  return ok;
}
$("doc-save").onclick = () => guard(async () => {
  if (await change("store", parsed($("doc-edit").value))) await openDoc(state.doc);
});
$("doc-delete").onclick = () => guard(async () => {
  if (!confirm("Delete " + show(state.doc) + " through the " + state.dialect + " API?")) return;
  if (await change("delete")) await loadDocs(null);
});
$("docs-add").onclick = () => guard(async () => {
  const v = state.view;
  const t = await call("GET", API + "/template?" + qs({ dialect: state.dialect, tenant: state.tenant,
    collection: v.collection, target: v.target }));
  state.doc = null;
  $("doc-title").textContent = "New document in " + v.label;
  $("doc-actions").hidden = true; $("doc-edit").hidden = false; $("doc-edit").value = show(t.template);
  $("doc-stored").textContent = ""; $("doc-vendor").textContent = "";
  $("doc-create").hidden = false;
});
$("doc-create").onclick = () => guard(async () => {
  if (await change("add", parsed($("doc-edit").value))) { $("doc-create").hidden = true; await loadDocs(null); }
});
$("docs-next").onclick = () => guard(async () => { state.pages.push(state.after); await loadDocs(state.after); });
$("docs-first").onclick = () => guard(() => loadDocs(null));
$("docs-apply").onclick = () => guard(() => loadDocs(null));
$("schema-show").onclick = () => guard(async () => {
  const a = await call("GET", API + "/schema?" + qs({ dialect: state.dialect, tenant: state.tenant, target: state.view.target }));
  $("doc-title").textContent = "Schema of " + state.view.target; $("doc-vendor").textContent = vendorText(a);
});

// -- query box -------------------------------------------------------------------------------
function queryDialect() {
  const d = state.meta.dialects.find((x) => x.name === $("q-dialect").value);
  $("q-hint").textContent = d ? d.query_hint : "";
}
$("q-dialect").onchange = queryDialect;
$("q-run").onclick = () => guard(async () => {
  $("q-status").textContent = "running…";
  const a = await call("POST", API + "/query", { dialect: $("q-dialect").value, tenant: $("q-tenant").value,
    target: $("q-target").value, text: $("q-text").value });
  $("q-status").textContent = a.request.method + " " + a.request.path + " -> " + a.status + " in " + a.ms + " ms";
  $("q-result").textContent = show(a.body);
});

// -- journal ---------------------------------------------------------------------------------
function journalFilter() {
  return { dialect: $("j-dialect").value, tenant: $("j-tenant").value.trim(),
    operation: $("j-operation").value.trim(), status: $("j-status").value.trim() };
}
function resetJournal() { state.lastSeq = 0; state.entries = []; $("journal").tBodies[0].textContent = ""; pollJournal(); }
for (const id of ["j-dialect", "j-tenant", "j-operation", "j-status"]) $(id).addEventListener("change", resetJournal);
async function pollJournal() {
  const data = await call("GET", CP + "/journal?" + qs({ ...journalFilter(), after: state.lastSeq || "", limit: 200 }));
  const body = $("journal").tBodies[0];
  for (const e of data.entries) {
    state.lastSeq = Math.max(state.lastSeq, e.seq);
    const tr = document.createElement("tr"); tr.dataset.seq = e.seq;
    const cells = [e.seq, new Date(e.started * 1000).toLocaleTimeString(), e.dialect, e.tenant || "",
      e.operation, e.status, e.duration_ms, e.fault || ""];
    for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
    if (e.status >= 400) tr.children[5].className = "status-err";
    tr.onclick = () => { select(body, tr); openEntry(e.seq); };
    body.insertBefore(tr, body.firstChild);  // newest first
  }
  while (body.children.length > 500) body.removeChild(body.lastChild);
}
async function openEntry(seq) {
  const data = await call("GET", CP + "/journal/" + seq);
  const e = data.entry, x = data.exchange;
  $("j-detail").hidden = false;
  $("j-title").textContent = "#" + e.seq + " " + e.method + " " + e.path + " -> " + e.status;
  if (!x) { $("j-request").textContent = "(not captured)"; $("j-response").textContent = ""; return; }
  const heads = (hs) => hs.map(([k, v]) => k + ": " + v).join("\n");
  const query = x.query ? "?" + x.query : "";
  $("j-request").textContent = e.method + " " + e.path + query + "\n" + heads(x.request_headers) +
    "\n\n" + x.request_body + (x.request_truncated ? "\n… (truncated)" : "");
  $("j-response").textContent = e.status + "\n" + heads(x.response_headers) + "\n\n" + x.response_body +
    (x.response_truncated ? "\n… (truncated)" : "");
  const prefix = (state.meta.dialects.find((d) => d.name === e.dialect) || {}).prefix || "";
  $("j-curl-text").textContent = curl(e, x, location.origin + prefix + e.path + query);
  $("j-copied").textContent = "";
}
function quote(s) { return "'" + String(s).replace(/'/g, "'\\''") + "'"; }
function curl(e, x, url) {
  const skip = new Set(["host", "content-length", "connection", "accept-encoding", "user-agent"]);
  const parts = ["curl", "-X", e.method, quote(url)];
  for (const [k, v] of x.request_headers) if (!skip.has(k)) parts.push("-H", quote(k + ": " + v));
  if (x.request_body) parts.push("--data-raw", quote(x.request_body));
  return parts.join(" ");
}
$("j-curl").onclick = () => guard(async () => {
  const text = $("j-curl-text").textContent;
  try { await navigator.clipboard.writeText(text); $("j-copied").textContent = "copied"; }
  catch (err) {  // no clipboard permission (plain http on another host): select it instead
    const range = document.createRange(); range.selectNodeContents($("j-curl-text"));
    getSelection().removeAllRanges(); getSelection().addRange(range);
    $("j-copied").textContent = document.execCommand("copy") ? "copied" : "selected: press Ctrl+C";
  }
});
$("j-clear").onclick = () => guard(async () => { await call("DELETE", CP + "/journal"); resetJournal(); });
setInterval(() => { if ($("j-live").checked && !document.hidden) pollJournal().catch(() => {}); }, 1000);

// -- faults ----------------------------------------------------------------------------------
function faultDialect() {
  const d = state.meta.dialects.find((x) => x.name === $("f-dialect").value);
  options($("f-operation"), ["*", ...d.operations]);
  options($("f-error"), ["(latency only)", ...d.errors]);
}
$("f-dialect").onchange = faultDialect;
async function loadFaults() {
  const data = await call("GET", CP + "/faults");
  const body = $("faults").tBodies[0]; body.textContent = "";
  for (const f of data.faults) {
    const tr = document.createElement("tr"); tr.dataset.fault = f.id; const s = f.spec;
    for (const c of [f.id, s.dialect, s.operation || "*", s.error || "", s.latency_ms, s.probability,
      s.times || "∞", f.matched, f.fired]) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
    const td = document.createElement("td");
    if (!state.meta.read_only) td.appendChild(button("remove", () => guard(async () => {
      await call("DELETE", CP + "/faults/" + encodeURIComponent(f.id)); await loadFaults(); })));
    tr.appendChild(td); body.appendChild(tr);
  }
}
$("f-form").onsubmit = (ev) => { ev.preventDefault(); guard(async () => {
  const spec = { dialect: $("f-dialect").value, operation: $("f-operation").value };
  if ($("f-error").selectedIndex > 0) spec.error = $("f-error").value;
  if ($("f-latency").value) spec.latency_ms = Number($("f-latency").value);
  if ($("f-probability").value) spec.probability = Number($("f-probability").value);
  if ($("f-times").value) spec.times = Number($("f-times").value);
  const f = await call("POST", CP + "/faults", spec);
  flash("fault " + f.id + " added", true); await loadFaults();
}); };
$("f-clear").onclick = () => guard(async () => { await call("DELETE", CP + "/faults"); await loadFaults(); });

// -- snapshots, reset, seed --------------------------------------------------------------------
$("snap-download").onclick = () => guard(async () => {
  const r = await send(CP + "/snapshot", { method: "GET", headers: {}, credentials: "same-origin" });
  if (!r.ok) throw new Error("snapshot: " + r.status);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a"); a.href = url; a.download = "doppelgate-snapshot.json";
  document.body.appendChild(a); a.click(); a.remove(); URL.revokeObjectURL(url);
  flash("snapshot downloaded", true);
});
async function fileText(id) {
  const f = $(id).files[0]; if (!f) throw new Error("choose a file first"); return [f.name, await f.text()];
}
$("snap-upload").onclick = () => guard(async () => {
  const [, text] = await fileText("snap-file");
  if (!confirm("Replace ALL data with this snapshot?")) return;
  const r = await call("PUT", CP + "/snapshot", text);
  $("admin-result").textContent = show(r); flash("snapshot restored", true);
});
$("r-reset").onclick = () => guard(async () => {
  const dialect = $("r-dialect").value, tenant = $("r-tenant").value.trim();
  const what = dialect ? dialect + (tenant ? " tenant " + tenant : "") : "every dialect";
  if (!confirm("Drop the data of " + what + "?")) return;
  const body = {}; if (dialect) body.dialect = dialect; if (tenant) body.tenant = tenant;
  const r = await call("POST", CP + "/reset", body);
  $("admin-result").textContent = show(r); flash("reset " + what + ": " + r.dropped + " collections", true);
});
$("seed-upload").onclick = () => guard(async () => {
  const [name, text] = await fileText("seed-file");
  const r = await call("POST", CP + "/seed", text, /\.ya?ml$/i.test(name) ? "application/yaml" : "application/json");
  $("admin-result").textContent = show(r); flash("seeded: " + r.calls + " calls, " + r.documents + " documents", true);
});

// -- start -----------------------------------------------------------------------------------
async function guard(work) {
  try { await work(); } catch (err) { flash(String(err.message || err), false); }
}
guard(async () => {
  state.meta = await call("GET", API + "/meta");
  document.body.classList.toggle("read-only", state.meta.read_only);
  $("about").textContent = state.meta.version + " · " + state.meta.backend + " backend";
  $("mode").textContent = state.meta.read_only ? "read-only" : "";
  const names = state.meta.dialects.map((d) => d.name);
  options($("q-dialect"), names); options($("f-dialect"), names);
  options($("j-dialect"), names, true); options($("r-dialect"), names, true);
  queryDialect(); faultDialect(); await loadDialects(); openTab(); await pollJournal();
});
