"use strict";
(function () {
  const lossChart = document.getElementById("loss-chart");
  Plotly.newPlot(lossChart, [], { title: { text: "train / val loss" }, yaxis: { type: "log" } }, { responsive: true, displaylogo: false });
})();
