// The roster import's progress: while the import runs, ask the server every two seconds how far it is.
(function () {
  var bar = document.getElementById("import-progress");
  if (!bar || bar.dataset.running !== "1") return;
  var text = document.getElementById("import-processed");
  function poll() {
    fetch(bar.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.max = data.total;
        bar.value = data.processed;
        text.textContent = data.processed + " / " + data.total;
        if (data.state === "running") { setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
