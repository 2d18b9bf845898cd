// The quiz attempt page (views/quizzes/attempt.ejs). Without this script the page is a
// plain form ("Guardar" and "Enviar" work as they are). With it, a timed attempt shows
// a countdown, saves the answers every 20 s and when they change (POST …/autosave, the
// CSRF token in X-CSRF-Token), and is submitted when the time is up.
(() => {
  const form = document.getElementById('quiz-form');
  if (!form) return;
  const autosaveUrl = form.dataset.autosave;
  const status = form.querySelector('.quiz-autosave');
  const tokenField = form.querySelector('input[name="_csrf"]');
  let isDirty = false;
  let isSubmitting = false;
  let saving;

  const fields = () => {
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (name !== '_csrf' && typeof value === 'string') body.append(name, value);
    return body;
  };

  async function autosave() {
    if (!autosaveUrl || !isDirty || isSubmitting || saving) return;
    isDirty = false;
    saving = fetch(autosaveUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': tokenField ? tokenField.value : '' },
      body: fields(),
    })
      .then((response) => {
        // Closed meanwhile (submitted elsewhere, or the time is over): the page shows the result.
        if (response.status === 409 || response.status === 410) {
          isSubmitting = true;
          window.location.reload();
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        if (status) status.textContent = status.dataset.saved || '';
      })
      .catch(() => {
        isDirty = true;
        if (status) status.textContent = status.dataset.failed || '';
      })
      .finally(() => {
        saving = undefined;
      });
    await saving;
  }

  if (autosaveUrl) {
    form.addEventListener('change', () => {
      isDirty = true;
      void autosave();
    });
    form.addEventListener('input', () => {
      isDirty = true;
    });
    window.setInterval(() => void autosave(), 20_000);
  }
  form.addEventListener('submit', () => {
    isSubmitting = true;
  });

  const timer = document.getElementById('quiz-timer');
  const deadline = timer ? Date.parse(timer.dataset.deadline || '') : NaN;
  if (!timer || Number.isNaN(deadline)) return;
  const countdown = timer.querySelector('.quiz-countdown');
  const value = timer.querySelector('.quiz-countdown-value');
  const announcer = timer.querySelector('.quiz-announcer');
  let hasWarned = false;
  if (countdown) countdown.hidden = false;

  const pad = (number) => String(number).padStart(2, '0');
  function tick() {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    const hours = Math.floor(left / 3600);
    const minutes = Math.floor((left % 3600) / 60);
    if (value) value.textContent = `${hours > 0 ? `${hours}:${pad(minutes)}` : pad(minutes)}:${pad(left % 60)}`;
    if (left <= 60) timer.classList.add('is-ending');
    if (left <= 60 && left > 0 && !hasWarned && announcer) {
      hasWarned = true;
      announcer.textContent = announcer.dataset.oneMinute || '';
    }
    if (left === 0 && !isSubmitting) {
      isSubmitting = true;
      if (announcer) announcer.textContent = announcer.dataset.timeUp || '';
      // The server still takes answers for a few seconds past the deadline.
      form.requestSubmit(form.querySelector('.quiz-submit') || undefined);
      return;
    }
    if (left > 0) window.setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }
  tick();
})();
