// Campaign report charts (Chart.js from static/vendor): reads the day rows the server
// embedded as JSON, so the page shows the same numbers as its table and CSV.
(function () {
  "use strict";
  var source = document.getElementById("report-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.days.map(function (d) { return d.date; });
  function series(key) { return data.days.map(function (d) { return d[key]; }); }
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom" } }
  };
  var delivery = document.getElementById("chart-delivery");
  if (delivery) {
    new Chart(delivery, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { type: "bar", label: data.labels.impressions, data: series("impressions"),
            backgroundColor: "rgba(255, 36, 66, 0.55)", yAxisID: "y" },
          { type: "line", label: data.labels.clicks, data: series("clicks"),
            borderColor: "#1f6feb", backgroundColor: "#1f6feb", tension: 0.25, yAxisID: "y1" }
        ]
      },
      options: Object.assign({}, common, {
        scales: {
          y: { beginAtZero: true, position: "left", title: { display: true, text: data.labels.impressions } },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                title: { display: true, text: data.labels.clicks } }
        }
      })
    });
  }
  var money = document.getElementById("chart-money");
  if (money) {
    new Chart(money, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: data.labels.spend, data: series("spend"), borderColor: "#ff2442",
            backgroundColor: "rgba(255, 36, 66, 0.15)", fill: true, tension: 0.25 },
          { label: data.labels.gmv, data: series("gmv"), borderColor: "#1a7f37",
            backgroundColor: "rgba(26, 127, 55, 0.15)", fill: true, tension: 0.25 }
        ]
      },
      options: Object.assign({}, common, {
        scales: { y: { beginAtZero: true, title: { display: true, text: data.currency } } }
      })
    });
  }
})();
