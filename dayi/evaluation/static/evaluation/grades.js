// The grade distribution of an evaluation run as coloured columns, drawn by ECharts (served by Dayi, no CDN).
// Each <div data-grade-chart="ID"> reads its series from the JSON script element ID: [{"name", "value", "grade"}].
(function () {
  "use strict";
  var COLOURS = { excellent: "#2e8b57", good: "#0b5cad", qualified: "#8a94a6", poor: "#c0392b" };
  function draw(el) {
    var source = document.getElementById(el.dataset.gradeChart);
    if (!source || !window.echarts) return;
    var rows = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { color: "#1d2433" } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#1d2433" } },
      tooltip: { trigger: "item" },
      series: [{
        type: "bar",
        barMaxWidth: 56,
        data: rows.map(function (r) { return { value: r.value, itemStyle: { color: COLOURS[r.grade] } }; }),
        label: { show: true, position: "top", color: "#1d2433" },
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() { document.querySelectorAll("[data-grade-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
