/* Charts of the indicators pages (Chart.js, vendored). The tables next to each chart hold the
   same figures: they are the text alternative, and the page works without this script. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var Chart = window.Chart;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#13294b";
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (reduced) Chart.defaults.animation = false;

    var trend = document.getElementById("chart-trend");
    if (trend) {
      new Chart(trend, {
        data: {
          labels: data.months,
          datasets: [
            {type: "bar", label: data.labels.received, data: data.received, backgroundColor: "#9fb3d1", yAxisID: "count"},
            {type: "line", label: data.labels.online_share, data: data.online_share, borderColor: "#a3121b",
             backgroundColor: "#a3121b", yAxisID: "share", spanGaps: true, pointStyle: "rect"},
            {type: "line", label: data.labels.on_time_share, data: data.on_time_share, borderColor: "#0f5132",
             backgroundColor: "#0f5132", yAxisID: "share", spanGaps: true, borderDash: [6, 4]}
          ]
        },
        options: {
          maintainAspectRatio: false,
          interaction: {mode: "index", intersect: false},
          scales: {
            count: {type: "linear", position: "left", beginAtZero: true, ticks: {precision: 0}},
            share: {type: "linear", position: "right", min: 0, max: 100, grid: {drawOnChartArea: false},
                    ticks: {callback: function (v) { return v + "%"; }}}
          }
        }
      });
    }

    var groups = document.getElementById("chart-groups");
    if (groups && data.groups.length) {
      new Chart(groups, {
        type: "bar",
        data: {
          labels: data.groups,
          datasets: [
            {label: data.labels.points, data: data.points, backgroundColor: "#13294b"},
            {label: data.labels.max_points, data: data.max_points, backgroundColor: "#d5dae2"}
          ]
        },
        options: {indexAxis: "y", maintainAspectRatio: false, scales: {x: {beginAtZero: true}}}
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
