// The printable agenda (views/live-sessions/agenda.ejs): a "Print" button, shown only
// where a script can press it; without it the browser's own print does the same.
(() => {
  for (const button of document.querySelectorAll('button[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
})();
