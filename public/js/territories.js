// The municipality list follows the chosen department, filled from the public DIVIPOLA
// API. Without this script the form still works: the "Load municipalities" button asks
// the server for the same list. Texts come from the page (data-*), never from here.
(() => {
  for (const department of document.querySelectorAll('select[data-territory="department"]')) {
    const municipality = document.getElementById(department.dataset.municipalitySelect);
    const status = document.getElementById(department.dataset.status);
    const button = document.getElementById(`${department.id}-button`);
    if (!municipality) continue;
    if (button) button.hidden = true;
    const placeholder = municipality.querySelector('option[value=""]');
    let latest = 0;

    department.addEventListener('change', async () => {
      const request = ++latest;
      const code = department.value;
      const options = placeholder ? [placeholder] : [];
      if (!code) {
        municipality.replaceChildren(...options);
        return;
      }
      try {
        const response = await fetch(`/api/v1/territories/departments/${encodeURIComponent(code)}/municipalities`, {
          credentials: 'omit',
          headers: { Accept: 'application/json' },
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const { items } = await response.json();
        if (request !== latest) return; // a later choice has already answered
        municipality.replaceChildren(...options, ...items.map((item) => new Option(item.name, item.code)));
        municipality.value = '';
        if (status) status.textContent = (municipality.dataset.loadedMessage || '').replace('{{count}}', String(items.length));
      } catch {
        if (request !== latest) return;
        if (button) button.hidden = false;
        if (status) status.textContent = municipality.dataset.failedMessage || '';
      }
    });
  }
})();
