// The chat and the whiteboard. Live: one EventSource on /api/whiteboard/stream carries every mission change and
// this chat's new messages; polling takes over only while the stream is down. Everything that comes from data
// is put on the page with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const CHAT_PAGE = 100;
// Which statuses are final and which may be retried: the whiteboard's API says (GET /api/whiteboard).
let TERMINAL = new Set();
let RETRYABLE = new Set();

// The URL names the open conversation (?session=ID: a link to a chat of yours opens it; back and forward move between
// them); without one, this browser's last conversation continues. /missions/ID opens that mission's detail.
// Conversation ids are the server's (POST /api/conversations) and belong to the signed-in person.
const linked = new URLSearchParams(location.search).get("session");
const MISSION_PATH = /^\/missions\/([^/]+)$/;
const state = {
  me: null,              // GET /api/me: who is signed in, and the token the page's changes carry
  session: null,
  selected: null,
  messages: new Map(),   // seq → message, this session
  chatLoaded: false,     // the last page came: from then on only what came after the newest is asked for
  newest: 0,             // highest seq shown
  missions: new Map(),   // mission id → summary shown as a card
  oldest: null,          // last mission id of the loaded pages, for "show older"
  source: null,
  polling: null,
  conversations: [],     // GET /api/conversations: the person's, the one that moved last first
  showArchived: false,   // the list shows the archived ones instead
  unsent: null,          // the message whose answer was lost, with the id it is sent again under
};
const sessionKey = () => "missions.session." + state.me.person_id;

// Who is here: signed in (or the local owner); without a sign-in, off to the provider and back.
async function signIn() {
  const response = await fetch("/api/me");
  if (response.status === 401) {
    location.assign("/login?return_url=" + encodeURIComponent(location.pathname + location.search + location.hash));
    return false;
  }
  if (!response.ok) throw new Error("The service did not say who you are (" + response.status + ").");
  state.me = await response.json();
  $("who").textContent = state.me.sign_in ? state.me.name : "";
  $("sign-out").hidden = !state.me.sign_in;
  $("sign-out-token").name = state.me.antiforgery_field;
  $("sign-out-token").value = state.me.antiforgery;
  $("dashboard").hidden = !state.me.dashboard_url; // only where the dashboard is (not when it has URLs of its own)
  if (state.me.dashboard_url) $("dashboard").href = state.me.dashboard_url;
  return true;
}

async function newSession() {
  return (await api("/api/conversations", { method: "POST" })).session_id;
}

// The linked conversation, else this browser's last one; one that is not (or no longer) the person's is replaced by a new one.
async function openSession() {
  const wanted = linked || localStorage.getItem(sessionKey());
  if (wanted) {
    const response = await fetch("/api/chat/" + encodeURIComponent(wanted) + "?limit=1");
    // This browser's last conversation, moved to the archive since (Missions:Retention), is not continued: a new one
    // begins. A linked one opens, to be read.
    if (response.ok && (linked || !(await response.json()).in_archive)) return wanted;
  }
  return await newSession();
}

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
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}

function elapsed(start, end) {
  if (!start) return "";
  const ms = Math.max(0, (end ? Date.parse(end) : Date.now()) - Date.parse(start));
  return ms < 1000 ? ms + " ms" : ms < 120000 ? (ms / 1000).toFixed(1) + " s" : Math.round(ms / 60000) + " min";
}

const label = (status) => status.replace("_", " ");

// A message's time in the reader's zone: the time of day for today's, with the date before that.
function clock(iso) {
  const at = new Date(iso);
  const today = new Date().toDateString() === at.toDateString();
  return today ? at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : at.toLocaleString([], { day: "numeric", month: "short", year: at.getFullYear() === new Date().getFullYear() ? undefined : "numeric", hour: "2-digit", minute: "2-digit" });
}

function copyButton(text) {
  const button = el("button", "copy", "Copy");
  button.type = "button";
  button.title = "Copy this answer's text";
  button.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(text); button.textContent = "Copied"; }
    catch { button.textContent = "Copy failed"; }
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
  });
  return button;
}

async function api(path, options) {
  options = options || {};
  if (options.method && options.method !== "GET" && state.me) {
    options.headers = Object.assign({}, options.headers, { [state.me.antiforgery_header]: state.me.antiforgery });
  }
  const response = await fetch(path, options);
  if (response.status === 401) { location.assign("/login?return_url=" + encodeURIComponent(location.pathname + location.search)); }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((body && (body.detail || body.title)) || response.statusText);
    error.status = response.status;
    error.retryAfter = Number(response.headers.get("retry-after")) || 0; // seconds, when the server says when to try again
    throw error;
  }
  return body;
}

