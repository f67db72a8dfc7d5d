/* Catalogue filters: search text, role, competency and level. Works on the module list
   that is already in the page, so the page reads the same without JavaScript. Filters
   are mirrored in the address (?role=...&competency=...), so a filtered view can be shared. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("modules");
  var count = document.getElementById("count");
  if (!form || !list || !count) { return; }
  var cards = list.querySelectorAll("li.module");
  var fields = ["q", "role", "competency", "level"];

  function value(name) { return form.elements[name].value.trim(); }

  function apply() {
    var q = value("q").toLowerCase();
    var role = value("role");
    var competency = value("competency");
    var level = value("level");
    var shown = 0;
    for (var i = 0; i < cards.length; i++) {
      var card = cards[i];
      var ok = (!q || card.dataset.search.indexOf(q) !== -1) &&
        (!role || card.dataset.roles.split(" ").indexOf(role) !== -1) &&
        (!competency || card.dataset.competencies.split(" ").indexOf(competency) !== -1) &&
        (!level || card.dataset.level === level);
      card.hidden = !ok;
      if (ok) { shown++; }
    }
    count.textContent = shown === 1 ? "1 module" : shown + " modules";
    var params = new URLSearchParams();
    fields.forEach(function (name) { if (value(name)) { params.set(name, value(name)); } });
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  var initial = new URLSearchParams(window.location.search);
  fields.forEach(function (name) {
    if (initial.has(name)) { form.elements[name].value = initial.get(name); }
  });
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  apply();
})();
