// Applies the theme chosen on this browser before the page paints, so a
// dark-theme reader never sees a white flash. app.js handles the choice.
(function () {
  try {
    var t = localStorage.getItem("skein-theme");
    if (t === "light" || t === "dark") document.documentElement.setAttribute("data-theme", t);
  } catch (e) { /* storage disabled: follow the system */ }
})();
