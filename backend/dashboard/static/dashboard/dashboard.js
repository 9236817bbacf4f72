/* Draw the dashboard's charts with the vendored ECharts from the figures embedded in the page. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  if (typeof echarts === "undefined") { return; }
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  var rows = data.rows.filter(function (r) { return r.registered > 0; });
  if (data.rows.length) {
    draw("chart-coverage", {
      animation: false,
      grid: { left: 50, right: 30, top: 30, bottom: 80 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: rows.length > 8 ? 40 : 0 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        name: labels.coverage, type: "bar",
        data: rows.map(function (r) {
          return { value: r.coverage, itemStyle: { color: r.coverage >= 100 ? "#1e8449" : "#c0392b" } };
        }),
        label: { show: rows.length <= 20, position: "top", formatter: "{c}%" },
        markLine: { symbol: "none", silent: true, lineStyle: { color: "#1e8449", type: "dashed", width: 2 },
                    label: { formatter: labels.target, position: "insideEndTop" }, data: [{ yAxis: 100 }] }
      }]
    });
  }

  draw("chart-months", {
    animation: false,
    grid: { left: 50, right: 20, top: 20, bottom: 40 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.checkins_by_month.map(function (m) { return m.month; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: labels.checkins, type: "bar", itemStyle: { color: "#b7282e" },
               data: data.checkins_by_month.map(function (m) { return m.checkins; }) }]
  });

  draw("chart-load", {
    animation: false,
    grid: { left: 50, right: 20, top: 20, bottom: 40 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.load_buckets.map(function (b) { return b.label; }), axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: labels.volunteers, type: "bar",
               data: data.load_buckets.map(function (b) {
                 var colors = { idle: "#95a5a6", partial: "#2e86c1", full: "#1e8449", over: "#c0392b" };
                 return { value: b.volunteers, itemStyle: { color: colors[b.key] } };
               }) }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute("data-charts-ready", String(charts.length));
})();
