// The voucher flows between provinces, drawn by ECharts (served by Dayi, no CDN): one node per province at
// its longitude and latitude, sized by the money used within it; an arrow per pair of provinces, as thick
// as the money that flowed. The data: the JSON script element named by data-flows, {nodes, links}.
(function () {
  "use strict";
  function scale(value, max, lo, hi) {
    return max > 0 ? lo + (hi - lo) * Math.sqrt(value / max) : lo;
  }
  function draw(el) {
    var source = document.getElementById(el.dataset.flows);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var t = el.dataset;
    var total = function (n) { return Number(n.within) + Number(n["in"]) + Number(n.out); };
    var maxNode = Math.max.apply(null, data.nodes.map(total).concat([0]));
    var maxLink = Math.max.apply(null, data.links.map(function (l) { return Number(l.amount); }).concat([0]));
    var names = {};
    var nodes = data.nodes.map(function (n, i) {
      names[n.id] = n.name;
      var placed = n.lon !== null && n.lat !== null;
      return {
        id: n.id,
        name: n.name,
        // Longitude east, latitude north (screen y grows downward); unplaced provinces in a row below.
        x: placed ? n.lon : 100 + i * 3,
        y: placed ? -n.lat : -15,
        symbolSize: scale(total(n), maxNode, 14, 56),
        value: n,
        itemStyle: { color: Number(n.out) > Number(n["in"]) ? "#0b5cad" : "#f0b429" },
      };
    });
    var links = data.links.map(function (l) {
      return {
        source: l.source,
        target: l.target,
        value: l,
        lineStyle: { width: scale(Number(l.amount), maxLink, 1.5, 10) },
      };
    });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif" },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (p.dataType === "edge") {
            var l = p.data.value;
            return names[l.source] + " → " + names[l.target] + "<br>" + l.amount + " " + t.labelUnit +
              " · " + l.count + " " + t.labelCount;
          }
          var n = p.data.value;
          return n.name + "<br>" + t.labelWithin + " " + n.within + " " + t.labelUnit + "<br>" +
            t.labelOut + " " + n.out + " · " + t.labelIn + " " + n["in"];
        },
      },
      series: [{
        type: "graph",
        layout: "none",
        roam: true,
        left: 60, right: 60, top: 40, bottom: 40,
        data: nodes,
        links: links,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 10,
        label: { show: true, position: "right", color: "#1d2433", fontSize: 14, formatter: "{b}" },
        lineStyle: { color: "#5b6474", opacity: 0.75, curveness: 0.25 },
        emphasis: { focus: "adjacency", lineStyle: { opacity: 1 } },
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() { document.querySelectorAll("[data-flows]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
