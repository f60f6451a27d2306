// The composer: the bot's slash commands as it synced them (the member without Manage Server
// does not see /exterior-admin, as in Discord), one field per option, labelled with the
// option's name (`photo`, `mask`, `painted`, `type`…), and Send. The example photo is one click
// away. Nothing here knows what the commands do: it sends what the user chose.

const SUBCOMMAND = 1;
const GROUP = 2;
const MANAGE_GUILD = 1n << 5n;
const EXAMPLES = { photo: "camera.png", mask: "camera-mask.png" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Every chat-input command and subcommand, as "/exterior create" entries.
export function entries(commands, member) {
  const found = [];
  for (const command of commands) {
    if ((command.type || 1) !== 1) continue;
    const needed = command.default_member_permissions;
    if (needed && needed !== "0" && !member.manage_guild && !member.owner) {
      if ((BigInt(needed) & MANAGE_GUILD) !== 0n) continue;
    }
    const subs = (command.options || []).filter((o) => o.type === SUBCOMMAND || o.type === GROUP);
    if (!subs.length) found.push({ name: command.name, sub: null, command, options: command.options || [] });
    for (const sub of subs) {
      if (sub.type === SUBCOMMAND) {
        found.push({ name: command.name, sub: sub.name, command: sub, options: sub.options || [] });
      } else {
        for (const leaf of sub.options || []) {
          found.push({ name: command.name, sub: `${sub.name} ${leaf.name}`, command: leaf,
            options: leaf.options || [] });
        }
      }
    }
  }
  return found;
}

function field(option, world) {
  const box = el("div", "option");
  const id = `opt-${option.name}`;
  const label = el("label", "", option.name);
  label.htmlFor = id;
  const desc = el("span", "desc", `${option.description || ""}${option.required ? "" : " (optional)"}`);
  desc.id = `${id}-desc`;
  let input;
  if (option.type === 11) {
    input = el("input");
    input.type = "file";
    const preview = el("img", "preview");
    preview.alt = "";
    preview.hidden = true;
    const clear = el("button", "clear", "remove");
    clear.type = "button";
    clear.hidden = true;
    const show = () => {
      const picked = input.files && input.files[0];
      preview.hidden = clear.hidden = !picked;
      if (picked && picked.type.startsWith("image/")) preview.src = URL.createObjectURL(picked);
    };
    input.addEventListener("change", show);
    clear.addEventListener("click", () => { input.value = ""; show(); });
    input.refresh = show;
    box.append(label, input, preview, clear, desc);
  } else {
    const options = option.choices
      ? option.choices.map((c) => [c.value, c.name])
      : option.type === 5 ? [["true", "True"], ["false", "False"]]
        : option.type === 7 ? world.channels().map((c) => [c.id, "#" + c.name])
          : option.type === 8 ? world.roles().map((r) => [r.id, "@" + r.name])
            : option.type === 6 ? world.people().map((m) => [m.id, m.name]) : null;
    if (options) {
      input = el("select");
      const none = el("option", "", option.required ? "Choose…" : "—");
      none.value = "";
      input.append(none);
      for (const [value, name] of options) {
        const choice = el("option", "", name);
        choice.value = String(value);
        input.append(choice);
      }
    } else {
      input = el("input");
      input.type = option.type === 4 || option.type === 10 ? "number" : "text";
      if (option.type === 4) input.step = "1";
      if (option.min_value !== undefined) input.min = option.min_value;
      if (option.max_value !== undefined) input.max = option.max_value;
    }
    box.append(label, input, desc);
  }
  input.id = id;
  input.name = option.name;
  input.required = Boolean(option.required);
  input.setAttribute("aria-describedby", desc.id);
  input.dataset.type = String(option.type);
  return box;
}

export class Composer {
  constructor(world, send) {
    this.world = world;
    this.send = send;
    this.form = document.getElementById("composer");
    this.select = document.getElementById("command");
    this.optionsBox = document.getElementById("options");
    this.help = document.getElementById("command-help");
    this.error = document.getElementById("composer-error");
    this.list = [];
    this.select.addEventListener("change", () => this.draw());
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
    document.getElementById("example-mask").addEventListener("click", () => this.example(true));
    document.getElementById("example-photo").addEventListener("click", () => this.example(false));
  }

  update(commands, member) {
    const before = this.select.value;
    this.list = entries(commands, member);
    this.select.replaceChildren(...this.list.map((entry, index) => {
      const option = el("option", "", `${entry.name}${entry.sub ? " " + entry.sub : ""}`);
      option.value = String(index);
      return option;
    }));
    // the example photo is for /exterior create; a bot without it gets no example buttons
    document.getElementById("examples").hidden =
      !this.list.some((e) => e.name === "exterior" && e.sub === "create");
    const keep = this.list.findIndex((e, i) => String(i) === before);
    this.select.value = keep >= 0 ? before : "0";
    this.draw();
  }

  current() {
    return this.list[Number(this.select.value)] || null;
  }

  choose(name, sub) {
    const index = this.list.findIndex((e) => e.name === name && e.sub === sub);
    if (index >= 0 && this.select.value !== String(index)) {
      this.select.value = String(index);
      this.draw();
    }
  }

  draw() {
    const entry = this.current();
    this.error.textContent = "";
    this.help.textContent = entry ? entry.command.description || "" : "the bot has no commands yet";
    this.optionsBox.replaceChildren(...(entry ? entry.options.map((o) => field(o, this.world)) : []));
  }

  async example(withMask) {
    this.choose("exterior", "create");
    for (const [name, file] of Object.entries(EXAMPLES)) {
      const input = document.getElementById(`opt-${name}`);
      if (!input) continue;
      const transfer = new DataTransfer();
      if (name === "photo" || withMask) {
        const response = await fetch(`/playground/examples/${file}`);
        const blob = await response.blob();
        transfer.items.add(new File([blob], file, { type: blob.type }));
      }
      input.files = transfer.files;
      input.refresh();
    }
  }

  async submit() {
    const entry = this.current();
    if (!entry) return;
    if (!this.form.reportValidity()) return;
    const options = {};
    const files = [];
    for (const input of this.optionsBox.querySelectorAll("input, select")) {
      if (input.type === "file") {
        if (input.files[0]) files.push([input.name, input.files[0]]);
      } else if (input.value !== "") options[input.name] = input.value;
    }
    const button = document.getElementById("send");
    button.disabled = true;
    this.error.textContent = "";
    try {
      await this.send({ name: entry.name, subcommand: entry.sub, options }, files);
      for (const input of this.optionsBox.querySelectorAll("input, select")) {
        input.value = "";
        if (input.refresh) input.refresh();
      }
    } catch (error) {
      this.error.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }
}
