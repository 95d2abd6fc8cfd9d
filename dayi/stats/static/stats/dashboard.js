// The stats dashboard's charts, drawn by ECharts (served by Dayi from node_modules, no CDN). The series come
// from the JSON script element #stats-charts-data written by the page (dayi/stats/views.py, _charts).
// ECharts 5 ships no map of China, so the "map" is a scatter of each region's centre (GCJ-02 lon/lat) on
// plain axes, coloured by utilisation, and says so in its caption.
(function () {
  "use strict";
  var INK = "#1d2433", BLUE = "#0b5cad", ORANGE = "#d9822b", GREY = "#8a94a6";
  var FONT = { fontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif", color: INK };

  function months(d) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: [L.effective, L.external, L.utilisation], textStyle: FONT },
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.months.map(function (m) { return m.period; }), axisLabel: FONT },
      yAxis: [
        { type: "value", name: L.hours, axisLabel: FONT, nameTextStyle: FONT },
        { type: "value", name: "%", axisLabel: FONT, nameTextStyle: FONT, splitLine: { show: false } },
      ],
      series: [
        { name: L.effective, type: "bar", data: d.months.map(function (m) { return m.effective; }), itemStyle: { color: BLUE } },
        { name: L.external, type: "bar", data: d.months.map(function (m) { return m.external; }), itemStyle: { color: ORANGE } },
        { name: L.utilisation, type: "line", yAxisIndex: 1, data: d.months.map(function (m) { return m.utilisation.toFixed(1); }), itemStyle: { color: INK } },
      ],
    };
  }

  function years(d) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: [L.per_instrument, L.national, L.external_per_instrument, L.national_external], textStyle: FONT },
      grid: { left: 50, right: 20, top: 50, bottom: 30 },
      xAxis: { type: "category", data: d.years.map(function (y) { return y.period; }), axisLabel: FONT },
      yAxis: { type: "value", name: L.hours_per_instrument, axisLabel: FONT, nameTextStyle: FONT },
      series: [
        { name: L.per_instrument, type: "bar", data: d.years.map(function (y) { return y.per_instrument; }), itemStyle: { color: BLUE } },
        { name: L.national, type: "line", data: d.years.map(function (y) { return y.national; }), itemStyle: { color: GREY }, lineStyle: { type: "dashed" } },
        { name: L.external_per_instrument, type: "bar", data: d.years.map(function (y) { return y.external_per_instrument; }), itemStyle: { color: ORANGE } },
        { name: L.national_external, type: "line", data: d.years.map(function (y) { return y.national_external; }), itemStyle: { color: "#b0b7c3" }, lineStyle: { type: "dotted" } },
      ],
    };
  }

  function share(d) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} " + L.hours + " ({d}%)" },
      series: [{
        type: "pie", radius: ["40%", "70%"], label: FONT,
        data: [
          { name: L.internal, value: d.share.internal, itemStyle: { color: BLUE } },
          { name: L.external_service, value: d.share.external, itemStyle: { color: ORANGE } },
        ],
      }],
    };
  }

  function classes(d) {
    var rows = d.classes.slice(0, 12).reverse();
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 50, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: FONT },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: Object.assign({ width: 130, overflow: "truncate" }, FONT) },
      series: [{ type: "bar", data: rows.map(function (r) { return r.hours; }), itemStyle: { color: BLUE }, label: { show: true, position: "right", color: INK } }],
    };
  }

  function map(d) {
    var top = Math.max(10, Math.max.apply(null, d.regions.map(function (r) { return r.utilisation; }).concat([0])));
    return {
      tooltip: { trigger: "item", formatter: function (p) { return p.data.name + "<br>" + L.utilisation + " " + p.data.value[2] + "<br>" + L.effective + " " + p.data.hours; } },
      grid: { left: 40, right: 70, top: 10, bottom: 30 },
      xAxis: { type: "value", min: 73, max: 135, name: L.longitude, axisLabel: FONT, nameTextStyle: FONT, splitLine: { lineStyle: { color: "#eef0f4" } } },
      yAxis: { type: "value", min: 17, max: 54, name: L.latitude, axisLabel: FONT, nameTextStyle: FONT, splitLine: { lineStyle: { color: "#eef0f4" } } },
      visualMap: { min: 0, max: top, dimension: 2, orient: "vertical", right: 0, top: "center", text: [L.high, L.low], textStyle: FONT, calculable: true, inRange: { color: ["#d6e4f5", "#6aa0d8", BLUE, "#06335f"] } },
      series: [{
        type: "scatter",
        symbolSize: function (v) { return 10 + Math.min(30, Math.sqrt(v[3] || 0) / 4); },
        label: { show: true, position: "right", formatter: function (p) { return p.data.name; }, color: INK, fontSize: 10, fontFamily: FONT.fontFamily },
        data: d.regions.map(function (r) { return { name: r.name, value: [r.lon, r.lat, r.utilisation, r.hours], hours: r.hours }; }),
      }],
    };
  }

  var L = {};
  var BUILDERS = { months: months, years: years, share: share, classes: classes, map: map };

  function init() {
    var source = document.getElementById("stats-charts-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    L = data.labels;
    document.querySelectorAll("[data-stats-chart]").forEach(function (el) {
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var option = BUILDERS[el.dataset.statsChart](data);
      option.animation = false;
      option.textStyle = FONT;
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
