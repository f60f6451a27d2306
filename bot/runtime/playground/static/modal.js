// A modal the bot opened (New mask…, the server's credentials): its labels, text inputs, select
// menus and file uploads, submitted back as the interaction Discord would send.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function input(component, labelText) {
  let node;
  if (component.type === 4) {
    node = el(component.style === 2 ? "textarea" : "input");
    if (component.style !== 2) node.type = "text";
    if (component.value) node.value = component.value;
    if (component.placeholder) node.placeholder = component.placeholder;
    if (component.min_length) node.minLength = component.min_length;
    if (component.max_length) node.maxLength = component.max_length;
  } else if (component.type === 19) {
    node = el("input");
    node.type = "file";
    node.multiple = (component.max_values || 1) > 1;
  } else if (component.type === 3) {
    node = el("select");
    node.multiple = (component.max_values || 1) > 1;
    for (const option of component.options || []) {
      const choice = el("option", "", option.label);
      choice.value = option.value;
      choice.selected = Boolean(option.default);
      node.append(choice);
    }
  } else {
    return el("p", "desc", `(an input of type ${component.type} this page cannot draw)`);
  }
  node.required = component.required !== false;
  node.dataset.customId = component.custom_id;
  node.dataset.kind = String(component.type);
  node.id = `modal-${component.custom_id}`;
  node.setAttribute("aria-label", labelText || component.label || component.custom_id);
  return node;
}

function field(labelText, description, component) {
  const box = el("div", "field");
  const control = input(component, labelText);
  const label = el("label", "", labelText);
  label.htmlFor = control.id;
  box.append(label);
  if (description) box.append(el("span", "desc", description));
  box.append(control);
  return box;
}

export class Modal {
  constructor(submit) {
    this.submit = submit;
    this.dialog = document.getElementById("modal");
    this.form = document.getElementById("modal-form");
    this.body = document.getElementById("modal-body");
    this.error = document.getElementById("modal-error");
    this.current = null;
    document.getElementById("modal-cancel").addEventListener("click", () => this.close());
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
    this.dialog.addEventListener("close", () => { this.current = null; });
  }

  open(interactionId, modal, channelId) {
    this.current = { interactionId, channelId };
    document.getElementById("modal-title").textContent = modal.title || "";
    this.error.textContent = "";
    const fields = [];
    for (const item of modal.components || []) {
      if (item.type === 18) fields.push(field(item.label, item.description, item.component));
      else if (item.type === 10) fields.push(el("p", "desc", item.content));
      else if (item.type === 1) {
        for (const child of item.components || []) fields.push(field(child.label, "", child));
      }
    }
    this.body.replaceChildren(...fields);
    if (!this.dialog.open) this.dialog.showModal();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  async send() {
    if (!this.current) return;
    const values = {};
    const files = [];
    for (const node of this.body.querySelectorAll("[data-custom-id]")) {
      const key = node.dataset.customId;
      if (node.dataset.kind === "19") for (const file of node.files) files.push([key, file]);
      else if (node.dataset.kind === "3") values[key] = [...node.selectedOptions].map((o) => o.value);
      else values[key] = node.value;
    }
    const button = document.getElementById("modal-submit");
    button.disabled = true;
    try {
      await this.submit(this.current, values, files);
      this.close();
    } catch (error) {
      this.error.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }
}
