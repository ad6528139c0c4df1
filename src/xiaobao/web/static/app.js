/* Console behaviour: htmx error handling, ECharts initialisation and drill-down. No framework. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      // Error responses carry HX-Retarget: #flash, so showing them is safe; 204 means nothing to swap.
      htmx.config.responseHandling = [
        { code: "204", swap: false },
        { code: "[23]..", swap: true },
        { code: "[45]..", swap: true, error: true },
      ];
    }
    initCharts(document);
  });

  // Dismissing a message: delegated, because the content security policy allows no inline handlers.
  document.addEventListener("click", function (evt) {
    var close = evt.target.closest && evt.target.closest(".flash-close");
    if (close && close.parentElement) close.parentElement.remove();
  });

  document.addEventListener("htmx:afterSettle", function (evt) { initCharts(evt.detail.elt || document); });

  window.xbCharts = window.xbCharts || {};

  function initCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      // A canvas is invisible to screen readers: ECharts' aria component writes a description of the
      // series and their data into the container's aria-label (the tables beside each chart carry the
      // same figures and links for keyboard users).
      if (!option.aria) option.aria = { enabled: true, decal: { show: false } };
      var existing = echarts.getInstanceByDom(el);
      if (existing) existing.dispose();
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      // Every number drills down: a data item may carry `url`, the complaints (or calls…) behind it.
      chart.on("click", function (p) {
        var url = p && p.data && p.data.url;
        if (url) window.location.assign(url);
      });
      el.dataset.rendered = "true";
      window.xbCharts[el.id] = chart;
    });
  }

  window.addEventListener("resize", function () {
    Object.keys(window.xbCharts).forEach(function (k) { window.xbCharts[k].resize(); });
  });

  // Select-all checkbox for bulk actions: <input type=checkbox data-select-all="name">
  document.addEventListener("change", function (evt) {
    var name = evt.target.dataset && evt.target.dataset.selectAll;
    if (!name) return;
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = evt.target.checked;
    });
  });
})();