// ---- chat ----
function showMessage(m, earlier) {
  if (state.messages.has(m.seq)) return;
  state.messages.set(m.seq, m);
  state.newest = Math.max(state.newest, m.seq);
  const list = $("messages");
  if (m.reply_type === "conversation_read") return; // a mark of what the person has seen, not shown
  if (m.role === "conversation") { // renamed, archived, restored: a note in the conversation, not something said
    const note = el("li", "note muted", m.reply_type === "conversation_renamed" ? "Renamed “" + m.text + "” · " + clock(m.timestamp)
      : (m.reply_type === "conversation_archived" ? "Archived" : "Restored") + " · " + clock(m.timestamp));
    note.dataset.seq = m.seq;
    list.insertBefore(note, Array.from(list.children).find((li) => li.dataset.seq && Number(li.dataset.seq) > m.seq) || null);
    return;
  }
  const item = el("li", m.role === "user" ? "user" : "assistant");
  item.dataset.seq = m.seq;
  if (m.html) {
    // The server's rendering of the answer's Markdown, through its allow-list sanitizer: the only HTML this page inserts.
    const body = el("div", "md");
    body.innerHTML = m.html;
    item.append(body);
  } else {
    item.append(el("div", "text", m.text));
  }
  const foot = el("div", "foot");
  const when = el("time", "muted", clock(m.timestamp));
  when.dateTime = m.timestamp;
  when.title = new Date(m.timestamp).toLocaleString();
  foot.append(when);
  if (m.role !== "user") foot.append(" ", copyButton(m.text));
  item.append(foot);
  if (m.role !== "user" && m.mission_id) {
    const links = el("div", "mission-links");
    const link = el("a", null, "Open mission " + m.mission_id.slice(0, 8) + "…");
    link.href = "/missions/" + encodeURIComponent(m.mission_id);
    link.addEventListener("click", (e) => { e.preventDefault(); select(m.mission_id).catch(shown); });
    links.append(link);
    if (m.reply_type === "mission_proposed") links.append(" ", decisionButton(m.mission_id, "approve", "Approve"), " ", decisionButton(m.mission_id, "reject", "Reject"));
    item.insertBefore(links, foot);
    if (m.reply_type === "mission_update") endChatCard(m.mission_id);
    else if (STARTED.has(m.reply_type) && !answered(m.mission_id)) item.insertBefore(chatCard(m.mission_id), foot);
  }
  const after = Array.from(list.children).find((li) => li.dataset.seq && Number(li.dataset.seq) > m.seq);
  list.insertBefore(item, after || null);
  list.querySelectorAll("li.pending").forEach((p) => { if (p.dataset.text === m.text) p.remove(); });
  if (!earlier) list.scrollTop = list.scrollHeight;
}

const chatPage = (params) => api("/api/chat/" + encodeURIComponent(state.session) + "?" + new URLSearchParams(params));

// The last page of the conversation first; after that only what came after the newest message shown.
async function loadChat() {
  if (!state.chatLoaded) {
    const session = state.session;
    const body = await chatPage({ limit: CHAT_PAGE });
    if (session !== state.session) return; // switched meanwhile
    body.messages.forEach((m) => showMessage(m));
    $("earlier").hidden = !body.has_earlier;
    state.chatLoaded = true;
    if (body.in_archive) {
      $("chat-error").textContent = "This conversation is in the archive: it can be read, not continued. Start a new chat to go on.";
      $("chat-error").hidden = false;
      return;
    }
    markReadSoon();
    return;
  }
  let body;
  do {
    body = await chatPage({ after: state.newest, limit: CHAT_PAGE });
    body.messages.forEach((m) => showMessage(m));
  } while (body.has_later && body.messages.length);
}

async function loadEarlier() {
  const list = $("messages");
  const fromBottom = list.scrollHeight - list.scrollTop;
  const body = await chatPage({ before: Math.min(...state.messages.keys()), limit: CHAT_PAGE });
  body.messages.forEach((m) => showMessage(m, true));
  $("earlier").hidden = !body.has_earlier;
  list.scrollTop = list.scrollHeight - fromBottom; // the messages in view stay in view
}

async function send(event) {
  event.preventDefault();
  const input = $("input");
  const text = input.value.trim();
  if (!text) return;
  $("chat-error").hidden = true;
  const pending = el("li", "user pending", text);
  pending.dataset.text = text;
  $("messages").append(pending);
  $("messages").scrollTop = $("messages").scrollHeight;
  input.value = "";
  // A message whose answer was lost (a 503 or a network error: it may have been taken) keeps its id when it is sent
  // again, so the server takes it once.
  const id = state.unsent && state.unsent.text === text && state.unsent.session === state.session ? state.unsent.id : crypto.randomUUID();
  try {
    await opened; // a message typed while the page still opens its conversation goes into that conversation
    const session = state.session;
    for (let attempt = 1; ; attempt++) {
      try {
        await api("/chat/integrated", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ session_id: session, message: text, client_message_id: id }),
        });
        break;
      } catch (error) {
        // Part of the service did not answer (503, when to try again is said) or the conversation changed meanwhile
        // (409): sent again by itself under the same id, so it is taken once, a few times before the person is asked.
        const again = (error.status === 503 && error.retryAfter > 0) || error.status === 409;
        if (!again || attempt >= 3 || session !== state.session) throw error;
        const wait = Math.min(error.status === 409 ? 1 : error.retryAfter, 10);
        const note = pending.querySelector(".retrying") || pending.appendChild(el("span", "retrying muted"));
        note.textContent = " · " + error.message + " Sending again in " + wait + " s…";
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
    }
    state.unsent = null;
    if (!isLive()) await Promise.all([loadChat(), loadBoard()]);
  } catch (error) {
    state.unsent = { text, id, session: state.session };
    pending.remove();
    input.value = text;
    $("chat-error").textContent = error.message;
    $("chat-error").hidden = false;
  }
}

