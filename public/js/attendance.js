// The attendance roster (views/live-sessions/attendance.ejs). Without this script the
// boxes are saved with the "Save attendance" button. With it, every change is saved at
// once: the whole list (the server replaces the saved one) as JSON, the CSRF token in
// X-CSRF-Token, and "Saved" said in the page's status region. One save at a time, so
// that an older list never lands after a newer one.
(() => {
  const form = document.getElementById('attendance-form');
  if (!form) return;
  const status = document.getElementById(form.dataset.status);
  const count = document.getElementById(form.dataset.count);
  const token = form.querySelector('input[name="_csrf"]');
  let isSaving = false;
  let isDirty = false;

  const say = (text) => {
    if (status) status.textContent = text || '';
  };

  async function save() {
    if (isSaving) {
      isDirty = true;
      return;
    }
    isSaving = true;
    isDirty = false;
    // Emptied first, so that a second "Saved" is announced again.
    say('');
    const present = [...form.querySelectorAll('input[name="present"]:checked')].map((box) => box.value);
    try {
      const response = await fetch(form.getAttribute('action'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token ? token.value : '' },
        body: JSON.stringify({ present }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const saved = await response.json();
      if (count && count.dataset.template) {
        count.textContent = count.dataset.template.replace('{{present}}', String(saved.present)).replace('{{total}}', String(saved.present + saved.absent));
      }
      if (!isDirty) say(status && status.dataset.saved);
    } catch {
      say(status && status.dataset.failed);
    } finally {
      isSaving = false;
      if (isDirty) void save();
    }
  }

  form.addEventListener('change', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.name === 'present') void save();
  });
})();
