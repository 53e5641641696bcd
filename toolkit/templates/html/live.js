/* The live hub: reload when a profile or core file changes (a page with a form only says so), and move focus to
   an error summary when a form comes back with problems (the GOV.UK pattern). */
(function () {
  var script = document.currentScript;
  var summary = document.getElementById("error_summary");
  if (summary) { summary.focus(); }
  var source = new EventSource(script.dataset.events);
  source.onmessage = function (event) {
    if (event.data === script.dataset.version) { return; }
    var notice = document.getElementById("hub_changed");
    if (notice) { notice.hidden = false; } else { window.location.reload(); }
  };
})();
