// Puts a chosen file's text into the form's text box, so a CSV can be uploaded without
// multipart forms. The file input appears only when this script runs; without it,
// people paste the text themselves.
(() => {
  for (const input of document.querySelectorAll('input[type="file"][data-fills]')) {
    const target = document.getElementById(input.dataset.fills);
    if (!target) continue;
    input.closest('[data-requires-script]')?.removeAttribute('hidden');
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      target.value = await file.text();
    });
  }
})();