// ---- a mission's card in the chat: under the message that started it, live, until its answer comes ----
const STARTED = new Set(["mission_started", "mission_proposed"]);
const chatCards = new Map(); // mission id → { node, view }

const answered = (id) => Array.from(state.messages.values()).some((x) => x.reply_type === "mission_update" && x.mission_id === id);

function chatCard(id) {
  // Lines that arrive while the mission is read may be newer than what the read saw: kept, and applied after it
  // when their seq is past the version read (a progress line in that window would otherwise be lost).
  const entry = { node: el("div", "chat-card muted", "…"), view: null, version: 0, pending: [] };
  entry.node.dataset.missionId = id;
  chatCards.set(id, entry);
  api("/api/whiteboard/" + encodeURIComponent(id)).then((view) => {
    if (chatCards.get(id) !== entry) return; // ended meanwhile
    entry.view = view;
    entry.version = (view.timeline || []).reduce((max, e) => Math.max(max, e.seq || 0), 0);
    const pending = entry.pending.sort((a, b) => (a.seq || 0) - (b.seq || 0));
    entry.pending = null;
    renderChatCard(entry);
    pending.forEach(applyToChatCard);
  }).catch(() => { entry.node.textContent = ""; entry.pending = null; });
  return entry.node;
}

function renderChatCard(entry) {
  const v = entry.view;
  const c = v.constraints || {};
  const parts = [el("span", "badge " + v.status, label(v.status))];
  if (v.status === "active") {
    parts.push(" read " + (v.pages_read || 0) + " of " + c.max_pages + " pages");
    if (v.start_time && c.max_duration_seconds) {
      const left = Math.max(0, Math.round((Date.parse(v.start_time) + c.max_duration_seconds * 1000 - Date.now()) / 1000));
      parts.push(" · " + (left < 120 ? left + " s" : Math.round(left / 60) + " min") + " left");
    }
  } else if (v.status === "queued") {
    parts.push(" waiting for a free slot");
  } else if (v.status === "proposed") {
    parts.push(" waits for your approval");
  } else if (TERMINAL.has(v.status)) {
    parts.push(" — the answer follows");
  }
  if (v.status === "active" || v.status === "queued") {
    const cancel = el("button", "cancel", "Cancel");
    cancel.type = "button";
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try { await missionCommand(v.mission_id, "cancel"); }
      catch (error) { entry.node.append(el("span", "error", " " + error.message)); cancel.disabled = false; }
    });
    parts.push(" ", cancel);
  }
  entry.node.className = "chat-card";
  entry.node.replaceChildren(...parts);
}

// A mission's line from the stream moves its chat card as it moves the whiteboard's.
function applyToChatCard(e) {
  const entry = chatCards.get(e.mission_id);
  if (!entry) return;
  if (!entry.view) { if (entry.pending) entry.pending.push(e); return; }
  if (e.seq) { if (e.seq <= entry.version) return; entry.version = e.seq; }
  const v = entry.view;
  if (e.event_type === "mission_progress") v.pages_read = e.pages_read;
  else if (e.event_type === "mission_revised" && e.constraints) v.constraints = e.constraints;
  else if (e.event_type === "mission_status_update") {
    v.status = e.status;
    if (e.status === "active") { v.start_time = e.timestamp; v.pages_read = 0; }
  } else return;
  renderChatCard(entry);
}

// Its answer arrived: the card gives way to it.
function endChatCard(id) {
  const entry = chatCards.get(id);
  if (!entry) return;
  entry.node.remove();
  chatCards.delete(id);
}

// ---- whiteboard ----
const filter = () => $("status-filter").value;

// The missions' events that arrive while the first page loads: the page may have been read before them, so they
// are applied again over it (a mission made meanwhile would otherwise have no card until a reload).
let arrivedDuringLoad = null;

// The search: words or an id's start, and days in the person's own time zone (sent as the instants they begin and end).
function searchParams() {
  const params = {};
  const q = $("search").value.trim();
  if (q) params.q = q;
  const day = (value, end) => { const [y, m, d] = value.split("-").map(Number); return new Date(y, m - 1, d, end ? 23 : 0, end ? 59 : 0, end ? 59 : 0, end ? 999 : 0).toISOString(); };
  if ($("search-from").value) params.from = day($("search-from").value, false);
  if ($("search-to").value) params.to = day($("search-to").value, true);
  return params;
}
const searching = () => Object.keys(searchParams()).length > 0;

