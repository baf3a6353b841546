// The checkout address form: when the country changes, show its fields in its own order
// with its own names (state, province, prefecture, ZIP code...), from the layouts the
// page carries (Google's address data, labels already in the viewer's language).
(function () {
  "use strict";
  var country = document.querySelector("select[name=country][data-layouts]");
  var box = document.getElementById("address-fields");
  if (!country || !box) { return; }
  var data = JSON.parse(country.getAttribute("data-layouts"));

  function apply() {
    var layout = data.layouts[data.countries[country.value]];
    if (!layout) { return; }
    layout.forEach(function (entry) {
      var wrapper = box.querySelector("[data-field='" + entry[0] + "']");
      if (!wrapper) { return; }
      var label = wrapper.querySelector("label");
      var input = wrapper.querySelector("input");
      if (label) { label.textContent = entry[1]; }
      if (input) { input.setAttribute("aria-required", entry[2] ? "true" : "false"); }
      box.appendChild(wrapper);  // moves it to the end: the country's order
    });
    // Another country's region suggestions would mislead.
    var list = document.getElementById("region-choices");
    if (list && country.value !== country.getAttribute("data-initial")) {
      list.innerHTML = "";
    }
  }

  country.setAttribute("data-initial", country.value);
  country.addEventListener("change", apply);
})();
