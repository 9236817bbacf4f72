// Progressive enhancement: fill the next list when a county or town is chosen.
(function () {
  var county = document.getElementById("id_county"), town = document.getElementById("id_town"),
      village = document.getElementById("id_village"), refresh = document.getElementById("region-refresh");
  if (!window.fetch || !county) return;
  refresh.style.display = "none";
  function fill(select, parent) {
    var first = select.options[0].text;
    select.innerHTML = "";
    select.add(new Option(first, ""));
    if (!parent) return;
    fetch("/api/regions/?parent=" + encodeURIComponent(parent), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) { rows.forEach(function (r) { select.add(new Option(r.name, r.code)); }); })
      .catch(function () { refresh.style.display = ""; });
  }
  county.addEventListener("change", function () { fill(town, county.value); fill(village, ""); });
  town.addEventListener("change", function () { fill(village, town.value); });
})();
