// The sales dashboard's chart: sales and net by day, drawn by the vendored Chart.js from
// the figures the page already shows in its tables (no request of its own).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("sales-chart");
  const source = document.getElementById("sales-chart-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const locale = canvas.dataset.locale === "zh" ? "zh-CN" : "en";
  const money = new Intl.NumberFormat(locale, { style: "currency", currency: canvas.dataset.currency });
  const day = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels.map((iso) => day.format(new Date(`${iso}T00:00:00Z`))),
      datasets: [
        { label: canvas.dataset.seriesSales, data: data.sales.map(Number), backgroundColor: "#c2185b" },
        { label: canvas.dataset.seriesNet, data: data.net.map(Number), backgroundColor: "#2e7d32" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { callback: (value) => money.format(value) } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${money.format(ctx.parsed.y)}` } } },
    },
  });
});
