// The chat and the whiteboard. Everything that comes from data is put on the page with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
// ?session=ID opens that conversation (a link to a chat); otherwise the browser's last one continues.
const linked = new URLSearchParams(location.search).get("session");
const state = { session: linked || localStorage.getItem("missions.session"), selected: null, messagesShown: -1 };
if (linked) localStorage.setItem("missions.session", linked);

function newSessionId() {
  return "s-" + crypto.getRandomValues(new Uint32Array(3)).reduce((s, n) => s + n.toString(36), "");
}
if (!state.session) { state.session = newSessionId(); localStorage.setItem("missions.session", state.session); }

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  return Math.round(s / 3600) + " h ago";
}

function elapsed(start, end) {
  if (!start) return "";
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(1) + " s";
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && (body.detail || body.title)) || response.statusText);
  return body;
}

// ---- chat ----
async function loadChat() {
  const body = await api("/api/chat/" + encodeURIComponent(state.session));
  if (body.messages.length === state.messagesShown) return;
  state.messagesShown = body.messages.length;
  const list = $("messages");
  list.replaceChildren(...body.messages.map(renderMessage));
  list.scrollTop = list.scrollHeight;
}

function renderMessage(m) {
  const item = el("li", m.role === "user" ? "user" : "assistant", m.text);
  if (m.role !== "user" && m.mission_id) {
    item.append(document.createElement("br"));
    const link = el("a", null, "Open mission " + m.mission_id.slice(0, 8) + "…");
    link.href = "#" + m.mission_id;
    link.addEventListener("click", (e) => { e.preventDefault(); select(m.mission_id); });
    item.append(link);
  }
  return item;
}

async function send(event) {
  event.preventDefault();
  const input = $("input");
  const text = input.value.trim();
  if (!text) return;
  $("chat-error").hidden = true;
  const pending = el("li", "user", text);
  $("messages").append(pending);
  input.value = "";
  try {
    await api("/chat/integrated", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session_id: state.session, message: text, client_message_id: crypto.randomUUID() }),
    });
    state.messagesShown = -1;
    await Promise.all([loadChat(), loadBoard()]);
  } catch (error) {
    pending.remove();
    input.value = text;
    $("chat-error").textContent = error.message;
    $("chat-error").hidden = false;
  }
}

// ---- whiteboard ----
async function loadBoard() {
  const status = $("status-filter").value;
  const body = await api("/api/whiteboard?limit=200" + (status ? "&status=" + status : ""));
  $("cards").replaceChildren(...body.missions.map(renderCard));
  if (state.selected) await loadDetail(state.selected);
}

function renderCard(m) {
  const card = el("li");
  card.tabIndex = 0;
  card.dataset.missionId = m.mission_id;
  card.append(el("span", "badge " + m.status, m.status.replace("_", " ")));
  card.append(el("span", "objective", m.objective ? m.objective.description : m.mission_id));
  const meta = [ago(m.created_at), m.start_time ? "ran " + elapsed(m.start_time, m.end_time) : "", "attempt " + m.attempt];
  card.append(el("span", "muted", meta.filter(Boolean).join(" · ")));
  card.addEventListener("click", () => select(m.mission_id));
  card.addEventListener("keydown", (e) => { if (e.key === "Enter") select(m.mission_id); });
  return card;
}

async function select(id) {
  state.selected = id;
  await loadDetail(id);
}

async function loadDetail(id) {
  const m = await api("/api/whiteboard/" + encodeURIComponent(id));
  $("detail").hidden = false;
  $("detail-title").textContent = m.objective ? m.objective.description : m.mission_id;
  $("detail-status").className = "badge " + m.status;
  $("detail-status").textContent = m.status.replace("_", " ");
  $("detail-meta").textContent = [m.mission_id, "attempt " + m.attempt, m.start_time ? elapsed(m.start_time, m.end_time) : ""].filter(Boolean).join(" · ");
  const c = m.constraints || {};
  const rows = [["Domains", (c.allowed_domains || []).join(", ") || "—"], ["Pages", c.max_pages], ["Time", c.max_duration_seconds + " s"]];
  $("detail-constraints").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", null, k), el("dd", null, v)]));
  const result = m.execution_result;
  $("detail-answer").textContent = result ? result.final_answer || "(no answer)" : "Not finished yet.";
  $("detail-error").hidden = !m.error;
  $("detail-error").textContent = m.error || "";
  $("detail-sources").replaceChildren(...((result && result.sources) || []).map((s) => {
    const item = el("li");
    const link = el("a", null, s.title || s.url);
    if (/^https?:\/\//i.test(s.url)) link.href = s.url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    item.append(link);
    return item;
  }));
  $("detail-timeline").replaceChildren(...m.timeline.map((e) => el("li", null,
    new Date(e.timestamp).toLocaleTimeString() + " — " + (e.event_type === "mission_created" ? "created" : e.status + " (" + e.reason + ", attempt " + e.attempt + ")"))));
}

async function loadQueue() {
  const q = await api("/api/queue");
  $("queue").textContent = "queue: " + q.size + " waiting · " + q.in_flight + " running (limit " + q.concurrency_limit + ")";
}

async function refresh() {
  try { await Promise.all([loadChat(), loadBoard(), loadQueue()]); } catch (e) { /* shown on the next user action */ }
}

$("composer").addEventListener("submit", send);
$("input").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); } });
$("status-filter").addEventListener("change", loadBoard);
$("close-detail").addEventListener("click", () => { state.selected = null; $("detail").hidden = true; });
$("new-chat").addEventListener("click", () => {
  state.session = newSessionId();
  localStorage.setItem("missions.session", state.session);
  state.messagesShown = -1;
  refresh();
});
if (location.hash.length > 1) select(location.hash.slice(1)).catch(() => {});
refresh();
setInterval(refresh, 1000);
