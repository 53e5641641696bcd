/* The live hub: reload when a profile or core file changes (a page with a form only says so instead), and focus
   a form's error summary. */
(function () {
  var script = document.currentScript;
  var summary = document.getElementById("error_summary");  /* GOV.UK: a form with problems opens at its summary */
  if (summary) { window.addEventListener("load", function () { summary.focus(); }); }
  var source = new EventSource(script.dataset.events);
  source.onmessage = function (event) {
    if (event.data === script.dataset.version) { return; }
    var notice = document.getElementById("hub_changed");
    if (notice) { notice.hidden = false; } else { window.location.reload(); }
  };
})();
