// The proposal list's filters under htmx. Typing swaps the results and pushes the URL
// (`?q=jardin`); Back then restores htmx's snapshot of an earlier page, whose form holds
// whatever was typed when the snapshot was taken, not what that URL asked for. So after a
// restore, the form is set from the URL shown: the search box, the lists, the folded filters.
(function () {
  "use strict";

  function fill(form, params) {
    var chosen = false;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) {
        return;
      }
      var value = params.get(field.name) || "";
      if (field.tagName === "SELECT") {
        field.value = value;
        if (field.selectedIndex < 0) {
          field.selectedIndex = 0;  // an absent or unknown value: the list's first choice
        }
        chosen = chosen || field.selectedIndex > 0;
      } else if (field.type !== "submit") {
        field.value = value;
      }
    });
    var more = form.querySelector("details");
    if (more && chosen) {
      more.open = true;
    }
  }

  document.addEventListener("htmx:historyRestore", function () {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("form.filters").forEach(function (form) {
      fill(form, params);
    });
  });
})();
