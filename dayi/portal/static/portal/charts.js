// Bar charts of instruments by category and by region, drawn by ECharts (served by Dayi, no CDN).
// Each <div data-chart="ID"> reads its series from the JSON script element ID: [{"name", "value"}].
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var rows = JSON.parse(source.textContent).slice(0, 15).reverse();
    el.style.height = Math.max(160, rows.length * 28 + 40) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#1d2433" } },
      yAxis: {
        type: "category",
        data: rows.map(function (r) { return r.name; }),
        axisLabel: { color: "#1d2433", width: 140, overflow: "truncate" },
      },
      tooltip: { trigger: "item" },
      series: [{
        type: "bar",
        data: rows.map(function (r) { return r.value; }),
        itemStyle: { color: "#0b5cad" },
        label: { show: true, position: "right", color: "#1d2433" },
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() { document.querySelectorAll("[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
