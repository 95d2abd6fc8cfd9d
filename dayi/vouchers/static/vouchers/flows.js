// The voucher flows between provinces, drawn by ECharts (served by Dayi, no CDN): one circle per province at
// its longitude and latitude, sized by the money its companies and providers moved; one arrow per pair of
// provinces, as thick as the money that flowed, labelled with it. The data: the JSON script element named
// by data-flows, {nodes, links}. Axes are hidden; the extent fits the provinces, one degree of longitude
// as wide on screen as one of latitude is tall, so the places keep their shape.
(function () {
  "use strict";
  function scale(value, max, lo, hi) {
    return max > 0 ? lo + (hi - lo) * Math.sqrt(value / max) : lo;
  }
  function bounds(nodes, width, height) {
    var lons = nodes.map(function (n) { return n.lon; });
    var lats = nodes.map(function (n) { return n.lat; });
    var box = {
      x0: Math.min.apply(null, lons) - 0.8, x1: Math.max.apply(null, lons) + 0.8,
      y0: Math.min.apply(null, lats) - 0.8, y1: Math.max.apply(null, lats) + 0.8,
    };
    // Widen the shorter side around its centre until the box has the chart's proportions.
    var want = width / height, have = (box.x1 - box.x0) / (box.y1 - box.y0);
    if (have < want) {
      var grow = ((box.y1 - box.y0) * want - (box.x1 - box.x0)) / 2;
      box.x0 -= grow; box.x1 += grow;
    } else {
      var rise = ((box.x1 - box.x0) / want - (box.y1 - box.y0)) / 2;
      box.y0 -= rise; box.y1 += rise;
    }
    return box;
  }
  function draw(el) {
    var source = document.getElementById(el.dataset.flows);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var t = el.dataset;
    var total = function (n) { return Number(n.within) + Number(n["in"]) + Number(n.out); };
    // A province without coordinates (none in GB/T 2260 today) is left out of the picture, not the table.
    var placed = data.nodes.filter(function (n) { return n.lon !== null && n.lat !== null; });
    if (!placed.length) return;
    var names = {};
    placed.forEach(function (n) { names[n.id] = n.name; });
    var maxNode = Math.max.apply(null, placed.map(total));
    var links = data.links.filter(function (l) { return names[l.source] && names[l.target]; });
    var maxLink = Math.max.apply(null, links.map(function (l) { return Number(l.amount); }).concat([0]));
    // Labels point away from the middle of the provinces, where the arrows run.
    var middle = placed.reduce(function (sum, n) { return sum + n.lon; }, 0) / placed.length;
    var pad = 40;
    var box = bounds(placed, el.clientWidth - 2 * pad, el.clientHeight - 2 * pad);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var hidden = { show: false };
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif" },
      grid: { left: pad, right: pad, top: pad, bottom: pad },
      xAxis: { type: "value", min: box.x0, max: box.x1, axisLine: hidden, axisTick: hidden, axisLabel: hidden, splitLine: hidden },
      yAxis: { type: "value", min: box.y0, max: box.y1, axisLine: hidden, axisTick: hidden, axisLabel: hidden, splitLine: hidden },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (p.dataType === "edge") {
            var l = p.data.flow;
            return names[l.source] + " → " + names[l.target] + "<br>" + l.amount + " " + t.labelUnit +
              " · " + l.count + " " + t.labelCount;
          }
          var n = p.data.province;
          return n.name + "<br>" + t.labelWithin + " " + n.within + " " + t.labelUnit + "<br>" +
            t.labelOut + " " + n.out + " · " + t.labelIn + " " + n["in"];
        },
      },
      series: [{
        type: "graph",
        coordinateSystem: "cartesian2d",
        data: placed.map(function (n) {
          var out = Number(n.out), into = Number(n["in"]);
          return {
            id: n.id,
            name: n.name,
            value: [n.lon, n.lat],
            province: n,
            symbolSize: scale(total(n), maxNode, 16, 64),
            label: { position: n.lon < middle ? "left" : "right", align: n.lon < middle ? "right" : "left" },
            itemStyle: { color: out > into ? "#0b5cad" : into > out ? "#f0b429" : "#7a8699" },
          };
        }),
        links: links.map(function (l) {
          return {
            source: l.source,
            target: l.target,
            flow: l,
            lineStyle: { width: scale(Number(l.amount), maxLink, 2, 12) },
            label: { show: true, formatter: l.amount + " " + t.labelUnit },
          };
        }),
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 16,
        label: {
          show: true,
          position: "right",
          color: "#1d2433",
          formatter: function (p) {
            var n = p.data.province;
            return "{name|" + n.name + "}" + (Number(n.within) ? "\n" + t.labelWithin + " " + n.within + " " + t.labelUnit : "");
          },
          rich: { name: { fontSize: 15, fontWeight: "bold", color: "#1d2433" } },
        },
        edgeLabel: { fontSize: 13, color: "#1d2433", backgroundColor: "rgba(255,255,255,.85)", padding: [2, 4] },
        lineStyle: { color: "#5b6474", opacity: 0.8, curveness: 0.2 },
        emphasis: { focus: "adjacency", lineStyle: { opacity: 1 } },
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() { document.querySelectorAll("[data-flows]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
