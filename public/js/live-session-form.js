// The live-session form (views/live-sessions/form.ejs). Without this script, "Add more
// rows" sends the form back with more empty agenda rows. With it, the rows are added
// here at once and the focus moves to the first new one. Texts come from the page.
(() => {
  const button = document.getElementById('agenda-add');
  const rows = document.querySelector('#agenda-table tbody');
  const count = button ? button.form.querySelector('input[name="agendaRows"]') : null;
  if (!button || !rows || !count) return;
  const status = document.getElementById('agenda-status');
  const max = Number(button.dataset.maxRows);
  const added = Number(button.dataset.addedRows);
  const parts = [
    { name: 'time', type: 'time', label: button.dataset.labelTime },
    { name: 'topic', type: 'text', label: button.dataset.labelTopic },
    { name: 'responsible', type: 'text', label: button.dataset.labelResponsible },
  ];

  function addRow() {
    const index = rows.rows.length;
    const row = document.createElement('tr');
    for (const part of parts) {
      const id = `field-agenda-${index}-${part.name}`;
      const label = document.createElement('label');
      label.className = 'visually-hidden';
      label.htmlFor = id;
      label.textContent = (part.label || '').replace('{{number}}', String(index + 1));
      const input = document.createElement('input');
      input.type = part.type;
      input.id = id;
      input.name = `agenda-${index}-${part.name}`;
      const cell = document.createElement('td');
      cell.append(label, input);
      row.append(cell);
    }
    rows.append(row);
    return row.querySelector('input');
  }

  button.addEventListener('click', (event) => {
    event.preventDefault();
    let first;
    for (let step = 0; step < added && rows.rows.length < max; step += 1) {
      const input = addRow();
      if (!first) first = input;
    }
    count.value = String(rows.rows.length);
    if (rows.rows.length >= max) button.hidden = true;
    if (status) status.textContent = (button.dataset.addedMessage || '').replace('{{count}}', String(rows.rows.length));
    if (first) first.focus();
  });
})();