function showSearch(search, found) {
  const note = $("search-note");
  if (!search) { note.hidden = true; return; }
  const parts = [];
  if (!found) parts.push("No mission matches" + ($("search").value.trim() ? " “" + $("search").value.trim() + "”" : "") + (filter() ? " among " + label(filter()) + " missions" : "") + ".");
  if (!search.complete) parts.push("Still indexing older missions after a restart (" + search.indexed + " of " + search.of + "): try again in a moment for the rest.");
  note.textContent = parts.join(" ");
  note.hidden = parts.length === 0;
}

async function loadBoard(older) {
  const params = new URLSearchParams({ limit: PAGE, ...searchParams() });
  if (filter()) params.set("status", filter());
  if (older && state.oldest) params.set("before", state.oldest);
  if (!older) arrivedDuringLoad = [];
  let body;
  try {
    body = await api("/api/whiteboard?" + params);
  } catch (error) {
    if (!older) arrivedDuringLoad = null;
    throw error;
  }
  TERMINAL = new Set(body.terminal_statuses);
  RETRYABLE = new Set(body.retryable_statuses);
  showCounts(body.counts || {}, body.total);
  if (!older) showSearch(body.search, body.missions.length > 0);
  if (!older) { state.missions.clear(); $("cards").replaceChildren(); }
  for (const m of body.missions) { state.missions.set(m.mission_id, m); $("cards").append(renderCard(m)); }
  if (!older && arrivedDuringLoad) {
    const again = arrivedDuringLoad;
    arrivedDuringLoad = null;
    again.forEach(applyMissionEvent);
  }
  if (body.missions.length) state.oldest = body.missions[body.missions.length - 1].mission_id;
  $("more").hidden = body.missions.length < PAGE;
  if (state.selected) await loadDetail(state.selected);
}

// How many missions each status has, in the filter's choices.
function showCounts(counts, total) {
  for (const option of $("status-filter").options) {
    const name = option.value ? label(option.value) : "all";
    const n = option.value ? counts[option.value] || 0 : total;
    option.textContent = name.charAt(0).toUpperCase() + name.slice(1) + (n === undefined ? "" : " (" + n + ")");
  }
}

function renderCard(m) {
  const card = el("li");
  card.tabIndex = 0;
  card.dataset.missionId = m.mission_id;
  card.append(el("span", "badge " + m.status, label(m.status)));
  card.append(el("span", "objective", m.objective ? m.objective.description : m.mission_id));
  card.append(el("span", "muted meta", meta(m)));
  if (m.status === "active" && m.max_pages) {
    const bar = el("progress", "pages");
    bar.max = m.max_pages;
    bar.value = m.pages_read || 0;
    bar.title = pagesRead(m);
    card.append(bar);
  }
  if (m.answer) card.append(el("span", "lead", m.answer));
  card.addEventListener("click", () => select(m.mission_id).catch(shown));
  card.addEventListener("keydown", (e) => { if (e.key === "Enter") select(m.mission_id).catch(shown); });
  return card;
}

const pagesRead = (m) => m.status === "active" && m.max_pages ? "read " + (m.pages_read || 0) + " of " + m.max_pages + " pages" : "";

const meta = (m) => [ago(m.created_at), m.start_time ? (m.end_time ? "ran " : "running ") + elapsed(m.start_time, m.end_time) : "", pagesRead(m), "attempt " + m.attempt,
  m.priority && m.priority !== "normal" ? m.priority + " priority" : "", m.cache_hits ? "answered " + m.cache_hits + "× from cache" : ""]
  .filter(Boolean).join(" · ");

function cardOf(id) { return $("cards").querySelector(`li[data-mission-id="${CSS.escape(id)}"]`); }

// A mission's line arrived on the stream: fold it into its card, as the server folds it into the mission.
function applyMissionEvent(e) {
  let m = state.missions.get(e.mission_id);
  if (e.event_type === "mission_reused") {
    if (!m) return;
    m = { ...m, cache_hits: (m.cache_hits || 0) + 1 };
  } else if (e.event_type === "mission_progress") {
    if (!m) return;
    m = { ...m, pages_read: Math.max(m.attempt === e.attempt ? m.pages_read || 0 : 0, e.pages_read), max_pages: e.max_pages };
  } else if (e.event_type === "mission_revised") {
    if (!m) return;
    m = { ...m, priority: e.priority, max_pages: e.constraints ? e.constraints.max_pages : m.max_pages };
  } else if (e.event_type === "mission_created") {
    if (m) return;
    m = { mission_id: e.mission_id, status: "proposed", objective: e.objective, session_id: e.session_id, created_at: e.timestamp, attempt: 0, priority: e.priority,
      max_pages: e.constraints ? e.constraints.max_pages : 0 };
  } else if (!m || e.event_type !== "mission_status_update") {
    return; // a mission not on the loaded pages, or a line this page does not know (a newer server's)
  } else {
    m = { ...m, status: e.status, attempt: Math.max(m.attempt || 0, e.attempt || 0) };
    if (e.execution_result && e.execution_result.answer) m.answer = e.execution_result.answer.length > 240 ? e.execution_result.answer.slice(0, 240) + "…" : e.execution_result.answer;
    if (e.status === "active") { m.start_time = e.timestamp; m.end_time = null; m.pages_read = 0; }
    if (TERMINAL.has(e.status)) m.end_time = e.completed_at || e.timestamp;
  }
  state.missions.set(m.mission_id, m);
  // While searching, the page shows what the search found: a new mission joins only on the next search.
  const visible = (!filter() || filter() === m.status) && !(searching() && e.event_type === "mission_created");
  const existing = cardOf(m.mission_id);
  if (existing && !visible) existing.remove();
  else if (existing) existing.replaceWith(renderCard(m));
  else if (visible) $("cards").prepend(renderCard(m));
  if (state.selected === m.mission_id) loadDetail(m.mission_id).catch(() => {});
}

