// Suggestions under the header search box while the shopper types (GET /api/v1/suggest).
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById("site-search-list");
  var timer = null, active = -1, asked = "";

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function show(items) {
    list.replaceChildren();
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "site-search-option-" + i;
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = item.url;
      var name = document.createElement("strong");
      name.textContent = item.name;  // text only: names never become markup
      var meta = document.createElement("span");
      meta.textContent = item.producer + " · " + item.province;
      a.append(name, meta);
      li.append(a);
      list.append(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function ask() {
    var text = input.value;
    if (text.trim().length < 2) { close(); return; }
    asked = text;
    fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
      .then(function (body) { if (asked === input.value) { show(body.suggestions || []); } })
      .catch(close);
  }

  function move(step) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) { return; }
    if (active >= 0) { options[active].removeAttribute("aria-selected"); }
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = list.querySelectorAll("[role=option] a")[active].href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 200); });
})();
