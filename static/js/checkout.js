/* Checkout: fill the ward select from the chosen province, show only the part of the form
   (delivery or pickup) that applies, and keep one click from sending the order twice.
   Without this script the form still works: both parts show, and a button lists the wards. */
(function () {
  "use strict";

  var form = document.getElementById("checkout-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");

  var province = form.querySelector("#province_code");
  var ward = form.querySelector("#ward_code");
  var status = form.querySelector(".wards-status");
  var addressLine = form.querySelector("#address_line");
  var loading = null;

  function option(value, text, selected) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = text;
    if (selected) { element.selected = true; }
    return element;
  }

  function resetWards(text) {
    ward.replaceChildren(option("", text, true));
  }

  function loadWards() {
    var code = province.value;
    var keep = ward.value;
    if (loading) { loading.abort(); }
    if (!code) {
      resetWards(ward.dataset.first);
      return;
    }
    loading = new AbortController();
    ward.disabled = true;
    ward.setAttribute("aria-busy", "true");
    status.textContent = "";
    fetch(ward.dataset.wardsUrl.replace("__code__", encodeURIComponent(code)), {
      headers: { "Accept": "application/json" }, signal: loading.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (body) {
      var options = [option("", ward.dataset.placeholder, true)];
      body.items.forEach(function (item) {
        options.push(option(item.code, item.name, item.code === keep));
      });
      ward.replaceChildren.apply(ward, options);
      if (keep && ward.value !== keep) { ward.value = ""; }
      ward.disabled = false;
      ward.removeAttribute("aria-busy");
    }).catch(function (error) {
      if (error.name === "AbortError") { return; }
      resetWards(ward.dataset.first);
      ward.disabled = false;
      ward.removeAttribute("aria-busy");
      status.textContent = ward.dataset.failed;
    });
  }

  function chosenFulfilment() {
    var checked = form.querySelector("input[name='fulfilment']:checked");
    return checked ? checked.value : "delivery";
  }

  function showFulfilment() {
    var chosen = chosenFulfilment();
    document.querySelectorAll("[data-when]").forEach(function (element) {
      element.hidden = element.dataset.when !== chosen;
    });
    var delivery = chosen === "delivery";
    [addressLine, province, ward].forEach(function (input) { input.required = delivery; });
    form.querySelectorAll("input[name='pickup_point']").forEach(function (input) {
      input.required = !delivery && !input.disabled;
    });
  }

  province.addEventListener("change", loadWards);
  form.querySelectorAll("input[name='fulfilment']").forEach(function (input) {
    input.addEventListener("change", showFulfilment);
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "step") { return; }
    var button = form.querySelector(".checkout__place");
    if (button.dataset.sent) {
      event.preventDefault();  /* a second click: the first one is on its way */
      return;
    }
    button.dataset.sent = "1";
    button.setAttribute("aria-disabled", "true");
  });

  showFulfilment();
  if (province.value && ward.options.length <= 1) { loadWards(); }
})();
