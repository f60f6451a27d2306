// The playground's client: a Discord client of the emulator. It keeps the feed (a websocket,
// like Discord's gateway) open, draws what arrives, and sends what the user does as
// interactions (/playground/api/…). It never makes a message up: the bot's are the only ones.
import { Composer } from "./composer.js";
import { Modal } from "./modal.js";
import { avatar, messageNode, noticeNode } from "./render.js";

const $ = (id) => document.getElementById(id);
const JUMP = /^https:\/\/discord\.com\/channels\/(\d+)\/(\d+)(?:\/(\d+))?/;
const state = {
  hello: null,
  me: sessionStorage.getItem("me") || "",
  channel: sessionStorage.getItem("channel") || "",
  messages: new Map(), // channel id -> Map(message id -> message)
  pending: new Map(), // interaction id -> what to do once the bot answers
  acknowledged: new Set(),
  dismissed: new Set(JSON.parse(sessionStorage.getItem("dismissed") || "[]")),
  socket: null,
};

const world = {
  member: (id) => (state.hello ? state.hello.members.find((m) => m.id === String(id)) : null),
  name(id, user) {
    const member = world.member(id);
    return member ? member.name : (user && (user.global_name || user.username)) || "unknown";
  },
  people: () => (state.hello ? state.hello.members.filter((m) => !m.bot) : []),
  roles: () => (state.hello ? state.hello.roles || [] : []),
  channels: () => (state.hello ? state.hello.channels : []),
};

const md = {
  get users() { return Object.fromEntries(world.people().map((m) => [m.id, m.name])); },
  get channels() { return Object.fromEntries(world.channels().map((c) => [c.id, c.name])); },
  get roles() { return Object.fromEntries(world.roles().map((r) => [r.id, r.name])); },
  onLink(a, href) {
    // a link to a message of this server jumps to it, as in Discord's client
    const found = JUMP.exec(href);
    if (!found || !state.hello || found[1] !== state.hello.guild.id) return false;
    a.addEventListener("click", (event) => { event.preventDefault(); jump(found[2], found[3]); });
    return true;
  },
};

const ctx = { world, md, act, dismiss, jump };

async function post(path, payload, files) {
  let body;
  let headers = {};
  if (files) {
    body = new FormData();
    body.append("payload", JSON.stringify(payload));
    for (const [name, file] of files) body.append(`file:${name}`, file, file.name);
  } else {
    body = JSON.stringify(payload);
    headers = { "Content-Type": "application/json" };
  }
  const response = await fetch(path, { method: "POST", body, headers });
  const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer.interaction_id;
}

// Discord's client says so when the bot did not answer within the deadline.
function track(interactionId, onDone) {
  if (state.acknowledged.has(interactionId)) { onDone(true); return; }
  const timer = setTimeout(() => {
    state.pending.delete(interactionId);
    onDone(false);
  }, (state.hello.ack_deadline + 0.5) * 1000);
  state.pending.set(interactionId, (ok) => { clearTimeout(timer); onDone(ok); });
}

function failedUnder(node, text) {
  const host = node.closest(".body") || node.parentElement;
  const note = document.createElement("div");
  note.className = "failed";
  note.textContent = text;
  host.append(note);
  setTimeout(() => note.remove(), 8000);
}

async function act(message, node, what) {
  node.setAttribute("aria-busy", "true");
  const done = (ok, text) => {
    node.removeAttribute("aria-busy");
    if (!ok) failedUnder(node, text || "This interaction failed");
  };
  try {
    const id = await post("/playground/api/component", {
      user_id: state.me, channel_id: message.channel_id, message_id: message.id, ...what,
    });
    track(id, (ok) => done(ok));
  } catch (error) {
    done(false, error.message);
  }
}

async function sendCommand(command, files) {
  const id = await post("/playground/api/command",
    { user_id: state.me, channel_id: state.channel, ...command }, files);
  track(id, (ok) => {
    if (!ok) notice("The application did not respond");
  });
}

async function submitModal(current, values, files) {
  const id = await post("/playground/api/modal", {
    user_id: state.me, channel_id: current.channelId, interaction_id: current.interactionId,
    values,
  }, files);
  track(id, (ok) => {
    if (!ok) notice("The application did not respond to the form");
  });
}

const composer = new Composer(world, sendCommand);
const modal = new Modal(submitModal);

function dismiss(message) {
  state.dismissed.add(message.id);
  sessionStorage.setItem("dismissed", JSON.stringify([...state.dismissed]));
  const node = $(`message-${message.id}`);
  if (node) node.remove();
}

function nearBottom() {
  const list = $("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 120;
}

function scrollDown() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
}

function notice(text, detail) {
  const stick = nearBottom();
  $("messages").append(noticeNode(text, detail));
  if (stick) scrollDown();
}

function drawMessage(message) {
  if (message.channel_id !== state.channel || state.dismissed.has(message.id)) return;
  const list = $("messages");
  const stick = nearBottom();
  const node = messageNode(message, ctx);
  const old = $(`message-${message.id}`);
  if (old) {
    old.replaceWith(node);
  } else {
    const later = [...list.querySelectorAll(".msg[data-id]")]
      .find((li) => BigInt(li.dataset.id) > BigInt(message.id));
    list.insertBefore(node, later || null);
  }
  if (stick) scrollDown();
  // a picture that loads later must not leave the newest message out of sight
  for (const img of node.querySelectorAll("img")) {
    img.addEventListener("load", () => { if (stick) scrollDown(); }, { once: true });
  }
}