async function select(id) {
  state.selected = id;
  history.replaceState(history.state, "", "/missions/" + encodeURIComponent(id) + location.search); // a permalink to the mission
  $("action-message").textContent = "";
  await loadDetail(id);
}

async function loadDetail(id) {
  const m = await api("/api/whiteboard/" + encodeURIComponent(id));
  if (state.selected !== id) return;
  $("detail").hidden = false;
  $("detail-title").textContent = m.objective ? m.objective.description : m.mission_id;
  $("detail-status").className = "badge " + m.status;
  $("detail-status").textContent = label(m.status);
  $("detail-meta").textContent = [m.mission_id, "attempt " + m.attempt, m.start_time ? elapsed(m.start_time, m.end_time) : "",
    m.status === "active" ? "read " + m.pages_read + " of " + (m.constraints || {}).max_pages + " pages" : "",
    m.trace_id ? "trace " + m.trace_id : ""].filter(Boolean).join(" · ");
  $("cancel").hidden = TERMINAL.has(m.status);
  $("retry").hidden = !RETRYABLE.has(m.status);
  $("approve").hidden = $("reject").hidden = m.status !== "proposed";
  const c = m.constraints || {};
  const rows = [["Domains", (c.allowed_domains || []).join(", ") || "—"], ["Pages", c.max_pages], ["Time", c.max_duration_seconds + " s"]];
  $("detail-constraints").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", null, k), el("dd", null, v)]));
  const result = m.execution_result;
  const reading = m.status === "active" && c.max_pages;
  $("detail-progress").hidden = !reading;
  if (reading) {
    $("detail-progress-bar").max = c.max_pages;
    $("detail-progress-bar").value = m.pages_read || 0;
    $("detail-progress-text").textContent = "read " + (m.pages_read || 0) + " of " + c.max_pages + " pages";
  }
  renderLead(result);
  $("detail-answer").textContent = result ? result.final_answer || "(no answer)" : "Not finished yet.";
  $("detail-error").hidden = !m.error;
  $("detail-error").textContent = m.error || "";
  const sources = ((result && result.sources) || []).map((s) => {
    const item = el("li");
    const link = el("a", null, s.title || s.url);
    if (/^https?:\/\//i.test(s.url)) link.href = s.url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    item.append(link);
    return item;
  });
  if (result && result.tools_used && result.tools_used.length) sources.push(el("li", "muted", "Tools: " + result.tools_used.join(", ")));
  if (result && result.pages_fetched) sources.push(el("li", "muted", "Pages read: " + result.pages_fetched + (result.pages_reused ? " (" + result.pages_reused + " reused from an earlier attempt)" : "")));
  for (const note of (result && result.notes) || []) sources.push(el("li", "muted", note));
  $("detail-sources").replaceChildren(...sources);
  $("detail-timeline").replaceChildren(...m.timeline.map((e) => el("li", null,
    new Date(e.timestamp).toLocaleTimeString() + " — " +
    (e.event_type === "mission_created" ? "created"
      : e.event_type === "mission_reused" ? "a repeated request was answered from this result (cache hit)"
      : e.event_type === "mission_revised" ? "plan changed (" + e.source_message + "): up to " + e.constraints.max_pages + " pages, within " + e.constraints.max_duration_seconds + " s"
      : e.event_type === "mission_progress" ? "read " + e.pages_read + " of " + e.max_pages + " pages: " + progressText(e.tool_call)
      : label(e.status) + " (" + e.reason + ", attempt " + e.attempt + ")" + (e.error ? ": " + e.error : "")))));
}

// The answer first, its [N] citations links to the pages they quote (http(s) only; the text is never HTML).
function renderLead(result) {
  const lead = $("detail-lead");
  lead.hidden = !(result && result.answer);
  if (lead.hidden) { lead.replaceChildren(); return; }
  const byN = new Map((result.citations || []).map((c) => [String(c.n), c]));
  const parts = [];
  for (const piece of result.answer.split(/(\[\d+\])/)) {
    const cited = /^\[(\d+)\]$/.exec(piece);
    const c = cited && byN.get(cited[1]);
    if (c && /^https?:\/\//i.test(c.url)) {
      const link = el("a", "citation", piece);
      link.href = c.url;
      link.title = (c.title || c.url) + " — “" + c.quote + "”";
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      parts.push(link);
    } else {
      parts.push(document.createTextNode(piece));
    }
  }
  lead.replaceChildren(...parts);
}

const progressText = (call) => (call.title && call.title !== call.url ? call.title + " — " : "") + call.url +
  (call.outcome === "reused" ? " (reused from an earlier attempt)" : call.outcome === "failed" ? " (failed: " + call.error + ")"
    : call.outcome === "skipped" ? " (skipped: " + call.error + ")" : "");

// cancel, retry, approve or reject a mission: its answer carries the message to show.
const missionCommand = (id, verb) =>
  api(`/api/missions/${encodeURIComponent(id)}/${verb}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });

// Approve / Reject under a proposal in the chat: the answer replaces the buttons.
function decisionButton(id, verb, text) {
  const button = el("button", "decide " + verb, text);
  button.type = "button";
  button.addEventListener("click", async () => {
    const box = button.parentElement;
    box.querySelectorAll("button.decide").forEach((b) => { b.disabled = true; });
    let answer;
    try {
      answer = (await missionCommand(id, verb)).message;
    } catch (error) {
      answer = error.message;
    }
    box.querySelectorAll("button.decide").forEach((b) => b.remove());
    box.append(el("span", "muted decision", " " + answer));
    if (state.selected === id) loadDetail(id).catch(() => {});
  });
  return button;
}

async function command(verb) {
  const id = state.selected;
  if (!id) return;
  try {
    const result = await missionCommand(id, verb);
    $("action-message").textContent = result.message;
  } catch (error) {
    $("action-message").textContent = error.message;
  }
  await loadDetail(id);
}

// ---- schedules: each with its next run and its missions; pause, resume, delete ----
const inFuture = (iso) => {
  const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
  return s <= 0 ? "now" : s < 60 ? "in " + s + " s" : s < 3600 ? "in " + Math.round(s / 60) + " min" : s < 86400 ? "in " + Math.round(s / 3600) + " h" : "in " + Math.round(s / 86400) + " d";
};

async function loadSchedules() {
  const body = await api("/api/schedules?" + new URLSearchParams({ session_id: state.session }));
  $("schedules").hidden = body.schedules.length === 0;
  $("schedule-list").replaceChildren(...body.schedules.map(renderSchedule));
}

function renderSchedule(s) {
  const item = el("li", "schedule");
  item.dataset.scheduleId = s.schedule_id;
  item.append(el("span", "badge " + (s.status === "paused" ? "cancelled" : "queued"), s.status));
  item.append(" ", el("span", "objective", s.objective.description));
  const when = s.status === "paused" ? "paused" : s.next_run ? "next run " + inFuture(s.next_run) + " (" + new Date(s.next_run).toLocaleTimeString() + ")" : "";
  item.append(el("div", "muted meta", [s.cadence, when, s.runs + (s.runs === 1 ? " run" : " runs"), s.skipped ? s.skipped + " skipped" : "", s.session_id ? "yours" : ""].filter(Boolean).join(" · ")));
  if (s.last_change) item.append(el("div", "muted", "Last change " + ago(s.last_change_at) + ": " + s.last_change));
  const runs = el("div", "runs");
  for (const run of s.recent_runs.slice(0, 5)) {
    const link = el("a", "badge " + (run.status || "queued"), run.mission_id.slice(0, 8));
    link.href = "/missions/" + encodeURIComponent(run.mission_id);
    link.title = run.status || "";
    link.addEventListener("click", (e) => { e.preventDefault(); select(run.mission_id).catch(shown); });
    runs.append(link, " ");
  }
  item.append(runs);
  const actions = el("p", "actions");
  const act = (verb, text, method) => {
    const button = el("button", "schedule-" + verb, text);
    button.type = "button";
    button.addEventListener("click", async () => {
      const path = "/api/schedules/" + encodeURIComponent(s.schedule_id) + (verb === "delete" ? "" : "/" + verb);
      try {
        await api(path, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined });
      } catch (error) {
        actions.append(el("span", "error", " " + error.message));
      }
      await loadSchedules();
    });
    return button;
  };
  actions.append(s.status === "paused" ? act("resume", "Resume", "POST") : act("pause", "Pause", "POST"), " ", act("delete", "Delete", "DELETE"));
  item.append(actions);
  return item;
}

// The queue's figures follow the missions' events, at most once a second however many arrive (a burst of a
// thousand events is one request, not a thousand).
let queueTimer = null;
function queueSoon() {
  if (queueTimer) return;
  queueTimer = setTimeout(() => { queueTimer = null; loadQueue().catch(() => {}); loadCounts().catch(() => {}); }, 1000);
}

// The filter's counts per status, with the queue's figures.
async function loadCounts() {
  const body = await api("/api/whiteboard?limit=1");
  showCounts(body.counts || {}, body.total);
}

async function loadQueue() {
  const q = await api("/api/queue");
  $("queue").textContent = "queue: " + q.size + " waiting · " + q.in_flight + " running (limit " + q.concurrency_limit + ")";
}

// ---- live updates ----
const isLive = () => state.source && state.source.readyState === EventSource.OPEN;

function connect() {
  if (state.source) state.source.close();
  const source = new EventSource("/api/whiteboard/stream?session_id=" + encodeURIComponent(state.session));
  state.source = source;
  source.addEventListener("open", () => {
    $("live").className = "on"; $("live").textContent = "live";
    if (state.polling) { clearInterval(state.polling); state.polling = null; }
  });
  source.addEventListener("mission", (e) => {
    const line = JSON.parse(e.data);
    if (line.event_type.startsWith("schedule_")) { loadSchedules().catch(() => {}); return; }
    if (arrivedDuringLoad) arrivedDuringLoad.push(line);
    applyMissionEvent(line);
    applyToChatCard(line);
    queueSoon();
  });
  source.addEventListener("chat", (e) => {
    const m = JSON.parse(e.data);
    if (m.session_id !== state.session) return;
    showMessage(m);
    if (m.reply_type === "mission_update") markReadSoon();
    if (!state.conversations.some((c) => c.session_id === m.session_id) || m.seq === 1 || m.role === "conversation") loadConversations().catch(shown);
  });
  source.addEventListener("reset", () => refresh());
  source.addEventListener("error", () => {
    $("live").className = "off"; $("live").textContent = "reconnecting…";
    // The browser reconnects by itself (with Last-Event-ID); poll meanwhile so nothing looks frozen.
    if (!state.polling) state.polling = setInterval(refresh, 2000);
  });
}

// A load that failed says so (and what to do) until the next one succeeds.
function shown(error) {
  $("problem").textContent = "Could not load: " + error.message + " — it is tried again by itself; reload the page if this stays.";
  $("problem").hidden = false;
}

async function refresh() {
  try {
    await Promise.all([loadChat(), loadBoard(), loadQueue(), loadSchedules(), loadConversations()]);
    $("problem").hidden = true;
  } catch (e) { shown(e); }
}

// Opens another conversation and names it in the URL (a new history entry: back returns to the one before).
function go(id) {
  if (id === state.session) return;
  history.pushState({ session: id }, "", location.pathname + "?session=" + encodeURIComponent(id));
  switchSession(id);
}

// The list shows the open conversations, or (after "Archived conversations") the archived ones.
async function loadConversations() {
  const archived = state.showArchived;
  const body = await api("/api/conversations" + (archived ? "?archived=true" : ""));
  if (archived !== state.showArchived) return; // switched meanwhile
  state.conversations = body.conversations;
  renderConversations();
  markReadSoon();
}

// The open conversation's results are seen while the page is in view: marked read on the server (at most once a
// second), so a conversation is "new" in none of the person's browsers once they have looked at it in one.
let readTimer = null;
function markReadSoon() {
  if (readTimer) return;
  readTimer = setTimeout(() => { readTimer = null; markRead().catch(() => {}); }, 1000);
}
async function markRead() {
  if (document.visibilityState !== "visible") return;
  const c = state.conversations.find((x) => x.session_id === state.session); // one's own (an operator reading another's marks nothing)
  const results = [...state.messages.values()].filter((m) => m.reply_type === "mission_update").map((m) => m.seq);
  const last = results.length ? Math.max(...results) : 0;
  if (!c || last <= Math.max(c.read_through || 0, state.readMarked || 0)) return;
  state.readMarked = last;
  await changeConversation(c.session_id, { read_through: last });
}
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") markReadSoon(); });

const changeConversation = (id, change) => api("/api/conversations/" + encodeURIComponent(id), {
  method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(change),
});

function renderConversations() {
  // A title being typed keeps its field: the list is drawn again when the rename ends (a refresh meanwhile would take the field away).
  if (document.activeElement && document.activeElement.matches("#conversation-list .title-field")) return;
  const current = state.conversations.find((c) => c.session_id === state.session);
  if (current || !state.showArchived) $("conversation-title").textContent = current ? current.title : $("conversation-title").textContent || "New conversation";
  $("show-archived").textContent = state.showArchived ? "Back to your conversations" : "Archived conversations";
  $("conversation-list").replaceChildren(...state.conversations.map((c) => {
    const item = el("li");
    const link = el("a", null, c.title || "(untitled)");
    link.href = "/?session=" + encodeURIComponent(c.session_id);
    if (c.session_id === state.session) link.setAttribute("aria-current", "page");
    link.addEventListener("click", (e) => { e.preventDefault(); $("conversations").open = false; go(c.session_id); });
    const when = el("span", "muted", ago(c.last_activity) + " · " + c.messages + (c.messages === 1 ? " message" : " messages"));
    // A result came in after the person last looked (the server keeps what they have seen, for all their browsers).
    if (c.unread && c.session_id !== state.session) item.append(el("span", "unread", "new"), " ");
    const rename = el("button", "rename", "Rename");
    rename.type = "button";
    rename.setAttribute("aria-label", "Rename “" + c.title + "”");
    rename.addEventListener("click", () => startRename(item, c));
    const archive = el("button", "archive", c.archived ? "Restore" : "Archive");
    archive.type = "button";
    archive.setAttribute("aria-label", (c.archived ? "Restore “" : "Archive “") + c.title + "”");
    archive.addEventListener("click", () => changeConversation(c.session_id, { archived: !c.archived }).then(loadConversations).catch(shown));
    item.append(link, " ", when, " ", rename, " ", archive);
    return item;
  }));
  if (state.conversations.length === 0) $("conversation-list").append(el("li", "muted", state.showArchived ? "Nothing archived." : "No conversations yet."));
}

// Rename in place: Enter saves, Esc (or leaving the field) gives up.
function startRename(item, c) {
  const field = el("input", "title-field");
  field.value = c.title;
  field.maxLength = 80;
  field.setAttribute("aria-label", "New title");
  let done = false;
  const finish = async (save) => {
    if (done) return;
    done = true;
    field.blur(); // the rename is over: the list may be drawn again
    const title = field.value.trim();
    if (save && title && title !== c.title) {
      try { await changeConversation(c.session_id, { title }); } catch (error) { shown(error); }
    }
    await loadConversations().catch(shown);
  };
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); finish(true); }
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); finish(false); }
  });
  field.addEventListener("blur", () => finish(false));
  item.replaceChildren(field);
  field.focus();
  field.select();
}

function switchSession(id) {
  state.session = id;
  localStorage.setItem(sessionKey(), id);
  renderConversations();
  state.messages.clear();
  chatCards.clear();
  state.chatLoaded = false;
  state.newest = 0;
  state.readMarked = 0;
  $("earlier").hidden = true;
  $("messages").replaceChildren();
  connect();
  loadChat().catch(shown);
  loadSchedules().catch(shown);
}

$("composer").addEventListener("submit", send);
$("input").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); } });
$("status-filter").addEventListener("change", () => loadBoard().then(() => { $("problem").hidden = true; }, shown));
$("more").addEventListener("click", () => loadBoard(true).catch(shown));
// Searches as the person types (a quarter second after the last key), at once on Enter or a date; Escape clears it.
let searchTimer = null;
function searchNow() {
  clearTimeout(searchTimer);
  searchTimer = null;
  loadBoard().then(() => { $("problem").hidden = true; }, shown);
}
$("search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(searchNow, 250); });
$("search").addEventListener("keydown", (e) => {
  if (e.key === "Escape" && $("search").value) { e.preventDefault(); e.stopPropagation(); $("search").value = ""; searchNow(); }
});
$("search-form").addEventListener("submit", (e) => { e.preventDefault(); searchNow(); });
$("search-from").addEventListener("change", searchNow);
$("search-to").addEventListener("change", searchNow);
$("earlier").addEventListener("click", () => loadEarlier().catch(shown));
$("cancel").addEventListener("click", () => command("cancel"));
$("retry").addEventListener("click", () => command("retry"));
$("approve").addEventListener("click", () => command("approve"));
$("reject").addEventListener("click", () => command("reject"));
function closeDetail() {
  state.selected = null;
  $("detail").hidden = true;
  history.replaceState(history.state, "", "/" + location.search);
}
$("close-detail").addEventListener("click", closeDetail);
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && state.selected) closeDetail(); });
$("conversations").addEventListener("toggle", () => { if ($("conversations").open) loadConversations().catch(shown); });
$("show-archived").addEventListener("click", () => { state.showArchived = !state.showArchived; loadConversations().catch(shown); });
$("new-chat").addEventListener("click", () => newSession().then((id) => go(id)).catch(shown));
window.addEventListener("popstate", () => {
  const id = new URLSearchParams(location.search).get("session");
  if (id && id !== state.session) switchSession(id);
});
// Ages and running times move on by themselves.
setInterval(() => {
  for (const m of state.missions.values()) { const c = cardOf(m.mission_id); if (c) c.querySelector(".meta").textContent = meta(m); }
  for (const entry of chatCards.values()) if (entry.view && entry.view.status === "active") renderChatCard(entry);
}, 1000);

let conversationOpened;
const opened = new Promise((resolve) => { conversationOpened = resolve; });

(async () => {
  if (!(await signIn())) return;
  state.session = await openSession();
  localStorage.setItem(sessionKey(), state.session);
  const permalink = MISSION_PATH.exec(location.pathname);
  history.replaceState({ session: state.session }, "", location.pathname + "?session=" + encodeURIComponent(state.session));
  conversationOpened();
  connect();
  refresh();
  if (permalink) select(decodeURIComponent(permalink[1])).catch(shown);
  else if (location.hash.length > 1) select(location.hash.slice(1)).catch(shown); // links of earlier versions
  setInterval(() => loadConversations().catch(() => {}), 30000); // another browser's new conversations
  setInterval(() => loadSchedules().catch(() => {}), 15000);
})().catch(shown);
