// The admin's editor of a procedure version's application form (procedures/widgets.py).
// The JSON textarea stays the field that is saved: this turns it into rows (name, label, type,
// required, choices, help; add, remove, move up and down) and writes the JSON back on every
// change. Settings the rows do not show (label_en, max_length, pattern, min, max) are kept as
// they are. Without JavaScript, or with JSON the rows cannot show, the textarea is the editor.
(function () {
  "use strict";

  var SHOWN = ["name", "label", "type", "required", "choices", "help"];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "class") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function format(template, n) {
    return template.replace("%(n)s", String(n));
  }

  function parse(text) {
    if (!text.trim()) return [];
    var value;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return null;
    }
    if (!Array.isArray(value)) return null;
    for (var i = 0; i < value.length; i++) {
      if (!value[i] || typeof value[i] !== "object" || Array.isArray(value[i])) return null;
    }
    return value;
  }

  function setUp(root) {
    var textarea = root.querySelector("textarea");
    var rowsBox = root.querySelector("[data-form-schema-rows]");
    var jsonBox = root.querySelector("[data-form-schema-json]");
    if (!textarea || !rowsBox || !jsonBox) return;
    var types = JSON.parse(root.getAttribute("data-types") || "[]");
    var t = JSON.parse(root.getAttribute("data-strings") || "{}");
    var fields = [];
    var prefix = textarea.id || "form-schema";

    var status = el("p", { class: "form-schema__status help", role: "status" });
    var toggle = el("button", { type: "button", class: "button form-schema__toggle", "data-form-schema-toggle": "" });
    var list = el("ol", { class: "form-schema__list", "data-form-schema-list": "" });
    var add = el("button", { type: "button", class: "button form-schema__add", "data-form-schema-add": "" }, t.add);
    // The admin's label names the textarea; the rows, shown instead, are a group it names too.
    var fieldLabel = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    if (fieldLabel) {
      fieldLabel.id = fieldLabel.id || textarea.id + "-label";
      rowsBox.setAttribute("role", "group");
      rowsBox.setAttribute("aria-labelledby", fieldLabel.id);
    }
    rowsBox.appendChild(list);
    rowsBox.appendChild(add);
    root.insertBefore(status, rowsBox);
    root.insertBefore(toggle, rowsBox);

    function write() {
      var out = fields.map(function (field) {
        var spec = { name: field.name, label: field.label, type: field.type, required: !!field.required };
        if (field.type === "choice") spec.choices = field.choices.slice();
        if (field.help) spec.help = field.help;
        Object.keys(field.extra).forEach(function (key) {
          spec[key] = field.extra[key];
        });
        return spec;
      });
      textarea.value = JSON.stringify(out, null, 2);
    }

    function read(specs) {
      fields = specs.map(function (spec) {
        var extra = {};
        Object.keys(spec).forEach(function (key) {
          if (SHOWN.indexOf(key) < 0) extra[key] = spec[key];
        });
        return {
          name: typeof spec.name === "string" ? spec.name : "",
          label: typeof spec.label === "string" ? spec.label : "",
          type: typeof spec.type === "string" ? spec.type : "text",
          required: spec.required === true,
          choices: Array.isArray(spec.choices) ? spec.choices.map(String) : [],
          help: typeof spec.help === "string" ? spec.help : "",
          extra: extra,
        };
      });
    }

    function input(field, key, index, attrs) {
      var id = prefix + "-row" + index + "-" + key;
      var wrap = el("div", { class: "form-schema__cell form-schema__cell--" + key });
      var label = el("label", { for: id }, t[key]);
      var control;
      if (key === "type") {
        control = el("select", { id: id, "data-key": key });
        types.forEach(function (pair) {
          var option = el("option", { value: pair[0] }, pair[0] + " — " + pair[1]);
          if (pair[0] === field.type) option.selected = true;
          control.appendChild(option);
        });
        if (!types.some(function (pair) { return pair[0] === field.type; })) {
          var unknown = el("option", { value: field.type }, field.type);
          unknown.selected = true;
          control.insertBefore(unknown, control.firstChild);
        }
      } else if (key === "required") {
        control = el("input", { id: id, type: "checkbox", "data-key": key });
        control.checked = field.required;
        wrap.className += " form-schema__cell--check";
        wrap.appendChild(control);
        wrap.appendChild(label);
        return wrap;
      } else if (key === "choices") {
        control = el("textarea", { id: id, rows: "3", "data-key": key });
        control.value = field.choices.join("\n");
      } else {
        control = el("input", Object.assign({ id: id, type: "text", "data-key": key }, attrs || {}));
        control.value = field[key];
      }
      wrap.appendChild(label);
      wrap.appendChild(control);
      return wrap;
    }

    function draw(focusIndex, focusKey) {
      list.textContent = "";
      fields.forEach(function (field, index) {
        var n = index + 1;
        var item = el("li", { class: "form-schema__row", "data-form-schema-row": String(n) });
        var heading = el("p", { class: "form-schema__row-title", id: prefix + "-row" + n + "-title" }, format(t.row, n));
        item.setAttribute("aria-labelledby", heading.id);
        item.appendChild(heading);
        var cells = el("div", { class: "form-schema__cells" });
        cells.appendChild(input(field, "name", n, { spellcheck: "false", autocomplete: "off" }));
        cells.appendChild(input(field, "label", n));
        cells.appendChild(input(field, "type", n));
        cells.appendChild(input(field, "required", n));
        var choices = input(field, "choices", n);
        choices.hidden = field.type !== "choice";
        cells.appendChild(choices);
        cells.appendChild(input(field, "help", n));
        item.appendChild(cells);
        var tools = el("div", { class: "form-schema__tools" });
        [["up", index > 0], ["down", index < fields.length - 1], ["remove", true]].forEach(function (pair) {
          var button = el("button", { type: "button", class: "button", "data-action": pair[0] }, t[pair[0]]);
          button.setAttribute("aria-label", t[pair[0]] + ": " + format(t.row, n));
          if (!pair[1]) button.disabled = true;
          tools.appendChild(button);
        });
        item.appendChild(tools);
        list.appendChild(item);
      });
      status.textContent = fields.length ? "" : t.empty;
      if (focusIndex !== undefined) {
        var row = list.children[Math.min(focusIndex, fields.length - 1)];
        var target = row && (row.querySelector('[data-key="' + (focusKey || "name") + '"]') || row.querySelector("[data-key]"));
        if (target) target.focus();
        else add.focus();
      }
    }

    function rowIndex(node) {
      var row = node.closest("[data-form-schema-row]");
      return row ? Number(row.getAttribute("data-form-schema-row")) - 1 : -1;
    }

    list.addEventListener("input", function (event) {
      var key = event.target.getAttribute("data-key");
      var index = rowIndex(event.target);
      if (!key || index < 0) return;
      var field = fields[index];
      if (key === "required") field.required = event.target.checked;
      else if (key === "choices") field.choices = event.target.value.split("\n").map(function (c) { return c.trim(); }).filter(Boolean);
      else field[key] = event.target.value;
      if (key === "type") {
        var box = event.target.closest("[data-form-schema-row]").querySelector(".form-schema__cell--choices");
        box.hidden = field.type !== "choice";
      }
      write();
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      var index = rowIndex(button);
      var action = button.getAttribute("data-action");
      if (action === "remove") {
        fields.splice(index, 1);
        write();
        draw(index, "name");
        return;
      }
      var other = action === "up" ? index - 1 : index + 1;
      if (other < 0 || other >= fields.length) return;
      var moved = fields[index];
      fields[index] = fields[other];
      fields[other] = moved;
      write();
      draw(other);
      var again = list.children[other].querySelector('[data-action="' + action + '"]');
      if (again && !again.disabled) again.focus();
    });
    add.addEventListener("click", function () {
      fields.push({ name: "", label: "", type: "text", required: false, choices: [], help: "", extra: {} });
      write();
      draw(fields.length - 1, "name");
    });

    function showRows() {
      var specs = parse(textarea.value);
      if (specs === null) {
        status.textContent = t.broken;
        return false;
      }
      read(specs);
      draw();
      rowsBox.hidden = false;
      jsonBox.hidden = true;
      toggle.textContent = t.asJson;
      return true;
    }

    function showJson() {
      rowsBox.hidden = true;
      jsonBox.hidden = false;
      toggle.textContent = t.asRows;
      status.textContent = "";
      textarea.focus();
    }

    toggle.addEventListener("click", function () {
      if (jsonBox.hidden) showJson();
      else showRows();
    });

    if (!showRows()) toggle.textContent = t.asRows;
  }

  function start() {
    document.querySelectorAll("[data-form-schema-editor]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
