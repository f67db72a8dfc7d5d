/* Academy book pages. Loaded first, before the theme and the widget scripts. */
(function () {
  "use strict";
  var script = document.currentScript;

  /* Widget assets are served from the site's own _vendor/ folder (never a CDN). Each
     widget package in the bundle finds its icon fonts relative to its own AMD module
     address, so map every one of them there. */
  if (script && typeof window.require === "undefined") {
    var widgets = new URL("../../_vendor/widgets", script.src).href;
    window.require = {
      paths: {"@jupyter-widgets/html-manager/dist": widgets, "@jupyter-widgets": widgets}
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    /* The widget bundle typesets with MathJax 2's API; give MathJax 3 that one call. */
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {
        Queue: function (command) {
          if (window.MathJax.typesetPromise && command && command[2]) {
            window.MathJax.typesetPromise([command[2]]).catch(function () {});
          }
        }
      };
    }
  });

  /* Embed mode: ?embed=1 shows a page without navigation chrome, for an iframe. The
     licence footer stays. Links to other pages of the site keep the embed flag. */
  var params = new URLSearchParams(window.location.search);
  if (!params.has("embed") || params.get("embed") === "0") {
    return;
  }
  document.documentElement.classList.add("academy-embed");
  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].getAttribute("href"), window.location.href);
      if (url.origin === window.location.origin && /\.html$/.test(url.pathname)) {
        url.searchParams.set("embed", "1");
        links[i].setAttribute("href", url.href);
      }
    }
  });
})();
