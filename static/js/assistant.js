// The catalogue assistant's panel (templates/assistant/panel.html): POST /api/v1/assistant/.
(function () {
  "use strict";
  var panel = document.getElementById("assistant-panel");
  if (!panel) return;
  var toggle = document.getElementById("assistant-toggle");
  var closeButton = document.getElementById("assistant-close");
  var form = document.getElementById("assistant-form");
  var input = document.getElementById("assistant-input");
  var log = document.getElementById("assistant-log");
  var conversation = null;

  function open(show) {
    panel.hidden = !show;
    toggle.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) input.focus(); else toggle.focus();
  }
  toggle.addEventListener("click", function () { open(panel.hidden); });
  closeButton.addEventListener("click", function () { open(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") open(false);
  });

  function thumbs(item, turn) {
    var group = document.createElement("div");
    group.className = "assistant__thumbs";
    [[true, panel.dataset.helpful], [false, panel.dataset.notHelpful]].forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "assistant__thumb";
      button.setAttribute("aria-pressed", "false");
      button.textContent = choice[1];
      button.addEventListener("click", function () {
        fetch(panel.dataset.feedback, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ conversation: conversation, turn: turn, helpful: choice[0] }),
        }).then(function (response) {
          if (!response.ok) return;
          group.querySelectorAll("button").forEach(function (other) { other.setAttribute("aria-pressed", "false"); });
          button.setAttribute("aria-pressed", "true");
        });
      });
      group.appendChild(button);
    });
    item.appendChild(group);
  }

  var formCount = 0;

  function field(form, id, label, type, value, hint) {
    var wrap = document.createElement("div");
    var caption = document.createElement("label");
    caption.htmlFor = id;
    caption.textContent = label;
    var input = document.createElement(type === "textarea" ? "textarea" : "input");
    input.id = id;
    if (type !== "textarea") input.type = type;
    input.value = value || "";
    wrap.appendChild(caption);
    wrap.appendChild(input);
    form.appendChild(wrap);
    return input;
  }

  // "Ask an officer": the question prefilled; an email or phone for an anonymous person.
  function officerForm(item, button, question, turn) {
    button.disabled = true;
    formCount += 1;
    var prefix = "assistant-q" + formCount + "-";
    var form = document.createElement("form");
    form.className = "assistant__officer";
    form.noValidate = true;
    var text = field(form, prefix + "text", panel.dataset.questionLabel, "textarea", question);
    text.maxLength = 2000;
    text.required = true;
    var email = null, phone = null;
    var hint = document.createElement("p");
    hint.className = "muted";
    hint.id = prefix + "hint";
    if (panel.dataset.signedIn) {
      hint.textContent = panel.dataset.inboxHint;
    } else {
      hint.textContent = panel.dataset.contactHint;
      email = field(form, prefix + "email", panel.dataset.emailLabel, "email", "");
      email.autocomplete = "email";
      email.setAttribute("aria-describedby", hint.id);
      phone = field(form, prefix + "phone", panel.dataset.phoneLabel, "tel", "");
      phone.autocomplete = "tel";
      phone.setAttribute("aria-describedby", hint.id);
    }
    form.appendChild(hint);
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    var send = document.createElement("button");
    send.type = "submit";
    send.className = "button";
    send.textContent = panel.dataset.sendQuestion;
    form.appendChild(send);
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { message: text.value, conversation: conversation, turn: turn };
      if (email) body.email = email.value.trim();
      if (phone) body.phone = phone.value.trim();
      send.disabled = true;
      fetch(panel.dataset.questions, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": panel.dataset.csrf },
        body: JSON.stringify(body),
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (result.ok) {
            form.replaceWith(Object.assign(document.createElement("p"), { textContent: result.data.detail }));
            return;
          }
          send.disabled = false;
          var errors = result.data.errors || {};
          var first = Object.keys(errors).map(function (key) { return errors[key][0]; })[0];
          status.textContent = first || result.data.detail || panel.dataset.error;
        })
        .catch(function () { send.disabled = false; status.textContent = panel.dataset.error; });
    });
    item.appendChild(form);
    text.focus();
  }

  function say(who, text, procedures, handoff, turn, question) {
    var item = document.createElement("div");
    item.className = "assistant__msg assistant__msg--" + who;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = (who === "you" ? panel.dataset.you : panel.dataset.bot) + ": ";
    item.appendChild(label);
    var body = document.createElement("p");
    body.textContent = text;
    item.appendChild(body);
    if (procedures && procedures.length) {
      var list = document.createElement("ul");
      procedures.forEach(function (procedure) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = procedure.url;
        link.textContent = procedure.name;
        li.appendChild(link);
        list.appendChild(li);
      });
      item.appendChild(list);
    }
    if (handoff) {
      var ask = document.createElement("button");
      ask.type = "button";
      ask.className = "button outline assistant__ask";
      ask.textContent = panel.dataset.askOfficer;
      ask.addEventListener("click", function () { officerForm(item, ask, question, turn); });
      item.appendChild(ask);
    }
    if (turn) thumbs(item, turn);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var message = input.value.trim();
    if (!message) { input.focus(); return; }
    say("you", message);
    input.value = "";
    var body = { message: message };
    if (conversation) body.conversation = conversation;
    fetch(panel.dataset.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) {
          var errors = (result.data.errors && result.data.errors.message) || [];
          say("bot", errors[0] || result.data.detail || panel.dataset.error);
          return;
        }
        conversation = result.data.conversation;
        say("bot", result.data.answer, result.data.procedures, result.data.handoff, result.data.turn, message);
      })
      .catch(function () { say("bot", panel.dataset.error); });
  });
})();
