// Adds an empty scenario to the form in the page, without a round trip; without JavaScript the same button
// asks the server for one more row and keeps what was typed.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var list = document.getElementById(prefix + "-list");
    var template = document.getElementById(prefix + "-template");
    var total = document.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = document.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    if (!list || !template || !total) { return; }
    function refresh() {
      var limit = max ? parseInt(max.value, 10) : 1000;
      button.disabled = parseInt(total.value, 10) >= limit;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      while (holder.firstElementChild) {
        list.appendChild(holder.firstElementChild);
      }
      total.value = String(index + 1);
      refresh();
      var first = list.lastElementChild && list.lastElementChild.querySelector("input, textarea");
      if (first) { first.focus(); }
    });
    refresh();
  });
})();