function channelMessages(channelId) {
  if (!state.messages.has(channelId)) state.messages.set(channelId, new Map());
  return state.messages.get(channelId);
}

function showChannel(channelId) {
  state.channel = channelId;
  sessionStorage.setItem("channel", channelId);
  const channel = world.channels().find((c) => c.id === channelId);
  $("channel-title").textContent = `# ${channel ? channel.name : "…"}`;
  document.title = `#${channel ? channel.name : ""} · ${state.hello.guild.name} · playground`;
  for (const button of document.querySelectorAll("#channels button")) {
    const current = button.dataset.id === channelId;
    button.setAttribute("aria-current", String(current));
    if (current) button.classList.remove("unread");
  }
  $("messages").replaceChildren();
  const sorted = [...channelMessages(channelId).values()]
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  for (const message of sorted) drawMessage(message);
  scrollDown();
}

function jump(channelId, messageId) {
  if (channelId !== state.channel) showChannel(channelId);
  const node = messageId && $(`message-${messageId}`);
  if (node) {
    node.scrollIntoView({ block: "center" });
    node.classList.add("flash");
    setTimeout(() => node.classList.remove("flash"), 1500);
  }
}

function drawWorld() {
  const hello = state.hello;
  $("server-name").textContent = hello.guild.name;
  $("server-icon").textContent = hello.guild.name.slice(0, 1).toUpperCase();
  $("server-icon").title = hello.guild.name;
  $("channels").replaceChildren(...hello.channels.map((channel) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.id = channel.id;
    const hash = document.createElement("span");
    hash.className = "hash";
    hash.textContent = "#";
    hash.setAttribute("aria-hidden", "true");
    button.append(hash, channel.name);
    button.addEventListener("click", () => showChannel(channel.id));
    li.append(button);
    return li;
  }));
  const me = $("me");
  me.replaceChildren(...world.people().map((member) => {
    const option = document.createElement("option");
    option.value = member.id;
    option.textContent = member.name;
    return option;
  }));
  me.value = state.me;
  const current = world.member(state.me);
  $("me-hint").textContent = current && current.manage_guild
    ? "has Manage Server: sees /exterior-admin" : "a teammate: no Manage Server";
  $("members").replaceChildren(...hello.members.map((member) => {
    const li = document.createElement("li");
    if (member.id === state.me) li.classList.add("current");
    const who = document.createElement("div");
    who.textContent = member.name;
    const small = document.createElement("small");
    small.textContent = member.bot ? "the bot" : member.owner ? "owner · Manage Server"
      : member.manage_guild ? "Manage Server" : "member";
    who.append(small);
    li.append(avatar({ id: member.id, username: member.name }), who);
    return li;
  }));
  composer.update(hello.commands, current || {});
}

function onFrame(frame) {
  const data = frame.d;
  switch (frame.t) {
    case "HELLO": {
      state.hello = data;
      state.me = data.me;
      sessionStorage.setItem("me", data.me);
      state.messages = new Map();
      for (const [channelId, messages] of Object.entries(data.messages)) {
        const map = channelMessages(channelId);
        for (const message of messages) map.set(message.id, message);
      }
      drawWorld();
      const known = data.channels.some((c) => c.id === state.channel);
      showChannel(known ? state.channel : data.channels[0].id);
      $("status").textContent = `connected as ${world.name(state.me)}`;
      $("status").classList.remove("bad");
      break;
    }
    case "MESSAGE_CREATE":
    case "MESSAGE_UPDATE": {
      channelMessages(data.channel_id).set(data.id, data);
      if (data.channel_id === state.channel) drawMessage(data);
      else if (frame.t === "MESSAGE_CREATE") {
        const button = document.querySelector(`#channels button[data-id="${data.channel_id}"]`);
        if (button) button.classList.add("unread");
      }
      break;
    }
    case "MESSAGE_DELETE": {
      channelMessages(data.channel_id).delete(data.id);
      const node = $(`message-${data.id}`);
      if (node) node.remove();
      break;
    }
    case "MODAL":
      modal.open(data.interaction_id, data.modal, state.channel);
      break;
    case "ACKNOWLEDGED": {
      state.acknowledged.add(data.interaction_id);
      const done = state.pending.get(data.interaction_id);
      if (done) { state.pending.delete(data.interaction_id); done(true); }
      break;
    }
    case "REFUSED": {
      const error = data.error || {};
      notice(
        `Discord refused a request of the bot's: ${data.method} ${data.path} → ${data.status} ` +
          `${error.message || ""}`,
        error.errors ? JSON.stringify(error.errors, null, 1) : "",
      );
      break;
    }
    case "COMMANDS":
      state.hello.commands = data;
      composer.update(data, world.member(state.me) || {});
      break;
    default:
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(
    `${scheme}://${location.host}/playground/feed?user=${encodeURIComponent(state.me)}`);
  state.socket = socket;
  socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    if (state.socket !== socket) return; // replaced on purpose (another member)
    $("status").textContent = "the playground is not answering; retrying…";
    $("status").classList.add("bad");
    setTimeout(connect, 1000);
  });
}

$("me").addEventListener("change", (event) => {
  state.me = event.target.value;
  sessionStorage.setItem("me", state.me);
  modal.close();
  const old = state.socket;
  connect();
  if (old) old.close();
});

connect();
